"""SLA state of open orders: time left on the active target, at-risk and breached flags
(read side of services/agreements/sla.py; what the board, `svcdesk sla` and the alerts use)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from svcdesk.clock import now
from svcdesk.models import OPEN_STATUSES, Customer, WorkOrder
from svcdesk.models.agreements import OrderSla, SlaClock
from svcdesk.models.base import table_of
from svcdesk.services.agreements.sla import Clocks
from svcdesk.services.common.settings import get_setting
from svcdesk.services.common.timefmt import fmt, iso

OK, AT_RISK, BREACHED, PAUSED, MET, MISSED = "ok", "at_risk", "breached", "paused", "met", "missed"
CLOCK_WORD = {"response": "resp", "resolution": "fix"}  # the clock a label counts down
TARGET_WORD = {"response": "response", "resolution": "fix"}


@dataclass(frozen=True)
class SlaState:
    order_id: int
    target: str  # response | resolution
    due: datetime
    seconds_left: float  # in the clock's own time (business seconds for business clocks)
    total_seconds: float
    state: str  # ok, at_risk, breached, paused (on hold), met, missed (resolved)
    clock: str
    policy: str
    response_met: bool | None = None
    resolution_met: bool | None = None

    @property
    def percent_left(self) -> float:
        return 100.0 * self.seconds_left / self.total_seconds if self.total_seconds else 0.0

    @property
    def flagged(self) -> bool:
        return self.state in (AT_RISK, BREACHED)

    def label(self, at: datetime | None = None) -> str:
        """The SLA label of every screen, naming the clock it counts: 'resp 2h 10m' (to
        the response due moment), 'fix 1d 4h' (to the resolution due moment, once someone
        is on site), 'late 41m' (past the due moment of the clock now running), 'paused'
        (on hold), 'met'/'missed' (resolved). Calendar time, what a wall clock shows."""
        if self.state in (MET, MISSED):
            return self.state
        if self.state == PAUSED:
            return "paused"
        left = self.due - (at or now())
        if self.state == BREACHED or left <= timedelta(0):
            return f"late {span(-left)}"
        return f"{CLOCK_WORD.get(self.target, self.target)} {span(left)}"

    def to_json(self) -> dict:
        return {
            "order_id": self.order_id,
            "target": self.target,
            "due": iso(self.due),
            "seconds_left": int(self.seconds_left),
            "percent_left": round(self.percent_left, 1),
            "state": self.state,
            "clock": self.clock,
            "policy": self.policy,
            "response_met": self.response_met,
            "resolution_met": self.resolution_met,
        }


def span(delta: timedelta) -> str:
    """'2d 4h', '3h 05m', '12m' for a duration (its size: a negative one reads the same)."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


@dataclass(frozen=True)
class LateBooking:
    """A booking that would come after an SLA due moment (a warning, not a refusal)."""

    target: str  # response | resolution
    due: datetime
    late_by: timedelta

    def describe(self, zone) -> str:
        """'after the SLA response due Thu 01:21 by 11h 39m'"""
        word = TARGET_WORD.get(self.target, self.target)
        return f"after the SLA {word} due {fmt(self.due, zone, '%a %H:%M')} by {span(self.late_by)}"

    def warning(self, zone) -> str:
        """The line the assign dialog and the schedule grid's check line show."""
        return f"late for the SLA: {self.describe(zone)}"


@dataclass(frozen=True)
class SlaDues:
    """The due moments a booking is checked against (`late_booking`): the response due
    moment while nobody has responded (None after), and the resolution due moment."""

    response_due: datetime | None
    resolution_due: datetime


def sla_dues(session: Session, order_id: int) -> SlaDues | None:
    """The order's running SLA clock's due moments; None when the order has no SLA, when
    its clock is paused (on hold: the due moments move when it resumes) or resolved."""
    table = table_of(OrderSla)
    row: Any = session.execute(select(table).where(table.c.order_id == order_id)).first()
    if row is None:
        found = session.execute(
            select(col(WorkOrder.created_at), col(WorkOrder.sla_due)).where(
                col(WorkOrder.id) == order_id
            )
        ).first()
        if found is None or found[1] is None:
            return None
        row = _fallback(order_id, found[0], found[1])
    if row.resolved_at is not None or row.paused_at is not None:
        return None
    response_due = None if row.responded_at is not None else _aware(row.response_due)
    return SlaDues(response_due, _aware(row.resolution_due))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def late_booking(
    dues: SlaDues | None, starts_at: datetime, ends_at: datetime
) -> LateBooking | None:
    """THE rule for "is this booking past the SLA?", for the assign dialog (as the start is
    typed), the schedule grid's check line and the CLI: before anyone has responded the
    visit is late when it starts after the response due moment; the work is late when it
    ends after the resolution due moment (checked on either clock). None when in time or
    when there is nothing to check (`sla_dues` None)."""
    if dues is None:
        return None
    checks = [] if dues.response_due is None else [("response", dues.response_due, starts_at)]
    checks.append(("resolution", dues.resolution_due, ends_at))
    for target, due, at in checks:
        if at > due:
            return LateBooking(target, due, at - due)
    return None


def booking_past_sla(
    session: Session, order_id: int, starts_at: datetime, ends_at: datetime
) -> LateBooking | None:
    """Would a visit from `starts_at` to `ends_at` come after the order's SLA due time?
    (`late_booking` over the order's `sla_dues`.)"""
    return late_booking(sla_dues(session, order_id), starts_at, ends_at)


def at_risk_fraction(session: Session) -> float:
    raw = get_setting(session, "sla.at_risk_percent") or "25"
    try:
        return float(raw) / 100
    except ValueError:
        return 0.25


def state_of(row: OrderSla, at: datetime, clocks: Clocks, risk: float) -> SlaState:
    """Pure: the state of one clock at moment `at`."""
    counter = clocks.get(row.clock)
    if row.resolved_at is not None:
        state = MET if row.resolution_met and row.response_met is not False else MISSED
        return SlaState(
            row.order_id, "resolution", row.resolution_due, 0.0,
            row.resolution_minutes * 60.0, state, row.clock, row.policy,
            row.response_met, row.resolution_met,
        )  # fmt: skip
    responded = row.responded_at is not None
    target = "resolution" if responded else "response"
    due = row.resolution_due if responded else row.response_due
    total = (row.resolution_minutes if responded else row.response_minutes) * 60.0
    reference = row.paused_at or at
    left = counter.seconds_between(reference, due)
    if left < 0 or (left == 0 and reference >= due):
        state = BREACHED
    elif row.paused_at is not None:
        state = PAUSED
    elif left < risk * total:
        state = AT_RISK
    else:
        state = OK
    return SlaState(
        row.order_id, target, due, left, total, state, row.clock, row.policy,
        row.response_met, row.resolution_met,
    )  # fmt: skip


def _fallback(order_id: int, created: datetime, due: datetime) -> OrderSla:
    """Orders without a clock row (created before SLA clocks existed): calendar hours."""
    minutes = max(1, int((due - created).total_seconds() // 60))
    return OrderSla(
        order_id=order_id, policy="legacy", clock=SlaClock.CALENDAR.value, started_at=created,
        response_minutes=minutes, resolution_minutes=minutes, response_due=due,
        resolution_due=due,
    )  # fmt: skip


def states_for(session: Session, order_ids: list[int]) -> dict[int, SlaState]:
    """SLA state per order id (orders without any SLA are absent). For the board."""
    if not order_ids:
        return {}
    clocks, risk, at = Clocks(session), at_risk_fraction(session), now()
    result: dict[int, SlaState] = {}
    for chunk_start in range(0, len(order_ids), 900):
        chunk = order_ids[chunk_start : chunk_start + 900]
        table = table_of(OrderSla)  # plain rows (attribute access), no ORM objects: fast
        # order_sla rows, or for orders without one an unsaved OrderSla (same attributes)
        rows: dict[int, Any] = {
            r.order_id: r for r in session.execute(select(table).where(table.c.order_id.in_(chunk)))
        }
        missing = [i for i in chunk if i not in rows]
        if missing:
            for oid, created, due in session.execute(
                select(col(WorkOrder.id), col(WorkOrder.created_at), col(WorkOrder.sla_due)).where(
                    col(WorkOrder.id).in_(missing), col(WorkOrder.sla_due).is_not(None)
                )
            ):
                rows[oid] = _fallback(oid, created, due)
        for oid, row in rows.items():
            result[oid] = state_of(row, at, clocks, risk)
    return result


@dataclass(frozen=True)
class SlaRow:
    number: str
    customer: str
    priority: str
    status: str
    sla: SlaState

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "customer": self.customer,
            "priority": self.priority,
            "status": self.status,
            **self.sla.to_json(),
        }


def open_states(session: Session, *, at_risk: bool = False, breached: bool = False) -> list[SlaRow]:
    """Open orders with their SLA state, most urgent first; filtered when a flag is given."""
    stmt = (
        select(
            col(WorkOrder.id),
            col(WorkOrder.number),
            col(Customer.name),
            col(WorkOrder.priority),
            col(WorkOrder.status),
        )
        .join(Customer, col(Customer.id) == col(WorkOrder.customer_id))
        .where(col(WorkOrder.status).in_([s.value for s in OPEN_STATUSES]))
    )
    orders = session.execute(stmt).all()
    states = states_for(session, [o[0] for o in orders])
    wanted = {s for s, on in ((AT_RISK, at_risk), (BREACHED, breached)) if on}
    rows = [
        SlaRow(number, customer, priority, status, states[oid])
        for oid, number, customer, priority, status in orders
        if oid in states and (not wanted or states[oid].state in wanted)
    ]
    rows.sort(key=lambda r: (r.sla.due, r.number))
    return rows


@dataclass(frozen=True)
class Compliance:
    priority: str
    resolved: int
    response_met: int
    resolution_met: int

    def to_json(self) -> dict:
        def pct(n: int) -> float | None:
            return round(100.0 * n / self.resolved, 1) if self.resolved else None

        return {
            "priority": self.priority,
            "resolved": self.resolved,
            "response_met": self.response_met,
            "resolution_met": self.resolution_met,
            "response_pct": pct(self.response_met),
            "resolution_pct": pct(self.resolution_met),
        }


def compliance(session: Session, start: datetime, end: datetime) -> list[Compliance]:
    """Per priority: orders resolved in [start, end) and how many met each target."""
    from svcdesk.models import Priority

    rows = session.execute(
        select(col(WorkOrder.priority), col(OrderSla.response_met), col(OrderSla.resolution_met))
        .join(OrderSla, col(OrderSla.order_id) == col(WorkOrder.id))
        .where(col(OrderSla.resolved_at) >= start, col(OrderSla.resolved_at) < end)
    ).all()
    out = []
    for prio in Priority:
        mine = [r for r in rows if r[0] == prio.value]
        out.append(Compliance(prio.value, len(mine), sum(1 for r in mine if r[1]),
                              sum(1 for r in mine if r[2])))  # fmt: skip
    return out
