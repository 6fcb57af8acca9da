"""The domain rules. Plain functions over a Session; no UI imports (textual, typer, rich).

Python runs this file before any service module: it connects the areas' answers to the
order hooks (`orders/hooks.py`) and the settings checks that need an area's rules
(`common/settings.register_rule`), so that a lower area need not import the areas above it."""

from sqlmodel import Session

from svcdesk.services.agreements.followups import parse_plan as _parse_plan
from svcdesk.services.agreements.order_hooks import HOOKS as _AGREEMENT_HOOKS
from svcdesk.services.billing.outgoing import register_pdf as _register_pdf
from svcdesk.services.common.settings import register_rule as _register_rule
from svcdesk.services.common.workcal import parse_holidays as _parse_holidays
from svcdesk.services.common.workcal import parse_hours as _parse_hours
from svcdesk.services.crm.tax import check_zone_setting as _check_zone_setting
from svcdesk.services.messages.outbox import parse_quiet_hours as _parse_quiet_hours
from svcdesk.services.orders.hooks import register as _register_order_hooks


def _parse_lunch(text: str) -> object:
    # imported on use: dispatch settings bring in the routing layer (numpy)
    from svcdesk.services.dispatch.settings import parse_lunch

    return parse_lunch(text)


def _document_pdf(session: Session, kind: str, number: str) -> bytes:
    # imported on use: fpdf is only loaded when a document is e-mailed
    from svcdesk.services.billing.pdf import document_pdf

    return document_pdf(session, kind, number)


_register_order_hooks(_AGREEMENT_HOOKS)
_register_rule("tax_zone", _check_zone_setting)
_register_rule("hours", _parse_hours)
_register_rule("holidays", _parse_holidays)
_register_rule("lunch", _parse_lunch)
_register_rule("followup_plan", _parse_plan)
_register_rule("quiet_hours", _parse_quiet_hours)
_register_pdf(_document_pdf)
