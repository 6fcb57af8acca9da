"""Follow-up tasks after completion (callback, inspection, review request) with due dates.

On completion the tasks named by setting `followup.plan` ("callback:2,review_request:5" =
kind:days after completion) are created; more can be added by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Customer, WorkOrder
from svcdesk.models.followup import FollowUp, FollowUpKind
from svcdesk.services.common import events
from svcdesk.services.common.choices import parse_choice
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import get_setting, shop_zone
from svcdesk.services.common.timefmt import fmt, iso
from svcdesk.services.common.words import status_words
from svcdesk.services.messages import triggers

MAX_DAYS = 365  # (nan, inf or 1e308 days ended every later completion in a traceback)


def parse_plan(text: str | None) -> list[tuple[FollowUpKind, float]]:
    plan = []
    for item in filter(None, (p.strip() for p in (text or "").split(","))):
        try:
            kind, days = item.split(":")
            plan.append((FollowUpKind(kind.strip()), float(days)))
        except ValueError:
            raise InvalidInput(
                f"followup.plan: {item!r} is not like callback:2 (kind:days; kinds: "
                + ", ".join(k.value for k in FollowUpKind)
                + ")"
            ) from None
        if not 0 <= plan[-1][1] <= MAX_DAYS:  # (False for nan)
            raise InvalidInput(
                f"followup.plan: {item!r}: the days after completion must be a number from "
                f"0 to {MAX_DAYS}"
            )
    return plan


MAX_AHEAD_DAYS = 5 * 365  # a follow-up years ahead is a typo (year 9999 was accepted)


def add_followup(
    session: Session,
    order: WorkOrder,
    kind: str,
    due_at: datetime,
    *,
    note: str | None = None,
    actor: str = "system",
) -> FollowUp:
    k = parse_choice(FollowUpKind, kind, "kind", "callback")
    if due_at > now() + timedelta(days=MAX_AHEAD_DAYS):
        due_words = fmt(due_at, shop_zone(session), "%Y-%m-%d")
        raise InvalidInput(
            f"due: {due_words} is more than {MAX_AHEAD_DAYS // 365} years ahead; "
            "a follow-up falls due sooner"
        )
    row = FollowUp(order_id=order.id, kind=k.value, due_at=due_at, note=note)
    session.add(row)
    session.flush()
    due_words = fmt(due_at, shop_zone(session), "%a %b %d %H:%M")  # shop time, as shown
    events.record(session, order, "followup", f"{status_words(k)} due {due_words}", actor=actor)
    events.record_change(session, "follow_up", row.id, "created", actor=actor,
                         after=_words(session, row, order))  # fmt: skip
    if k == FollowUpKind.REVIEW_REQUEST:
        triggers.review(session, order, due_at, actor=actor)
    return row


def on_completed(session: Session, order: WorkOrder) -> list[FollowUp]:
    at = now()
    return [
        add_followup(session, order, kind.value, at + timedelta(days=days))
        for kind, days in parse_plan(get_setting(session, "followup.plan"))
    ]


def complete(
    session: Session, followup_id: int, *, note: str | None = None, actor: str = "dispatcher"
) -> FollowUp:
    row = session.get(FollowUp, followup_id)
    if row is None:
        raise NotFound(f"follow-up {followup_id} not found")
    if row.done_at is not None:
        raise InvalidInput(f"follow-up {followup_id} is already done")
    order = must_get(session, WorkOrder, row.order_id)
    before = _words(session, row, order)
    row.done_at, row.done_by = now(), actor
    if note:
        row.note = note
    done = f"{status_words(row.kind)} done" + (f": {note}" if note else "")
    events.record(session, order, "followup", done, actor=actor)
    events.record_change(session, "follow_up", row.id, "done", actor=actor, before=before,
                         after=_words(session, row, order))  # fmt: skip
    session.flush()
    return row


def _words(session: Session, row: FollowUp, order: WorkOrder) -> dict:
    """A follow-up's audited fields, in words (`events.record_change`)."""
    zone = shop_zone(session)
    return {
        "order": order.number, "kind": status_words(row.kind), "due": fmt(row.due_at, zone),
        "done": f"{fmt(row.done_at, zone)} by {row.done_by}" if row.done_at else False,
        "note": row.note,
    }  # fmt: skip


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    number: str
    customer: str
    kind: str
    due_at: datetime
    done_at: datetime | None
    overdue: bool
    note: str | None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "number": self.number,
            "customer": self.customer,
            "kind": self.kind,
            "due_at": iso(self.due_at),
            "done_at": iso(self.done_at),
            "overdue": self.overdue,
            "note": self.note,
        }


def list_followups(
    session: Session, *, include_done: bool = False, overdue_only: bool = False, limit: int = 500
) -> list[FollowUpRow]:
    at = now()
    stmt = (
        select(FollowUp, WorkOrder.number, Customer.name)
        .join(WorkOrder, col(WorkOrder.id) == col(FollowUp.order_id))
        .join(Customer, col(Customer.id) == col(WorkOrder.customer_id))
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
        .limit(limit)
    )
    if not include_done:
        stmt = stmt.where(col(FollowUp.done_at).is_(None))
    if overdue_only:
        stmt = stmt.where(col(FollowUp.done_at).is_(None), FollowUp.due_at < at)
    return [
        FollowUpRow(
            f.id,
            number,
            name,
            f.kind,
            f.due_at,
            f.done_at,
            f.done_at is None and f.due_at < at,
            f.note,
        )  # fmt: skip
        for f, number, name in session.exec(stmt)
    ]
