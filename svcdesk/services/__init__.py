"""The domain rules. Plain functions over a Session; no UI imports (textual, typer, rich).

Python runs this file before any service module: it connects the areas' answers to the
order hooks (`orders/hooks.py`), the settings checks that need an area's rules
(`common/settings.register_rule`) and the PDF of e-mailed documents (`billing.register_pdf`),
so that a lower area need not import the areas above it; and it has the text-length check
(`common/normalize.check_text_lengths`) installed on the first ORM session
(`db.when_sessions`), so every flush of every command runs it.

It names the answers without importing them: each loader below imports its area's module
when the hook is first used (the first order created or moved, the first setting of that
kind checked, the first document e-mailed). Importing them all here cost every command
~0.1 s and most of the models (the messages area, jinja2, address parsing) before it did
anything, e.g. `orders list`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from svcdesk.db import when_sessions as _when_sessions
from svcdesk.services.billing import register_pdf as _register_pdf
from svcdesk.services.common.settings import register_rule as _register_rule
from svcdesk.services.orders.hooks import register as _register_order_hooks

if TYPE_CHECKING:
    from sqlmodel import Session

    from svcdesk.services.orders.hooks import OrderHooks


def _order_hooks() -> OrderHooks:
    from svcdesk.services.agreements.order_hooks import HOOKS

    return HOOKS


def _tax_zone() -> Callable:
    from svcdesk.services.crm.tax import check_zone_setting

    return check_zone_setting


def _hours() -> Callable:
    from svcdesk.services.common.workcal import parse_hours

    return parse_hours


def _holidays() -> Callable:
    from svcdesk.services.common.workcal import parse_holidays

    return parse_holidays


def _lunch() -> Callable:
    # dispatch settings bring in the routing layer (numpy)
    from svcdesk.services.dispatch.settings import parse_lunch

    return parse_lunch


def _followup_plan() -> Callable:
    from svcdesk.services.agreements.followups import parse_plan

    return parse_plan


def _quiet_hours() -> Callable:
    from svcdesk.services.messages.outbox import parse_quiet_hours

    return parse_quiet_hours


def _flush_checks(session_class: type) -> None:
    # typed text within its limits before every flush, whichever face or command flushes
    from svcdesk.services.common.normalize import install_flush_check

    install_flush_check(session_class)


def _document_pdf(session: Session, kind: str, number: str) -> bytes:
    # fpdf is only loaded when a document is e-mailed
    from svcdesk.services.billing.pdf import document_pdf

    return document_pdf(session, kind, number)


_register_order_hooks(_order_hooks)
_register_rule("tax_zone", _tax_zone)
_register_rule("hours", _hours)
_register_rule("holidays", _holidays)
_register_rule("lunch", _lunch)
_register_rule("followup_plan", _followup_plan)
_register_rule("quiet_hours", _quiet_hours)
_register_pdf(_document_pdf)
_when_sessions(_flush_checks)
