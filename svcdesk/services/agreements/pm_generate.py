"""`pm generate`: create the maintenance orders that plans have due up to a date.

Idempotent by construction: each date a plan produces is first claimed by inserting a
`plan_occurrence` row with `ON CONFLICT DO NOTHING` on the unique key (plan, rule date)
(and (plan, working date)); an order is created only for the rows this run actually
inserted. A re-run, or a second generator running at the same moment in another process,
finds the key taken and skips it. All of it happens in the caller's one transaction.

The orders themselves are intake requests placed under the agreement, written by batch
intake's writer (`intake_io.batch.BatchWriter.write_placed`): the same rows, `created`
event, SLA clock and creation hook as any other order (a test pins them equal to
`intake.create_order`'s)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput
from svcdesk.models import OrderKind, OrderSource, OrderStatus, Skill, WorkOrder
from svcdesk.models.agreements import (
    Agreement,
    AgreementStatus,
    MaintenancePlan,
    PlanAnchor,
    PlanOccurrence,
)
from svcdesk.models.base import table_of
from svcdesk.services.agreements.pm_plans import DONE, checklist_lines, zone_of
from svcdesk.services.common import recurrence
from svcdesk.services.common.workcal import WorkCalendar, shop_calendar
from svcdesk.services.orders.intake import IntakeRequest, validate
from svcdesk.services.orders.intake_io.batch import BatchWriter

CHUNK = 2000


@dataclass(frozen=True)
class Item:
    plan_id: int
    agreement: str
    due_on: date
    rule_date: date
    order: str | None = None
    reason: str | None = None

    def to_json(self) -> dict:
        return {
            "plan_id": self.plan_id,
            "agreement": self.agreement,
            "due_on": self.due_on.isoformat(),
            "rule_date": self.rule_date.isoformat(),
            "order": self.order,
            "reason": self.reason,
        }


@dataclass
class GenerateResult:
    through: date
    dry_run: bool
    created: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "through": self.through.isoformat(),
            "dry_run": self.dry_run,
            "created": [i.to_json() for i in self.created],
            "skipped": [i.to_json() for i in self.skipped],
        }


def insert_skip_duplicates(session: Session, table):
    """INSERT that skips rows violating a unique key (SQLite and PostgreSQL)."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return insert(table)


def _existing(session: Session, plan_ids: list[int]) -> dict[int, dict]:
    """Per plan: taken rule dates and working dates, and the state of its latest order."""
    seen: dict[int, dict] = defaultdict(lambda: {"rule": set(), "due": set(), "open": False,
                                                 "cancelled_after": None, "completed": None})  # fmt: skip
    stmt = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
            PlanOccurrence.plan_id,
            PlanOccurrence.occurs_on,
            PlanOccurrence.due_on,
            WorkOrder.status,
            WorkOrder.completed_at,
        )
        .join(WorkOrder, WorkOrder.id == PlanOccurrence.order_id, isouter=True)
        .where(col(PlanOccurrence.plan_id).in_(plan_ids))
    )
    for start in range(0, len(plan_ids), 900):
        chunk = plan_ids[start : start + 900]
        for plan_id, occurs_on, due_on, status, completed_at in session.exec(
            stmt.where(col(PlanOccurrence.plan_id).in_(chunk))
        ):
            info = seen[plan_id]
            info["rule"].add(occurs_on)
            info["due"].add(due_on)
            if status == OrderStatus.CANCELLED.value:
                prev = info["cancelled_after"]
                info["cancelled_after"] = max(prev, occurs_on) if prev else occurs_on
            elif status in DONE and completed_at is not None:
                prev = info["completed"]
                info["completed"] = max(prev, completed_at) if prev else completed_at
            elif status is not None:
                info["open"] = True
    return seen


def _candidates(plan: MaintenancePlan, agreement: Agreement, cal: WorkCalendar,
                info: dict, through: date) -> tuple[list[tuple[date, date]], list[Item]]:  # fmt: skip
    skipped: list[Item] = []
    if plan.anchor == PlanAnchor.COMPLETED.value:
        if info["open"]:
            return [], skipped  # the next date follows the completion of the open visit
        after = info["completed"].astimezone(cal.zone).date() if info["completed"] else None
        if info["cancelled_after"] and (after is None or info["cancelled_after"] > after):
            after = info["cancelled_after"]
        if after is None:
            pairs = recurrence.working_dates(plan.rrule, plan.starts_on, cal.next_working_day,
                                             not_before=plan.generate_from, through=through)  # fmt: skip
            pairs = pairs[:1]
        else:
            pairs = recurrence.working_dates(plan.rrule, after, cal.next_working_day, after=after,
                                             not_before=plan.generate_from, through=through, count=1)  # fmt: skip
    else:
        pairs = recurrence.working_dates(plan.rrule, plan.starts_on, cal.next_working_day,
                                         not_before=plan.generate_from, through=through)  # fmt: skip
    fresh = []
    for nominal, due in pairs:
        if nominal in info["rule"] or due in info["due"]:
            skipped.append(Item(plan.id, agreement.number, due, nominal, reason="exists"))
        elif due > agreement.ends_on and not agreement.auto_renew:
            skipped.append(
                Item(plan.id, agreement.number, due, nominal, reason="after agreement end")
            )
        else:
            fresh.append((nominal, due))
    return fresh, skipped


def generate(
    session: Session,
    through: date,
    *,
    dry_run: bool = False,
    plan_ids: list[int] | None = None,
    actor: str = "pm-generator",
) -> GenerateResult:
    """Create the orders due up to `through` (inclusive) for every active plan of every
    active agreement. Returns what was created and what was skipped (and why)."""
    result = GenerateResult(through, dry_run)
    stmt = (
        select(MaintenancePlan, Agreement)
        .join(Agreement, col(Agreement.id) == col(MaintenancePlan.agreement_id))
        .where(col(MaintenancePlan.active).is_(True),
               Agreement.status == AgreementStatus.ACTIVE.value)
        .order_by(col(MaintenancePlan.id))
    )  # fmt: skip
    if plan_ids:
        stmt = stmt.where(col(MaintenancePlan.id).in_(plan_ids))
    pairs = session.exec(stmt).all()
    seen = _existing(session, [p.id for p, _ in pairs])
    calendars: dict[str | None, WorkCalendar] = {}
    wanted: list[tuple[MaintenancePlan, Agreement, date, date]] = []
    for plan, agreement in pairs:
        if plan.timezone not in calendars:
            calendars[plan.timezone] = shop_calendar(session, zone_of(session, plan.timezone))
        fresh, skipped = _candidates(
            plan, agreement, calendars[plan.timezone], seen[plan.id], through
        )
        result.skipped += skipped
        wanted += [(plan, agreement, nominal, due) for nominal, due in fresh]
    if dry_run:
        result.created = [Item(p.id, a.number, due, nominal) for p, a, nominal, due in wanted]
        return result
    if not wanted:
        return result
    skills = dict(session.exec(select(Skill.id, Skill.code)).all())
    writer = BatchWriter(session, actor=actor)  # the rows and hooks of batch intake
    try:
        for start in range(0, len(wanted), CHUNK):
            _create_chunk(session, writer, wanted[start : start + CHUNK], calendars, skills,
                          result)  # fmt: skip
    finally:
        writer.close()
    return result


def _request(plan: MaintenancePlan, agreement: Agreement, nominal: date, cal: WorkCalendar,
             due: date, skills: dict[int, str], checklist: str | None) -> IntakeRequest:  # fmt: skip
    """The order a plan's date stands for, as an intake request placed under the agreement
    (intake then does what it does for any order: number, SLA clock, `created` event)."""
    span = cal.day_span(due)
    return IntakeRequest(
        summary=plan.summary,
        customer_id=agreement.customer_id,
        site_id=plan.site_id,
        asset_id=plan.asset_id,
        agreement_id=agreement.id,
        description=checklist,
        priority=plan.priority,
        skill=skills[plan.skill_id] if plan.skill_id is not None else None,
        est_minutes=plan.est_minutes,
        window_start=span[0] if span else None,
        window_end=span[1] if span else None,
        source=OrderSource.AGREEMENT.value,
        kind=OrderKind.MAINTENANCE.value,
        external_ref=f"PM-{plan.id}-{nominal.isoformat()}",
    )


def _checklist(plan: MaintenancePlan) -> str | None:
    lines = checklist_lines(plan)
    return ("Checklist:\n" + "\n".join(f"- {c}" for c in lines)) if lines else None


def _create_chunk(
    session: Session,
    writer: BatchWriter,
    chunk: list[tuple[MaintenancePlan, Agreement, date, date]],
    calendars: dict[str | None, WorkCalendar],
    skills: dict[int, str],
    result: GenerateResult,
) -> None:
    """Claim the chunk's dates, then create their orders through batch intake (an order a
    rule would refuse, e.g. a summary too long for an order, is skipped with the reason)."""
    checklists: dict[int, str | None] = {}
    todo = []
    for plan, agreement, nominal, due in chunk:
        if plan.id not in checklists:
            checklists[plan.id] = _checklist(plan)
        cal = calendars[plan.timezone]
        req = _request(plan, agreement, nominal, cal, due, skills, checklists[plan.id])
        try:
            validate(req)
        except InvalidInput as exc:
            result.skipped.append(Item(plan.id, agreement.number, due, nominal,
                                       reason=f"plan {plan.id}: {exc.message}"))  # fmt: skip
            continue
        todo.append((plan, agreement, nominal, due, req))
    if not todo:
        return
    at = writer.created
    rows = [{"plan_id": p.id, "occurs_on": nominal, "due_on": due, "created_at": at}
            for p, _, nominal, due, _ in todo]  # fmt: skip
    conn = session.connection()  # Core executemany: one compiled statement per table
    occ = table_of(PlanOccurrence)
    claimed = {
        (r.plan_id, r.occurs_on): r.id
        for r in conn.execute(
            insert_skip_duplicates(session, occ).returning(
                occ.c.id, occ.c.plan_id, occ.c.occurs_on
            ),
            rows,
        )
    }
    mine = []
    for plan, agreement, nominal, due, req in todo:
        if (plan.id, nominal) in claimed:
            mine.append((plan, agreement, nominal, due, req, claimed[(plan.id, nominal)]))
        else:
            result.skipped.append(Item(plan.id, agreement.number, due, nominal, reason="exists"))
    if not mine:
        return
    numbers, ids = writer.write_placed([m[4] for m in mine])
    links = []
    for (plan, agreement, nominal, due, _req, occ_id), number, order_id in zip(
        mine, numbers, ids, strict=True
    ):
        links.append({"occ_id": occ_id, "oid": order_id})
        result.created.append(Item(plan.id, agreement.number, due, nominal, number))
    conn.execute(
        update(occ).where(occ.c.id == bindparam("occ_id")).values(order_id=bindparam("oid")),
        links,
    )
