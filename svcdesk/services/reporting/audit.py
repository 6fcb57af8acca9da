"""Who did what: the order history across orders, plus the changes to records that are
not orders (settings, tax zones, sites: `change_event`), filterable by actor and time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.models import OrderEvent, WorkOrder
from svcdesk.models.shop import ChangeEvent


@dataclass
class AuditRow:
    at: datetime
    actor: str
    order: str  # the order number, or the record changed ("setting shop.hours", "site 12")
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
    if newest_first:  # the whole log: record changes too, newest `limit` of both together
        rows += change_rows(session, actor=actor, since=since, limit=limit)
        rows.sort(key=lambda r: r.at, reverse=True)
        rows = rows[:limit] if limit else rows
    return rows[::-1] if newest_first else rows


def change_rows(
    session: Session,
    *,
    entity: str | None = None,
    ref: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = 500,
) -> list[AuditRow]:
    """Changes to settings, tax zones and sites, newest first."""
    stmt = select(ChangeEvent).order_by(col(ChangeEvent.at).desc(), col(ChangeEvent.id).desc())
    if entity:
        stmt = stmt.where(ChangeEvent.entity == entity)
    if ref is not None:
        stmt = stmt.where(ChangeEvent.ref == ref)
    if actor:
        stmt = stmt.where(ChangeEvent.actor == actor)
    if since:
        stmt = stmt.where(ChangeEvent.at >= since)
    if limit:
        stmt = stmt.limit(limit)
    return [
        AuditRow(e.at, e.actor, f"{e.entity.replace('_', ' ')} {e.ref}", e.kind, None, None,
                 e.detail)
        for e in session.exec(stmt)
    ]  # fmt: skip
