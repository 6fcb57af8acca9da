"""Who did what: the order history across orders, filterable by actor and time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.models import OrderEvent, WorkOrder


@dataclass
class AuditRow:
    at: datetime
    actor: str
    order: str
    kind: str
    from_status: str | None
    to_status: str | None
    detail: str | None


def audit_log(
    session: Session,
    *,
    order_id: int | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = 500,
) -> list[AuditRow]:
    newest_first = order_id is None  # a global log shows the latest `limit` events
    order = (
        (col(OrderEvent.at).desc(), col(OrderEvent.id).desc())
        if newest_first
        else (OrderEvent.at, OrderEvent.id)
    )
    stmt = (
        select(OrderEvent, WorkOrder.number)
        .join(WorkOrder, col(WorkOrder.id) == col(OrderEvent.order_id))
        .order_by(*order)
    )
    if order_id is not None:
        stmt = stmt.where(OrderEvent.order_id == order_id)
    if actor:
        stmt = stmt.where(OrderEvent.actor == actor)
    if since:
        stmt = stmt.where(OrderEvent.at >= since)
    if limit:
        stmt = stmt.limit(limit)
    rows = [
        AuditRow(e.at, e.actor, number, e.kind, e.from_status, e.to_status, e.detail)
        for e, number in session.exec(stmt)
    ]
    return rows[::-1] if newest_first else rows
