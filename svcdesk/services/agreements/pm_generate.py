"""`pm generate`: create the maintenance orders that plans have due up to a date.

Idempotent by construction: each date a plan produces is first claimed by inserting a
`plan_occurrence` row with `ON CONFLICT DO NOTHING` on the unique key (plan, rule date)
(and (plan, working date)); an order is created only for the rows this run actually
inserted. A re-run, or a second generator running at the same moment in another process,
finds the key taken and skips it. All of it happens in the caller's one transaction."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.models import OrderEvent, OrderKind, OrderSource, OrderStatus, Priority, WorkOrder
from svcdesk.models.agreements import (
    Agreement,
    AgreementStatus,
    MaintenancePlan,
    OrderSla,
    PlanAnchor,
    PlanOccurrence,
)
from svcdesk.services.agreements.pm_plans import DONE, checklist_lines, zone_of
from svcdesk.services.agreements.sla import Clocks, Policy, due_times, policy_table
from svcdesk.services.common import recurrence, sequences
from svcdesk.services.common.workcal import WorkCalendar, shop_calendar

CHUNK = 2000
RANK = {p.value: p.rank for p in Priority}


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
        select(
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
        .join(Agreement, Agreement.id == MaintenancePlan.agreement_id)
        .where(col(MaintenancePlan.active).is_(True),
               Agreement.status == AgreementStatus.ACTIVE.value)
        .order_by(MaintenancePlan.id)
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
    for start in range(0, len(wanted), CHUNK):
        _create_chunk(session, wanted[start : start + CHUNK], calendars, result, actor)
    return result


def _create_chunk(session, chunk, calendars, result: GenerateResult, actor: str) -> None:
    at = now()
    rows = [{"plan_id": p.id, "occurs_on": nominal, "due_on": due, "created_at": at}
            for p, _, nominal, due in chunk]  # fmt: skip
    conn = session.connection()  # Core executemany: one compiled statement per table
    occ = PlanOccurrence.__table__
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
    for plan, agreement, nominal, due in chunk:
        if (plan.id, nominal) in claimed:
            mine.append((plan, agreement, nominal, due, claimed[(plan.id, nominal)]))
        else:
            result.skipped.append(Item(plan.id, agreement.number, due, nominal, reason="exists"))
    if not mine:
        return
    first = sequences.next_value(session, "SO", len(mine))
    clocks = Clocks(session)
    policies = policy_table(session, {(p.priority, a.id) for p, a, *_ in mine})
    dues: dict[tuple[Policy, datetime], tuple[datetime, datetime]] = {}
    orders, slas, checklists = [], [], {}
    for n, (plan, agreement, nominal, due, _occ) in enumerate(mine):
        span = calendars[plan.timezone].day_span(due)
        window_start, window_end = span if span else (None, None)
        policy = policies[(plan.priority, agreement.id)]
        start = max(window_start, at) if window_start else at
        if (policy, start) not in dues:
            dues[(policy, start)] = due_times(policy, start, clocks)
        response_due, resolution_due = dues[(policy, start)]
        if plan.id not in checklists:
            lines = checklist_lines(plan)
            checklists[plan.id] = (
                ("Checklist:\n" + "\n".join(f"- {c}" for c in lines)) if lines else None
            )
        orders.append({
            "number": sequences.format_number("SO", first + n),
            "customer_id": agreement.customer_id, "site_id": plan.site_id,
            "asset_id": plan.asset_id, "agreement_id": agreement.id,
            "kind": OrderKind.MAINTENANCE.value, "priority": plan.priority,
            "priority_rank": RANK[plan.priority], "status": OrderStatus.NEW.value,
            "summary": plan.summary,
            "description": checklists[plan.id],
            "skill_id": plan.skill_id, "est_minutes": plan.est_minutes,
            "window_start": window_start, "window_end": window_end, "sla_due": response_due,
            "source": OrderSource.AGREEMENT.value, "external_ref": f"PM-{plan.id}-{nominal.isoformat()}",
            "created_at": at, "updated_at": at, "version": 1,
        })  # fmt: skip
        slas.append((policy, start, response_due, resolution_due))
    wo = WorkOrder.__table__
    ids = {
        number: oid
        for oid, number in conn.execute(insert(wo).returning(wo.c.id, wo.c.number), orders)
    }
    events, sla_rows, links = [], [], []
    for n, (plan, agreement, nominal, due, occ_id) in enumerate(mine):
        order_id = ids[orders[n]["number"]]
        policy, start, response_due, resolution_due = slas[n]
        links.append({"occ_id": occ_id, "oid": order_id})
        events.append({"order_id": order_id, "at": at, "actor": actor, "kind": "created",
                       "to_status": OrderStatus.NEW.value,
                       "detail": f"maintenance due {due.isoformat()} from plan {plan.id} ({agreement.number})",
                       "data": json.dumps({"source": "agreement", "plan_id": plan.id,
                                           "rule_date": nominal.isoformat()}, sort_keys=True)})  # fmt: skip
        sla_rows.append({"order_id": order_id, "policy": policy.source, "clock": policy.clock,
                         "started_at": start, "response_minutes": policy.response_minutes,
                         "resolution_minutes": policy.resolution_minutes,
                         "response_due": response_due, "resolution_due": resolution_due,
                         "paused_seconds": 0})  # fmt: skip
        result.created.append(Item(plan.id, agreement.number, due, nominal, orders[n]["number"]))
    conn.execute(
        update(occ).where(occ.c.id == bindparam("occ_id")).values(order_id=bindparam("oid")),
        links,
    )
    conn.execute(insert(OrderEvent.__table__), events)
    conn.execute(insert(OrderSla.__table__), sla_rows)
