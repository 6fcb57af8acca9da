"""The closeout queue: completed orders missing something billing needs.

Problems (code -> what fixes it):
- `no_time`      no time entries on the order           -> `svcdesk time add`
- `no_outcome`   a completed visit without an outcome     -> `svcdesk visits outcome`
- `checklist`    required checklist items unanswered     -> `svcdesk checklist answer`
- `no_signature` the customer requires sign-off, none    -> `svcdesk attach sign`
- `no_parts`     no parts recorded and not declared none -> `svcdesk stock use` / `--none`
Oldest completion first, so the queue is worked in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.models import Customer, OrderEvent, OrderStatus, Visit, VisitStatus, WorkOrder
from svcdesk.models.execution import (
    ChecklistTemplateItem,
    Signature,
    TimeEntry,
    VisitChecklist,
    VisitChecklistAnswer,
)
from svcdesk.models.inventory import PartUsage
from svcdesk.services.common.timefmt import iso

FIXES = {
    "no_time": ("time", "svcdesk time add --tech NAME --order {n} --kind work --start .. --end .."),
    "no_outcome": ("outcome", "svcdesk visits outcome {n} fixed --work '...'"),
    "checklist": ("checklist", "svcdesk checklist answer {n} ITEM VALUE"),
    "no_signature": ("signature", "svcdesk attach sign {n} --signer NAME"),
    "no_parts": ("parts", "svcdesk stock use {n} SKU QTY  (or: svcdesk stock use {n} --none)"),
}
LABELS = {
    "no_time": "no time entries",
    "no_outcome": "visit without outcome",
    "checklist": "checklist unanswered",
    "no_signature": "no signature",
    "no_parts": "parts not recorded",
}


@dataclass
class CloseoutRow:
    order_id: int
    number: str
    customer: str
    summary: str
    completed_at: datetime | None
    problems: list[str] = field(default_factory=list)

    def fix_hint(self, problem: str) -> str:
        return FIXES[problem][1].format(n=self.number)

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "customer": self.customer,
            "summary": self.summary,
            "completed_at": iso(self.completed_at),
            "problems": [
                {"code": p, "label": LABELS[p], "fix": self.fix_hint(p)} for p in self.problems
            ],
        }


def _ids(session: Session, stmt) -> set[int]:
    return set(session.exec(stmt).all())


def closeout_queue(session: Session, *, order_id: int | None = None) -> list[CloseoutRow]:
    stmt = (
        select(WorkOrder, Customer)
        .join(Customer, col(Customer.id) == col(WorkOrder.customer_id))
        .where(WorkOrder.status == OrderStatus.COMPLETED.value)
        .order_by(col(WorkOrder.completed_at), col(WorkOrder.id))
    )
    if order_id is not None:
        stmt = stmt.where(WorkOrder.id == order_id)
    orders = session.exec(stmt).all()
    if not orders:
        return []
    ids = [o.id for o, _ in orders]
    with_time = _ids(session, select(TimeEntry.order_id).where(col(TimeEntry.order_id).in_(ids)))
    no_outcome = _ids(
        session,
        select(Visit.order_id).where(
            col(Visit.order_id).in_(ids),
            Visit.status == VisitStatus.COMPLETED.value,
            col(Visit.outcome).is_(None),
        ),
    )
    signed = _ids(session, select(Signature.order_id).where(col(Signature.order_id).in_(ids)))
    with_parts = _ids(session, select(PartUsage.order_id).where(col(PartUsage.order_id).in_(ids)))
    none_declared = _ids(
        session,
        select(OrderEvent.order_id).where(
            col(OrderEvent.order_id).in_(ids), OrderEvent.kind == "no_parts"
        ),
    )
    required = session.exec(
        select(Visit.order_id, Visit.id, ChecklistTemplateItem.id)
        .join(VisitChecklist, col(VisitChecklist.visit_id) == col(Visit.id))
        .join(
            ChecklistTemplateItem,
            col(ChecklistTemplateItem.template_id) == VisitChecklist.template_id,
        )
        .where(col(Visit.order_id).in_(ids), ChecklistTemplateItem.required == True)  # noqa: E712
    ).all()
    answered = set(
        session.exec(
            select(VisitChecklistAnswer.visit_id, VisitChecklistAnswer.item_id)
            .join(Visit, col(Visit.id) == col(VisitChecklistAnswer.visit_id))
            .where(col(Visit.order_id).in_(ids))
        ).all()
    )
    unanswered = {oid for oid, vid, iid in required if (vid, iid) not in answered}
    rows = []
    for order, customer in orders:
        problems = []
        if order.id not in with_time:
            problems.append("no_time")
        if order.id in no_outcome:
            problems.append("no_outcome")
        if order.id in unanswered:
            problems.append("checklist")
        if customer.requires_signature and order.id not in signed:
            problems.append("no_signature")
        if order.id not in with_parts and order.id not in none_declared:
            problems.append("no_parts")
        if problems:
            rows.append(
                CloseoutRow(
                    order.id,
                    order.number,
                    customer.name,
                    order.summary,
                    order.completed_at,
                    problems,
                )
            )
    return rows
