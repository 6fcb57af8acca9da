"""The schedule grid's read model: one shop-local day, technicians as lanes.

Everything is a plain dataclass (never a live ORM object) so a UI thread can hold it after
the session is closed. Times inside a lane are *wall-clock minutes after local midnight*
(the same unit as `Shift.start_minute`), clipped to 0..1440; the UTC datetimes are kept on
each visit for display and booking.

`day_schedule` runs five small queries whatever the number of technicians: technicians,
skills, the weekday's shifts, the day's time off, and the day's visits (one joined query that
walks the `ix_visit_start` index: a visit lasts at most 24 h, so only visits starting in the
24 h before the day's end can overlap it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import (
    Customer,
    Shift,
    Site,
    Skill,
    Technician,
    TechnicianSkill,
    TimeOff,
    Visit,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.services.agreements.sla_state import booking_past_sla
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import day_bounds
from svcdesk.services.orders import lifecycle, queries, scheduling

SLOT_MINUTES = 30
DAY_MINUTES = 24 * 60
DEFAULT_HOURS = (8 * 60, 17 * 60)  # shown when nobody works that weekday


@dataclass(frozen=True)
class Span:
    """Local wall-clock minutes [start, end) within the day."""

    start: int
    end: int
    reason: str | None = None

    @property
    def minutes(self) -> int:
        return max(0, self.end - self.start)

    def overlap(self, start: int, end: int) -> int:
        return max(0, min(self.end, end) - max(self.start, start))


@dataclass
class VisitBlock:
    visit_id: int
    order_id: int
    number: str
    technician_id: int
    role: str  # lead | helper
    start: int  # local minutes, clipped to the day
    end: int
    starts_at: datetime  # UTC
    ends_at: datetime
    status: str
    priority: str
    customer: str
    city: str
    summary: str
    en_route_at: datetime | None = None
    arrived_at: datetime | None = None
    departed_at: datetime | None = None

    @property
    def minutes(self) -> int:
        return max(0, self.end - self.start)


@dataclass
class TechLane:
    id: int
    name: str
    color: str
    active: bool
    skills: list[str] = field(default_factory=list)
    shifts: list[Span] = field(default_factory=list)
    time_off: list[Span] = field(default_factory=list)
    visits: list[VisitBlock] = field(default_factory=list)

    def on_shift(self, start: int, end: int) -> bool:
        """The whole of [start, end) lies inside one shift."""
        return any(s.start <= start and end <= s.end for s in self.shifts)

    def time_off_at(self, start: int, end: int) -> Span | None:
        return next((t for t in self.time_off if t.overlap(start, end)), None)

    def visits_at(self, start: int, end: int) -> list[VisitBlock]:
        return [v for v in self.visits if v.start < end and v.end > start]

    @property
    def shift_minutes(self) -> int:
        """Working minutes: the shifts less any time off inside them."""
        total = 0
        for s in self.shifts:
            total += s.minutes - sum(t.overlap(s.start, s.end) for t in self.time_off)
        return max(0, total)

    @property
    def booked_minutes(self) -> int:
        """Minutes of visits (not cancelled) on this day."""
        return sum(v.minutes for v in self.visits)


@dataclass
class DaySchedule:
    day: date
    zone: ZoneInfo
    start_minute: int  # first column (multiple of SLOT_MINUTES)
    end_minute: int  # end of the last column
    lanes: list[TechLane]

    @property
    def slots(self) -> list[int]:
        return list(range(self.start_minute, self.end_minute, SLOT_MINUTES))

    def slot_start(self, minute: int) -> datetime:
        """UTC instant of a local wall-clock minute of this day."""
        return local_instant(self.day, minute, self.zone)

    def lane(self, tech_id: int) -> TechLane | None:
        return next((lane for lane in self.lanes if lane.id == tech_id), None)


@dataclass
class UnassignedOrder:
    id: int
    number: str
    priority: str
    status: str
    customer: str
    city: str
    summary: str
    skill: str | None
    est_minutes: int
    sla_due: datetime | None
    version: int


def local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """UTC instant of wall-clock `minute` (0..1440) on `day` in `zone`."""
    days, minute = divmod(minute, DAY_MINUTES)
    local = datetime.combine(day + timedelta(days=days), time(minute // 60, minute % 60))
    return local.replace(tzinfo=zone).astimezone(UTC)


def _local_minute(dt: datetime, day: date, zone: ZoneInfo) -> int:
    """Wall-clock minute of `dt` on `day`, clipped to 0..1440."""
    loc = dt.astimezone(zone)
    if loc.date() < day:
        return 0
    if loc.date() > day:
        return DAY_MINUTES
    return loc.hour * 60 + loc.minute


def day_schedule(session: Session, day: date, *, zone: ZoneInfo | None = None) -> DaySchedule:
    """Active technicians (and any inactive one with a visit that day) with their shifts,
    time off and visits on the shop-local `day`; the column range spans the earliest shift
    start to the latest shift end (widened to show any visit outside it)."""
    zone = zone or shop_zone(session)
    day_start, day_end = day_bounds(day, zone)

    visit_rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
            VisitTechnician.technician_id,
            VisitTechnician.role,
            Visit.id,
            Visit.order_id,
            Visit.starts_at,
            Visit.ends_at,
            Visit.status,
            Visit.en_route_at,
            Visit.arrived_at,
            Visit.departed_at,
            WorkOrder.number,
            WorkOrder.priority,
            WorkOrder.summary,
            Customer.name,
            Site.city,
        )
        .join(VisitTechnician, VisitTechnician.visit_id == Visit.id)
        .join(WorkOrder, WorkOrder.id == Visit.order_id)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .join(Site, Site.id == WorkOrder.site_id)
        .where(
            Visit.starts_at < day_end,
            Visit.starts_at >= day_start - timedelta(days=1),
            Visit.ends_at > day_start,
            Visit.status != VisitStatus.CANCELLED.value,
            VisitTechnician.active == True,  # noqa: E712
        )
        .order_by(Visit.starts_at, Visit.id)
    ).all()
    visit_tech_ids = {r[0] for r in visit_rows}

    techs = session.exec(
        select(Technician.id, Technician.name, Technician.color, Technician.active)
        .where(
            (col(Technician.active) == True) | col(Technician.id).in_(visit_tech_ids)  # noqa: E712
        )
        .order_by(Technician.name)
    ).all()
    lanes = {i: TechLane(id=i, name=n, color=c, active=a) for i, n, c, a in techs}

    for tech_id, code in session.exec(
        select(TechnicianSkill.technician_id, Skill.code)
        .join(Skill, col(Skill.id) == col(TechnicianSkill.skill_id))
        .order_by(Skill.code)
    ):
        if tech_id in lanes:
            lanes[tech_id].skills.append(code)

    for tech_id, start, end in session.exec(
        select(Shift.technician_id, Shift.start_minute, Shift.end_minute)
        .where(Shift.weekday == day.weekday())
        .order_by(col(Shift.start_minute))
    ):
        if tech_id in lanes:
            lanes[tech_id].shifts.append(Span(start, end))

    for tech_id, starts, ends, reason in session.exec(
        select(TimeOff.technician_id, TimeOff.starts_at, TimeOff.ends_at, TimeOff.reason)
        .where(TimeOff.starts_at < day_end, TimeOff.ends_at > day_start)
        .order_by(col(TimeOff.starts_at))
    ):
        if tech_id in lanes:
            lanes[tech_id].time_off.append(
                Span(_local_minute(starts, day, zone), _local_minute(ends, day, zone), reason)
            )

    for row in visit_rows:
        (tech_id, role, vid, oid, starts, ends, status, enr, arr, dep, number, prio, summ) = row[
            :13
        ]
        lanes[tech_id].visits.append(
            VisitBlock(
                visit_id=vid,
                order_id=oid,
                number=number,
                technician_id=tech_id,
                role=role,
                start=_local_minute(starts, day, zone),
                end=_local_minute(ends, day, zone),
                starts_at=starts,
                ends_at=ends,
                status=status,
                priority=prio,
                customer=row[13],
                city=row[14],
                summary=summ,
                en_route_at=enr,
                arrived_at=arr,
                departed_at=dep,
            )
        )

    start, end = _column_range(lanes.values())
    return DaySchedule(
        day=day, zone=zone, start_minute=start, end_minute=end, lanes=list(lanes.values())
    )


def _column_range(lanes) -> tuple[int, int]:
    starts = [s.start for lane in lanes for s in lane.shifts]
    ends = [s.end for lane in lanes for s in lane.shifts]
    if not starts:
        starts, ends = [DEFAULT_HOURS[0]], [DEFAULT_HOURS[1]]
    for lane in lanes:
        for v in lane.visits:
            if v.end > v.start:
                starts.append(v.start)
                ends.append(v.end)
    start = min(starts) // SLOT_MINUTES * SLOT_MINUTES
    end = -(-max(ends) // SLOT_MINUTES) * SLOT_MINUTES
    return start, min(DAY_MINUTES, end)


def unassigned_orders(session: Session, *, limit: int = 200) -> list[UnassignedOrder]:
    """Open orders with no active visit, most urgent first (the board's ordering), with the
    estimate a booking from the grid will use."""
    rows = queries.list_orders(session, unassigned=True, limit=limit)
    estimates = dict(
        session.exec(
            select(WorkOrder.id, WorkOrder.est_minutes).where(
                col(WorkOrder.id).in_([r.id for r in rows])
            )
        ).all()
    )
    return [
        UnassignedOrder(
            id=r.id,
            number=r.number,
            priority=r.priority,
            status=r.status,
            customer=r.customer,
            city=r.city,
            summary=r.summary,
            skill=r.skill,
            est_minutes=estimates.get(r.id, 60),
            sla_due=r.sla_due,
            version=r.version,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class SlotCheck:
    """The grid's check line: what booking there would be refused for, and whether it
    would come after the order's SLA due time (a warning: booking is still allowed)."""

    problems: list[str]
    sla_warning: str | None


def slot_check(session: Session, number: str, tech_id: int, day: date, minute: int) -> SlotCheck:
    """What booking `number` on `tech_id` at `minute` of `day` would be refused for (the
    same rules as `book_slot`, without writing) and whether it would come after the
    order's SLA due time (`booking_past_sla`), in shop-time words."""
    order = lifecycle.get_order(session, number)
    tech = session.get(Technician, tech_id)
    if tech is None:
        raise NotFound(f"technician #{tech_id} not found")
    zone = shop_zone(session)
    starts_at = local_instant(day, minute, zone)
    ends_at = starts_at + timedelta(minutes=order.est_minutes or 60)
    late = booking_past_sla(session, order.id, starts_at, ends_at)
    return SlotCheck(
        scheduling.booking_problems(session, order, tech, starts_at, ends_at),
        late.warning(zone) if late else None,
    )


def book_slot(
    session: Session,
    number: str,
    tech_id: int,
    day: date,
    minute: int,
    *,
    force: bool = False,
    actor: str = "dispatcher",
    expected_version: int | None = None,
) -> Visit:
    """Book `number` with technician `tech_id` as lead at wall-clock `minute` of `day`, for
    the order's estimate. Raises BookingRefused (its `reasons`) unless `force`."""
    if not 0 <= minute < DAY_MINUTES:
        raise InvalidInput(f"minute: {minute} is not within the day")
    order = lifecycle.get_order(session, number)
    tech = session.get(Technician, tech_id)
    if tech is None:
        raise NotFound(f"technician #{tech_id} not found")
    starts_at = local_instant(day, minute, shop_zone(session))
    return scheduling.book_visit(
        session,
        order,
        [tech],
        starts_at,
        order.est_minutes,
        force=force,
        actor=actor,
        expected_version=expected_version,
    )
