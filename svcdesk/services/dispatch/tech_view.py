"""Technician panes' read model: where each technician is now, and their today/tomorrow.

Built on `schedule_view.day_schedule` (two calls: today and tomorrow), so the grid and the
panes agree on shifts, time off and visits. Status at `clock.now()`:

- `on_site`  a visit of today is on_site (or arrived and not departed);
- `en_route` a visit of today is en_route (or left for and not arrived);
- `off`      otherwise, when now is outside every shift or inside time off;
- `free`     otherwise (the detail names the next visit, or one that should have started
             and has not: "late: SO-… was due 10:00")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from svcdesk.clock import now as clock_now
from svcdesk.errors import NotFound
from svcdesk.models import Technician, TimeOff, VisitStatus
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.crm import technicians
from svcdesk.services.dispatch.schedule_view import (
    DaySchedule,
    Span,
    TechLane,
    VisitBlock,
    day_schedule,
)

FREE, EN_ROUTE, ON_SITE, OFF = "free", "en_route", "on_site", "off"


@dataclass
class TechDay:
    day: date
    shifts: list[Span]
    time_off: list[Span]
    visits: list[VisitBlock]
    shift_minutes: int  # shift time less time off
    booked_minutes: int

    @property
    def load_text(self) -> str:
        return f"{self.booked_minutes / 60:.1f}/{self.shift_minutes / 60:.1f}h"


@dataclass
class TechStatus:
    id: int
    name: str
    color: str
    active: bool
    skills: list[str]
    status: str  # free | en_route | on_site | off
    detail: str  # one human line, e.g. "SO-000002 since 10:05"
    current: str | None  # order number en route to / on site at
    today: TechDay
    tomorrow: TechDay


@dataclass
class TechDetail:
    status: TechStatus
    phone: str | None
    email: str | None
    level: str
    hourly_cost_cents: int
    shifts_text: str
    time_off: list[tuple[datetime, datetime, str | None]] = field(default_factory=list)
    home: str | None = None  # where the day's drives start (None: the depot)


def _tech_day(schedule: DaySchedule, lane: TechLane) -> TechDay:
    return TechDay(
        day=schedule.day,
        shifts=list(lane.shifts),
        time_off=list(lane.time_off),
        visits=sorted(lane.visits, key=lambda v: (v.starts_at, v.visit_id)),
        shift_minutes=lane.shift_minutes,
        booked_minutes=lane.booked_minutes,
    )


def _empty_day(day: date) -> TechDay:
    return TechDay(day, [], [], [], 0, 0)


def _status(lane: TechLane, at: datetime, minute: int, zone) -> tuple[str, str, str | None]:
    hhmm = "%H:%M"
    for v in lane.visits:
        if v.status == VisitStatus.ON_SITE.value or (
            v.arrived_at and not v.departed_at and v.status != VisitStatus.COMPLETED.value
        ):
            since = fmt(v.arrived_at, zone, hhmm) if v.arrived_at else "?"
            return ON_SITE, f"{v.number} since {since}", v.number
    for v in lane.visits:
        if v.status == VisitStatus.EN_ROUTE.value:
            since = fmt(v.en_route_at, zone, hhmm) if v.en_route_at else "?"
            return EN_ROUTE, f"to {v.number} since {since}", v.number
    upcoming = [v for v in lane.visits if v.ends_at > at and v.status != "completed"]
    nxt = min(upcoming, key=lambda v: v.starts_at, default=None)
    off = lane.time_off_at(minute, minute + 1)
    if off:
        return OFF, "time off" + (f" ({off.reason})" if off.reason else ""), None
    if not lane.on_shift(minute, minute + 1):
        later = [s for s in lane.shifts if s.start > minute]
        if later:
            start = min(s.start for s in later)
            return OFF, f"shift starts {start // 60:02d}:{start % 60:02d}", None
        return OFF, "off shift", None
    if nxt and nxt.starts_at <= at:
        return FREE, f"late: {nxt.number} was due {fmt(nxt.starts_at, zone, hhmm)}", None
    if nxt:
        return FREE, f"next {nxt.number} {fmt(nxt.starts_at, zone, hhmm)}", None
    return FREE, "nothing booked", None


def tech_statuses(session: Session, *, include_inactive: bool = False) -> list[TechStatus]:
    """Every technician on today's schedule with status now, and today's/tomorrow's work."""
    zone = shop_zone(session)
    at = clock_now()
    local = at.astimezone(zone)
    today = day_schedule(session, local.date(), zone=zone)
    tomorrow = day_schedule(session, local.date() + timedelta(days=1), zone=zone)
    minute = local.hour * 60 + local.minute
    result = []
    lanes = list(today.lanes)
    if include_inactive:
        seen = {lane.id for lane in lanes}
        for t in technicians.list_technicians(session, include_inactive=True):
            if t.id not in seen:
                skills = technicians.technician_skills(session, t.id)
                lanes.append(
                    TechLane(id=t.id, name=t.name, color=t.color, active=t.active, skills=skills)
                )
        lanes.sort(key=lambda lane: lane.name)
    for lane in lanes:
        status, detail, current = _status(lane, at, minute, zone)
        if not lane.active:
            status, detail = OFF, "inactive"
        other = tomorrow.lane(lane.id)
        result.append(
            TechStatus(
                id=lane.id,
                name=lane.name,
                color=lane.color,
                active=lane.active,
                skills=list(lane.skills),
                status=status,
                detail=detail,
                current=current,
                today=_tech_day(today, lane),
                tomorrow=_tech_day(tomorrow, other) if other else _empty_day(tomorrow.day),
            )
        )
    return result


def tech_detail(session: Session, tech_id: int) -> TechDetail:
    """One technician's status, contact, shifts and upcoming time off."""
    tech = session.get(Technician, tech_id)
    if tech is None:
        raise NotFound(f"technician #{tech_id} not found")
    status = next(
        (s for s in tech_statuses(session, include_inactive=True) if s.id == tech_id), None
    )
    if status is None:
        raise NotFound(f"technician #{tech_id} not found")
    upcoming = session.exec(
        select(TimeOff)
        .where(TimeOff.technician_id == tech_id, TimeOff.ends_at > clock_now())
        .order_by(col(TimeOff.starts_at))
        .limit(10)
    ).all()
    return TechDetail(
        status=status,
        phone=tech.phone,
        email=tech.email,
        level=tech.level,
        hourly_cost_cents=tech.hourly_cost_cents,
        shifts_text=technicians.format_shifts(technicians.technician_shifts(session, tech_id)),
        time_off=[(t.starts_at, t.ends_at, t.reason) for t in upcoming],
        home=tech.home_address,
    )


@dataclass(frozen=True)
class TechChoice:
    """A technician as a dispatcher picks one: skills and that day's load."""

    id: int
    name: str
    skills: list[str]
    visits: int
    booked_minutes: int
    shift_minutes: int

    def label(self) -> str:
        skills = ", ".join(self.skills) or "no skills"
        if not self.shift_minutes:
            load = "off that day"
        else:
            plural = "visit" if self.visits == 1 else "visits"
            load = (
                f"{self.visits} {plural}, {self.booked_minutes / 60:.1f} of "
                f"{self.shift_minutes / 60:.1f} h booked"
            )
        return f"{self.name} · {skills} · {load}"


def technician_choices(session: Session, day: date | None = None) -> list[TechChoice]:
    """Active technicians (by name) with their skills and their load on `day` (today by
    default), from the same day schedule as the grid."""
    zone = shop_zone(session)
    day = day or clock_now().astimezone(zone).date()
    lanes = {lane.id: lane for lane in day_schedule(session, day, zone=zone).lanes}
    out = []
    for t in technicians.list_technicians(session):
        lane = lanes.get(t.id)
        if lane is None:
            lane = TechLane(
                t.id, t.name, t.color, t.active, technicians.technician_skills(session, t.id)
            )
        out.append(
            TechChoice(t.id, t.name, list(lane.skills), len(lane.visits),
                       lane.booked_minutes, lane.shift_minutes)
        )  # fmt: skip
    return out
