"""A shop day as a routing `Problem`: who works when and where, and what there is to do.

Built on `schedule_view.day_schedule` (the grid's read model) so the plan, the grid and the
booking rules agree on shifts, time off and visits. Times on the routing side are minutes
after local midnight of the day (see docs/routing.md); `DayContext` maps them back.

Decisions (docs/dispatch.md):
* A technician's routing shift is the longest stretch of that weekday's shift(s) not
  covered by time off (planning today: from now). The day starts at the end (and site) of
  the last visit that is under way (en route, on site, done, or started before now) or
  that cannot be reached from home after the shift starts (an 08:00 visit on an 08:00
  shift); it ends at the start (and site) of a visit too late to drive home after.
  Visits entirely outside the shift are left alone.
* Booked visits (any non-cancelled visit of the day) are locked to their technician and
  time. With `reoptimize`, visits still `scheduled` with a single technician become free
  jobs (any qualified technician, the order's window), the rest stay locked. Helpers'
  time on a crew visit is blocked by a locked copy of the visit on the helper.
* Candidate orders: open, not on hold, no active visit, and a window that overlaps the
  day (clipped to it) or no window at all (the backlog; the solver's priority prizes
  decide). A window that ended before the day counts as no window (the promise was
  missed; the work is still due); one that starts after the day excludes the order.
  Planning today, nothing new starts before now.
* Location: the site's lat/lon, else the centroid of its ZIP code, else the order is not
  plannable ("no location").
* A shop holiday (`shop.holidays`): every technician is off and the orders promised that
  day are listed as not plannable, unless `holiday_ok` (the dispatcher forces it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from svcdesk.clock import now as clock_now
from svcdesk.models import (
    Customer,
    OrderStatus,
    Site,
    Skill,
    Technician,
    Visit,
    VisitStatus,
    WorkOrder,
)
from svcdesk.models.core import ACTIVE_VISIT
from svcdesk.routing import Job, Location, Problem, Tech, locate_zip
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import day_bounds
from svcdesk.services.dispatch import settings as dsettings
from svcdesk.services.dispatch.holidays import holiday_off, shop_holidays
from svcdesk.services.dispatch.schedule_view import Span, TechLane, day_schedule, local_instant

CANDIDATE_STATUSES = (OrderStatus.NEW.value, OrderStatus.SCHEDULED.value)
UNLOCKABLE = (VisitStatus.SCHEDULED.value,)
STARTED = (VisitStatus.EN_ROUTE.value, VisitStatus.ON_SITE.value, VisitStatus.COMPLETED.value)


@dataclass
class JobInfo:
    """What a routing job stands for: an unassigned order or a booked visit."""

    job_id: str
    order_id: int
    number: str
    priority: str
    customer: str
    city: str
    address: str
    summary: str
    minutes: int
    version: int
    location: Location | None = None
    location_source: str = "site"  # site | zip | none
    visit_id: int | None = None
    visit_status: str | None = None
    tech_id: int | None = None  # current lead (booked visits)
    starts_at: datetime | None = None  # current booking
    locked: bool = False
    helper: bool = False  # a helper's copy of a crew visit


@dataclass
class TechInfo:
    id: int
    key: str  # routing id
    name: str
    skills: list[str]
    shift: tuple[int, int]
    booked_minutes: int = 0


@dataclass
class DayContext:
    day: date
    zone: ZoneInfo
    problem: Problem
    jobs: dict[str, JobInfo]
    techs: dict[str, TechInfo]
    not_working: dict[int, str] = field(default_factory=dict)  # tech id -> why
    names: dict[int, str] = field(default_factory=dict)  # every lane's tech id -> name
    unplannable: list[tuple[JobInfo, str]] = field(default_factory=list)
    outside: list[JobInfo] = field(default_factory=list)  # visits outside the routing shift
    now_minute: int | None = None  # planning today
    holiday: str | None = None  # None | "off" (shop holiday, crew off) | "worked" (forced)

    def at(self, minute: int) -> datetime:
        return local_instant(self.day, minute, self.zone)

    def minute(self, dt: datetime) -> int:
        return minute_of(dt, self.day, self.zone)

    def tech_key(self, tech_id: int) -> str:
        return f"T{tech_id}"

    def readable(self, text: str) -> str:
        """A routing message with technician keys (T12) replaced by names."""
        return re.sub(
            r"\bT(\d+)\b",
            lambda m: self.techs[m.group(0)].name if m.group(0) in self.techs else m.group(0),
            text,
        )


def minute_of(dt: datetime, day: date, zone: ZoneInfo) -> int:
    """Minutes from local midnight of `day` to `dt` (negative before, >1440 after)."""
    start, _ = day_bounds(day, zone)
    return int((dt - start).total_seconds() // 60)


def free_pieces(shifts: list[Span], time_off: list[Span]) -> list[tuple[int, int]]:
    """The parts of the day's shifts not covered by time off, in time order."""
    pieces: list[tuple[int, int]] = []
    for s in shifts:
        parts = [(s.start, s.end)]
        for off in time_off:
            nxt = []
            for a, b in parts:
                if off.end <= a or off.start >= b:
                    nxt.append((a, b))
                    continue
                if off.start > a:
                    nxt.append((a, off.start))
                if off.end < b:
                    nxt.append((off.end, b))
            parts = nxt
        pieces += parts
    return sorted(p for p in pieces if p[1] > p[0])


def free_stretch(shifts: list[Span], time_off: list[Span]) -> tuple[int, int] | None:
    """The longest part of the day's shifts not covered by time off."""
    pieces = free_pieces(shifts, time_off)
    return max(pieces, key=lambda p: (p[1] - p[0], -p[0])) if pieces else None


def site_location(site: Site) -> tuple[Location | None, str]:
    if site.lat is not None and site.lon is not None:
        return Location(site.lat, site.lon), "site"
    loc = locate_zip(site.zip or "")
    return (loc, "zip") if loc is not None else (None, "none")


def no_location_reason(site: Site) -> str:
    return f"no location (site has no coordinates and ZIP {site.zip or '(none)'!r} is unknown)"


def _order_rows(session: Session, where) -> list[tuple[WorkOrder, Site, Customer, str | None]]:
    return list(
        session.exec(
            select(WorkOrder, Site, Customer, Skill.code)
            .join(Site, col(Site.id) == col(WorkOrder.site_id))
            .join(Customer, col(Customer.id) == col(WorkOrder.customer_id))
            .join(Skill, col(Skill.id) == col(WorkOrder.skill_id), isouter=True)
            .where(where)
        ).all()
    )


def job_info(order: WorkOrder, site: Site, customer: Customer, job_id: str) -> JobInfo:
    loc, source = site_location(site)
    return JobInfo(
        job_id=job_id,
        order_id=order.id,
        number=order.number,
        priority=order.priority,
        customer=customer.name,
        city=site.city,
        address=", ".join(p for p in (site.address, site.city, site.state, site.zip) if p),
        summary=order.summary,
        minutes=order.est_minutes or 60,
        version=order.version,
        location=loc,
        location_source=source,
    )


def clip_window(
    order: WorkOrder, day: date, zone: ZoneInfo, floor: int | None
) -> tuple[int | None, int | None] | None:
    """The order's window in day minutes (None = open); None when it starts after the day.
    A window that is over (before the day, or before `floor` = now) counts as none."""
    start, end = day_bounds(day, zone)
    ws, we = order.window_start, order.window_end
    if ws is not None and ws >= end:
        return None
    if we is not None and we <= start:
        ws = we = None
    lo = max(0, minute_of(ws, day, zone)) if ws is not None else None
    hi = min(minute_of(we, day, zone), 24 * 60) if we is not None else None
    if floor is not None:
        if hi is not None and hi < floor:
            lo = hi = None
        lo = floor if lo is None else max(lo, floor)
    return lo, hi


def candidate_orders(session: Session, day: date, zone: ZoneInfo):
    """Open orders with no active visit that could be done on `day` (see module doc)."""
    active = select(Visit.order_id).where(col(Visit.status).in_([s.value for s in ACTIVE_VISIT]))
    _, end = day_bounds(day, zone)
    rows = _order_rows(
        session,
        col(WorkOrder.status).in_(CANDIDATE_STATUSES)
        & col(WorkOrder.id).not_in(active)
        & ((col(WorkOrder.window_start) == None) | (col(WorkOrder.window_start) < end)),  # noqa: E711
    )
    return sorted(rows, key=lambda r: (r[0].priority_rank, r[0].number))


def build_day(
    session: Session,
    day: date,
    *,
    reoptimize: bool = False,
    include_backlog: bool = True,
    extra_orders: list[WorkOrder] | None = None,
    pinned: frozenset[int] = frozenset(),
    holiday_ok: bool = False,
) -> DayContext:
    """The routing problem for `day` (see the module doc for what goes in)."""
    zone = shop_zone(session)
    sched = day_schedule(session, day, zone=zone)
    local_now = clock_now().astimezone(zone)
    now_minute = None
    if local_now.date() == day:
        now_minute = local_now.hour * 60 + local_now.minute
    elif day < local_now.date():
        now_minute = 24 * 60  # the past: nothing new can be planned
    ctx = DayContext(
        day=day,
        zone=zone,
        problem=Problem([], [], dsettings.travel(session), day.isoformat()),
        jobs={},
        techs={},
        now_minute=now_minute,
    )
    if day in shop_holidays(session):
        ctx.holiday = "worked" if holiday_ok else "off"
    lunch = dsettings.lunch(session)
    depot = dsettings.depot(session)
    people = {
        t.id: t
        for t in session.exec(
            select(Technician).where(col(Technician.id).in_([lane.id for lane in sched.lanes]))
        )
    }
    visit_ids = {v.visit_id for lane in sched.lanes for v in lane.visits}
    rows = _order_rows(
        session,
        col(WorkOrder.id).in_(select(Visit.order_id).where(col(Visit.id).in_(visit_ids))),
    )
    by_order = {r[0].id: r for r in rows}
    crews: dict[int, int] = {}
    for lane in sched.lanes:
        for v in lane.visits:
            crews[v.visit_id] = crews.get(v.visit_id, 0) + 1

    techs: list[Tech] = []
    jobs: list[Job] = []
    for lane in sched.lanes:
        _add_tech(
            ctx,
            lane,
            people[lane.id],
            by_order,
            crews,
            reoptimize,
            lunch,
            depot,
            techs,
            jobs,
            pinned,
        )
    if include_backlog:
        for order, site, customer, code in candidate_orders(session, day, zone):
            if ctx.holiday == "off":  # the promised ones say why; the backlog waits
                window = clip_window(order, day, zone, now_minute)
                if window is not None and window[1] is not None:
                    info = job_info(order, site, customer, order.number)
                    ctx.jobs[info.job_id] = info
                    ctx.unplannable.append((info, holiday_off(day)))
                continue
            _add_order(ctx, order, site, customer, code, jobs)
    for order in extra_orders or []:
        if order.number in ctx.jobs:
            continue
        order_id = order.id
        for o, site, customer, code in _order_rows(session, WorkOrder.id == order_id):
            _add_order(ctx, o, site, customer, code, jobs, force=True)
    ctx.problem = Problem(jobs, techs, ctx.problem.travel, day.isoformat())
    return ctx


def _add_tech(
    ctx, lane: TechLane, person, by_order, crews, reoptimize, lunch, depot, techs, jobs, pinned
) -> None:
    ctx.names[lane.id] = lane.name
    if not lane.active:
        return
    if ctx.holiday == "off":
        ctx.not_working[lane.id] = holiday_off(ctx.day)
        return
    stretch = free_stretch(lane.shifts, lane.time_off)
    if stretch is None:
        ctx.not_working[lane.id] = "no shift" if not lane.shifts else "time off all shift"
        return
    home = (
        Location(person.home_lat, person.home_lon)
        if person.home_lat is not None and person.home_lon is not None
        else depot
    )
    if home is None:
        ctx.not_working[lane.id] = "no home location and no depot (company.address ZIP)"
        return
    key = ctx.tech_key(lane.id)
    shift_start, shift_end = stretch
    start_loc, end_loc = home, home
    if ctx.now_minute is not None:
        shift_start = max(shift_start, min(ctx.now_minute, shift_end))
    mine: list[Job] = []

    def leg(a: Location, b: Location) -> int:
        return ctx.problem.travel.leg(a, b).minutes

    for v in sorted(lane.visits, key=lambda v: v.starts_at):
        order, site, customer, code = by_order[v.order_id]
        helper = v.role != "lead"
        jid = f"V{v.visit_id}" + (f"-{lane.id}" if helper else "")
        info = job_info(order, site, customer, jid)
        s, e = ctx.minute(v.starts_at), ctx.minute(v.ends_at)
        info.minutes = max(0, e - s)
        info.visit_id, info.visit_status, info.starts_at = v.visit_id, v.status, v.starts_at
        info.tech_id, info.helper = lane.id, helper
        ctx.jobs[jid] = info
        loc = info.location or home
        started = v.status in STARTED or (ctx.now_minute is not None and s < ctx.now_minute)
        if e <= shift_start or s >= shift_end:
            info.locked = True
            ctx.outside.append(info)
            continue
        movable = (
            reoptimize
            and not started
            and v.status in UNLOCKABLE
            and crews.get(v.visit_id, 1) == 1
            and info.location is not None
            and v.visit_id not in pinned
        )
        if started or (not movable and s - leg(start_loc, loc) < shift_start):
            # under way, or no time to get there after the shift starts: the day starts there
            info.locked = True
            ctx.outside.append(info)
            shift_start, start_loc = max(shift_start, e), loc
            continue
        if not movable and e + leg(loc, home) > shift_end:
            # no time to get home after it: the day ends there
            info.locked = True
            ctx.outside.append(info)
            shift_end, end_loc = min(shift_end, s), loc
            continue
        if movable:
            window = clip_window(order, ctx.day, ctx.zone, ctx.now_minute) or (None, None)
            mine.append(_open_job(ctx, order, info, loc, window, code))
        else:
            info.locked = True
            mine.append(
                Job(
                    jid,
                    loc,
                    info.minutes,
                    skills=frozenset(),
                    priority=order.priority,
                    locked_tech=key,
                    locked_start=s,
                )
            )
    if shift_end <= shift_start:
        over = ctx.now_minute is not None and ctx.now_minute >= stretch[1]
        ctx.not_working[lane.id] = "shift over" if over else "no free time left in the shift"
        jobs.extend(j for j in mine if not j.locked)
        return
    keep = [
        j
        for j in mine
        if not j.locked
        or (j.locked_start is not None and shift_start <= j.locked_start < shift_end)
    ]
    jobs.extend(keep)
    booked = sum(ctx.jobs[j.id].minutes for j in mine)
    ctx.techs[key] = TechInfo(
        lane.id, key, lane.name, list(lane.skills), (shift_start, shift_end), booked
    )
    techs.append(
        Tech(
            key,
            start_loc,
            shift_start,
            shift_end,
            frozenset(lane.skills),
            end_location=end_loc,
            lunch=lunch,
        )
    )


def _add_order(ctx, order, site, customer, code, jobs, force: bool = False) -> None:
    info = job_info(order, site, customer, order.number)
    window = clip_window(order, ctx.day, ctx.zone, ctx.now_minute)
    if window is None:
        if not force:
            return
        window = (ctx.now_minute, None)
    ctx.jobs[info.job_id] = info
    if info.location is None:
        ctx.unplannable.append((info, no_location_reason(site)))
        return
    jobs.append(_open_job(ctx, order, info, info.location, window, code))


def _open_job(ctx, order, info, location, window, code) -> Job:
    """A job the engine may place: its window, the skill it needs, priority and SLA due."""
    return Job(
        info.job_id,
        location,
        info.minutes,
        window[0],
        window[1],
        frozenset([code] if code else []),
        order.priority,
        due=sla_due(ctx, order),
    )


def sla_due(ctx: DayContext, order: WorkOrder) -> int | None:
    """An emergency's or high job's SLA response due (`sla_due`), as minutes of the day:
    the engine starts the job by then where feasible. None for other priorities, or when
    the due time is not on this day's clock (past: it is late anyway; days ahead: no
    pressure today)."""
    if order.priority not in ("emergency", "high") or order.sla_due is None:
        return None
    m = ctx.minute(order.sla_due)
    return m if 0 <= m <= 24 * 60 else None
