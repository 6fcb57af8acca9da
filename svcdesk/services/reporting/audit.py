"""Who did what: the order history across orders, plus the changes to records that are
not orders (`change_event`: settings, tax zones, sites, technicians, time entries, staff,
price book, parts, stock locations, ...), customers' own history and the stock ledger's
moves (read where they are: `stock_move` is the audit of stock), filterable by actor, kind
of record, record and time."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from svcdesk.models import OrderEvent, WorkOrder
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.common.events import changed_fields, who_text
from svcdesk.services.crm.devices import phone_actor


@dataclass
class AuditRow:
    at: datetime
    actor: str
    order: str  # the order number, or the record changed ("setting shop.hours", "site 12")
    kind: str
    from_status: str | None
    to_status: str | None
    detail: str | None
    on_behalf_of: str | None = None
    before: dict[str, Any] | None = field(default=None)
    after: dict[str, Any] | None = field(default=None)

    @property
    def who(self) -> str:
        """ "Dana on behalf of jsmith", or just the actor."""
        return who_text(self.actor, self.on_behalf_of)

    @property
    def change(self) -> str:
        """The change in words: "open -> scheduled", or "rate $42.00 -> $45.00"."""
        if self.to_status:
            return f"{self.from_status or ''} -> {self.to_status}"
        if self.before is not None and self.after is not None:
            return "; ".join(changed_fields(self.before, self.after))
        return ""


def record_kind(text: str) -> str:
    """A kind of record as stored ("time entry" -> "time_entry")."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def _as_id(ref: str) -> int:
    """A record's id as typed, or -1 (no record) for text or a number no id can be (a
    20-digit `--record` was "out of range" from the database)."""
    return int(ref) if ref.isdigit() and len(ref) <= 18 else -1


def _filtered(stmt, model, actor: str | None, since: datetime | None, limit: int | None):
    """The history rows where `actor` acted (themselves or from their phone) or was acted
    for (`--as`), at or after `since`, at most `limit` of them (the same filters for every
    history)."""
    if actor:
        stmt = stmt.where(or_(model.actor == actor, model.actor == phone_actor(actor),
                              model.on_behalf_of == actor))  # fmt: skip
    if since:
        stmt = stmt.where(model.at >= since)
    return stmt.limit(limit) if limit else stmt


def audit_log(
    session: Session,
    *,
    order_id: int | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = 500,
    kind: str | None = None,
    ref: str | None = None,
) -> list[AuditRow]:
    """The history, oldest first: one order's (`order_id`), or the newest `limit` events
    of everything; `kind` keeps one kind of record ("order", "technician", "time entry"),
    `ref` (with a kind other than order) one record of it."""
    entity = record_kind(kind) if kind else None
    if entity == "customer":
        return customer_rows(session, ref=ref, actor=actor, since=since, limit=limit)[::-1]
    if entity in STOCK_KINDS:
        return stock_rows(session, ref=ref, actor=actor, since=since, limit=limit)[::-1]
    if entity not in (None, "order"):
        rows = change_rows(session, entity=entity, ref=ref, actor=actor, since=since, limit=limit)
        return rows[::-1]
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
    stmt = _filtered(stmt, OrderEvent, actor, since, limit)
    rows = [
        AuditRow(e.at, e.actor, number, e.kind, e.from_status, e.to_status, e.detail,
                 e.on_behalf_of)
        for e, number in session.exec(stmt)
    ]  # fmt: skip
    if (
        newest_first and entity is None
    ):  # the whole log: record changes too, newest `limit` of both together
        rows += change_rows(session, actor=actor, since=since, limit=limit)
        rows += customer_rows(session, actor=actor, since=since, limit=limit)
        rows += stock_rows(session, actor=actor, since=since, limit=limit)
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
    """Changes to records that are not orders, newest first."""
    stmt = select(ChangeEvent).order_by(col(ChangeEvent.at).desc(), col(ChangeEvent.id).desc())
    if entity:
        stmt = stmt.where(ChangeEvent.entity == entity)
    if ref is not None:
        stmt = stmt.where(ChangeEvent.ref == ref)
    stmt = _filtered(stmt, ChangeEvent, actor, since, limit)
    rows = []
    for e in session.exec(stmt):
        data = json.loads(e.data) if e.data else {}
        rows.append(
            AuditRow(e.at, e.actor, f"{e.entity.replace('_', ' ')} {e.ref}", e.kind, None, None,
                     e.detail, e.on_behalf_of, data.get("before"), data.get("after"))
        )  # fmt: skip
    return rows


def customer_rows(
    session: Session,
    *,
    ref: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = 500,
) -> list[AuditRow]:
    """Customers' own history (added, edited, merged, assets and contacts), newest first."""
    from svcdesk.models import CustomerEvent

    stmt = select(CustomerEvent).order_by(
        col(CustomerEvent.at).desc(), col(CustomerEvent.id).desc()
    )
    if ref is not None:
        stmt = stmt.where(CustomerEvent.customer_id == _as_id(ref))
    stmt = _filtered(stmt, CustomerEvent, actor, since, limit)
    return [
        AuditRow(e.at, e.actor, f"customer {e.customer_id}", e.kind, None, None, e.detail,
                 e.on_behalf_of)
        for e in session.exec(stmt)
    ]  # fmt: skip


STOCK_KINDS = ("stock", "stock_move", "stock_moves")
MOVE_WORDS = {"receive": "received", "transfer": "transferred", "consume": "used on a job",
              "adjust": "count adjusted", "return": "returned"}  # fmt: skip


def stock_rows(session: Session, *, ref: str | None = None, **filters: Any) -> list[AuditRow]:
    """The stock ledger's moves, newest first: what moved, how many, from where to where,
    why, and who (`ref`: one part, by SKU or id; `filters`: actor, since and limit as
    `_filtered` takes them)."""
    from sqlalchemy import select as select_rows
    from sqlalchemy.orm import aliased

    from svcdesk.models.inventory import Part, StockLocation, StockMove
    from svcdesk.services.common.quantity import fmt_qty

    src, dst = aliased(StockLocation), aliased(StockLocation)
    stmt = (
        select_rows(
            StockMove,
            col(Part.sku),
            col(Part.name),
            col(Part.unit),
            col(src.name),
            col(dst.name),
            col(WorkOrder.number),
        )  # fmt: skip
        .join(Part, col(Part.id) == col(StockMove.part_id))
        .outerjoin(src, col(src.id) == col(StockMove.from_location_id))
        .outerjoin(dst, col(dst.id) == col(StockMove.to_location_id))
        .outerjoin(WorkOrder, col(WorkOrder.id) == col(StockMove.order_id))
        .order_by(col(StockMove.at).desc(), col(StockMove.id).desc())
    )
    if ref is not None:
        by_id = col(Part.id) == _as_id(ref)
        stmt = stmt.where(or_(col(Part.sku) == ref, by_id))
    stmt = _filtered(stmt, StockMove, **filters)
    rows = []
    for move, sku, name, unit, from_name, to_name, number in session.execute(stmt):
        where = " -> ".join(n for n in (from_name, to_name) if n)
        detail = f"{fmt_qty(move.qty_milli)} {unit} {name}, {where}" + "".join(
            f"{sep}{v}" for sep, v in ((": ", move.reason), (", ref ", move.reference),
                                       (", for ", number)) if v
        )  # fmt: skip
        rows.append(
            AuditRow(move.at, move.actor, f"stock {sku}", MOVE_WORDS.get(move.kind, move.kind),
                     None, None, detail, move.on_behalf_of)
        )  # fmt: skip
    return rows
