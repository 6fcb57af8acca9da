"""Read model of what happened on an order in the field (for `visits show` and the TUI):
plain data, no live ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.models import Technician, WorkOrder
from svcdesk.models.execution import TimeEntry
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.timefmt import iso
from svcdesk.services.execution import attachments, checklists
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.inventory import part_usage
from svcdesk.services.orders import scheduling


def _jsonable(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@dataclass
class ExecutionDetail:
    number: str
    status: str
    visits: list[dict] = field(default_factory=list)
    time: list[dict] = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)
    checklist: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return _jsonable(
            {
                "number": self.number,
                "status": self.status,
                "visits": self.visits,
                "time": self.time,
                "parts": self.parts,
                "checklist": self.checklist,
                "attachments": self.attachments,
                "signatures": self.signatures,
            }
        )


def execution_detail(session: Session, order: WorkOrder) -> ExecutionDetail:
    d = ExecutionDetail(order.number, order.status)
    visits = scheduling.order_visits(session, order.id)
    for v in visits:
        d.visits.append(
            {
                "id": v.id,
                "status": v.status,
                "starts_at": v.starts_at,
                "en_route_at": v.en_route_at,
                "arrived_at": v.arrived_at,
                "departed_at": v.departed_at,
                "outcome": v.outcome,
                "work_performed": v.work_performed,
                "crew": [f"{t.name} ({role})" for t, role in vp.crew(session, v)],
            }
        )
        for line in checklists.visit_lines(session, v.id):
            d.checklist.append({"visit_id": v.id, **line.to_json()})
    names = {t.id: t.name for t in session.exec(select(Technician))}
    for t in session.exec(
        select(TimeEntry)
        .where(col(TimeEntry.order_id) == order.id)
        .order_by(col(TimeEntry.starts_at))
    ):
        minutes = int((t.ends_at - t.starts_at).total_seconds() // 60) if t.ends_at else None
        d.time.append(
            {
                "id": t.id,
                "technician": names.get(t.technician_id, "?"),
                "visit_id": t.visit_id,
                "kind": t.kind,
                "starts_at": t.starts_at,
                "ends_at": t.ends_at,
                "minutes": minutes,
                "source": t.source,
                "approved": t.approved,
            }
        )
    for u, p, loc in part_usage.order_usages(session, order.id):
        d.parts.append(
            {
                "id": u.id,
                "visit_id": u.visit_id,
                "sku": p.sku,
                "name": p.name,
                "qty": fmt_qty(u.qty_milli),
                "qty_milli": u.qty_milli,
                "unit": p.unit,
                "location": loc,
                "unit_price": fmt_money(u.unit_price_cents),
                "unit_price_cents": u.unit_price_cents,
                "unit_cost_cents": u.unit_cost_cents,
                "warranty": u.warranty,
            }
        )
    for a in attachments.order_attachments(session, order.id):
        d.attachments.append(
            {
                "id": a.id,
                "visit_id": a.visit_id,
                "kind": a.kind,
                "filename": a.filename,
                "size_bytes": a.size_bytes,
                "sha256": a.sha256,
                "caption": a.caption,
                "added_at": a.added_at,
            }
        )
    for s in attachments.order_signatures(session, order.id):
        d.signatures.append(
            {
                "signer": s.signer_name,
                "signed_at": s.signed_at,
                "visit_id": s.visit_id,
                "attachment_id": s.attachment_id,
            }
        )
    return d
