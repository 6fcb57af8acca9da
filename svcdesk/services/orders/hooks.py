"""The points where other areas join an order's life: when an order is created (one at a
time or a batch from a file) and when its status changes. The orders area calls them and
does not know who answers; the agreements area (covering agreement, SLA clock, recall flag,
follow-ups: `services/agreements/order_hooks.py`) is named as the answer in
`svcdesk/services/__init__.py`, which Python runs before any service module, so the orders
area never imports the areas built on it; it is imported on the first call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

if TYPE_CHECKING:
    from sqlmodel import Session

    from svcdesk.models import WorkOrder

    # (order, status before, status after) of one move
    Move = tuple[WorkOrder, str, str]


@dataclass(frozen=True)
class NewRows:
    """Rows a listener adds for a batch of new orders, written by the batch with its own
    multi-row inserts (ids numbered where the table has an `id`): each row of `rows` with
    `constants` added. With `per_row` = (column, values), row n also gets `column` =
    values[n], and `rows` may repeat one dict for many rows (e.g. every order's SLA clock
    row is one of a few shapes): the batch converts each distinct dict once."""

    table: Table
    rows: list[dict]
    constants: dict
    per_row: tuple[str, list[Any]] | None = None


@dataclass(frozen=True)
class OrderHooks:
    """What a new or moving order sets off. `batch_created` is the set-based twin of
    `created` for order rows not inserted yet: it may fill in the rows (agreement_id,
    sla_due) and returns what to write once the orders have ids (ids in row order)."""

    response_due: Callable[[Session, str, datetime], datetime]
    created: Callable[[Session, WorkOrder], None]
    batch_created: Callable[[Session, list[dict], set[int]], Callable[[list[int]], list[NewRows]]]
    status_changed: Callable[[Session, WorkOrder, str, str], None]
    statuses_changed: Callable[[Session, list[Move]], None]


_loader: list[Callable[[], OrderHooks]] = []
_registered: list[OrderHooks] = []


def register(load: Callable[[], OrderHooks]) -> None:
    """Install what gives the hooks (once, from `svcdesk/services/__init__.py`); it is
    called on the first order created or moved, so a command that only reads orders does
    not import the areas that answer."""
    _loader[:] = [load]
    _registered.clear()


def hooks() -> OrderHooks:
    if not _registered:
        if not _loader:
            raise RuntimeError("no order hooks registered: import svcdesk.services first")
        _registered.append(_loader[0]())
    return _registered[0]
