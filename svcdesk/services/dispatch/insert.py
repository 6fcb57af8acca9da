"""Drop an emergency into a running day: best technician and position, knock-on delays.

Today's visits that have started (en route, on site, done, or due to start before now)
and crew visits stay where and when they are; the others keep their technician and order
but may start later (never earlier than booked). `routing.insert_job` tries every
position on every qualified technician's current day; the options are ranked by added
drive, then total delay, then start. Applying books the visit and reschedules the delayed
visits in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session

from svcdesk import clock
from svcdesk.clock import now as clock_now
from svcdesk.errors import InvalidInput
from svcdesk.models import Technician, Visit, WorkOrder
from svcdesk.routing import Job, Plan, Problem, Tech, insert_job
from svcdesk.routing.schedule import build_route, simulate
from svcdesk.routing.solver import legs_for
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.words import status_words
from svcdesk.services.dispatch.plan import _version, apply_moves
from svcdesk.services.dispatch.problem import DayContext, build_day
from svcdesk.services.dispatch.proposal import PlannedRoute, planned_route
from svcdesk.services.orders import scheduling

MOVABLE = ("scheduled", "dispatched")


@dataclass
class Delay:
    number: str
    visit_id: int
    before: datetime
    after: datetime
    minutes: int


@dataclass
class Bump:
    """A normal/low visit taken off the technician's day to make room for an emergency:
    moved to another technician (`to_tech_*`, `after`) or, with no room anywhere today,
    back to the board (the visit is cancelled, the order is open again)."""

    number: str
    visit_id: int
    priority: str
    before: datetime
    to_tech_id: int | None = None
    to_tech_name: str | None = None
    after: datetime | None = None

    def describe(self, zone) -> str:
        if self.after is None:
            return f"{self.number} ({self.priority}) back to the board"
        return f"{self.number} ({self.priority}) to {self.to_tech_name} {self.after.astimezone(zone):%H:%M}"


@dataclass
class InsertOption:
    tech_id: int
    tech_name: str
    starts_at: datetime
    ends_at: datetime
    added_drive_minutes: int
    delays: list[Delay]
    route: PlannedRoute
    bumped: list[Bump] = field(default_factory=list)

    @property
    def total_delay(self) -> int:
        return sum(d.minutes for d in self.delays)


@dataclass
class InsertProposal:
    number: str
    order_id: int
    priority: str
    version: int
    now: datetime
    options: list[InsertOption]
    not_possible: dict[str, str] = field(default_factory=dict)  # tech name -> why

    @property
    def best(self) -> InsertOption | None:
        return self.options[0] if self.options else None


def insert_emergency(
    session: Session,
    order: WorkOrder,
    now: datetime | None = None,
    *,
    force: bool = False,
    bump: bool = False,
):
    """Where `order` fits best in today's running schedule, and what it costs. With `bump`,
    an emergency nobody has room for gets options that bump normal/low visits (the caller
    shows them and asks before applying; see `Bump`). On a shop
    holiday everyone is off (listed in `not_possible`) unless `force` calls them in."""
    if scheduling.active_visits(session, order.id):
        raise InvalidInput(f"{order.number} already has a booked visit; move it instead")
    if order.status not in ("new", "scheduled"):
        raise InvalidInput(
            f"{order.number} is {status_words(order.status)}; only open orders can be booked"
        )
    now = now or clock_now()
    with clock.at(now):
        day = now.astimezone(shop_zone(session)).date()
        ctx = build_day(session, day, include_backlog=False, extra_orders=[order], holiday_ok=force)
    for info, reason in ctx.unplannable:
        raise InvalidInput(f"{info.number}: {reason}")
    now_minute = ctx.minute(now)
    job = ctx.problem.job(order.number)
    jobs = [_shiftable(ctx, j, now) for j in ctx.problem.jobs if j.id != order.number]
    problem = Problem(jobs, ctx.problem.techs, ctx.problem.travel, ctx.problem.day)
    legs = legs_for(Problem([*jobs, job], problem.techs, problem.travel, problem.day))
    proposal = InsertProposal(order.number, order.id, order.priority, order.version, now, [])
    full: list[tuple[Tech, list[Job]]] = []  # qualified, but no room: bump candidates
    for tech in problem.techs:
        name = ctx.techs[tech.id].name
        if not tech.can_do(job):
            proposal.not_possible[name] = "lacks the skill"
            continue
        seq = _day_of(jobs, tech)
        timing = simulate(tech, seq, legs)
        if timing is None:
            proposal.not_possible[name] = "today's booked visits already do not fit the shift"
            continue
        current = Plan({tech.id: build_route(tech, seq, timing, legs)})
        one = Problem(seq, [tech], problem.travel, problem.day)
        ins = _best_insertion(current, one, job, now_minute, tech.shift_end)
        if ins is None or ins.route is None:
            proposal.not_possible[name] = _no_room(tech, seq, job, legs, problem, now_minute)
            full.append((tech, seq))
            continue
        _add_option(proposal, ctx, order, tech, name, ins)
    if bump and not proposal.options and order.priority == "emergency":
        for tech, seq in full:
            _bump_option(proposal, ctx, order, problem, jobs, legs, tech, seq, job, now, now_minute)
    for tid, why in ctx.not_working.items():
        person = must_get(session, Technician, tid)
        proposal.not_possible[person.name] = why
    if order.priority == "emergency":
        proposal.options.sort(
            key=lambda o: (len(o.bumped), o.starts_at, o.added_drive_minutes, o.total_delay)
        )
    else:
        proposal.options.sort(key=lambda o: (o.added_drive_minutes, o.total_delay, o.starts_at))
    return proposal


def _day_of(jobs: list[Job], tech: Tech) -> list[Job]:
    return sorted(
        (j for j in jobs if j.locked_tech == tech.id),
        key=lambda j: j.locked_start if j.locked_start is not None else (j.window_start or 0),
    )


def _no_room(tech: Tech, seq, job: Job, legs, problem: Problem, now_minute: int) -> str:
    """Why a qualified technician cannot take the job today; names lunch when it is lunch
    that leaves no room (the job would fit if the break were skipped)."""
    if tech.break_window() is not None:
        bare = replace(tech, lunch=None)
        timing = simulate(bare, seq, legs)
        if timing is not None:
            one = Problem(seq, [bare], problem.travel, problem.day)
            current = Plan({tech.id: build_route(bare, seq, timing, legs)})
            if insert_job(current, one, job, now=now_minute) is not None:
                lunch = tech.lunch
                assert lunch is not None
                return (
                    "no room left today with lunch: the only gap is the "
                    f"{lunch.duration}-minute lunch break (starting "
                    f"{_hhmm(lunch.earliest_start)}-{_hhmm(lunch.latest_start)})"
                )
    return "no room left today (shift, windows, booked visits, lunch)"


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _add_option(proposal, ctx: DayContext, order, tech: Tech, name: str, ins, bumped=()):
    route = planned_route(ctx, ins.route)
    delays = []
    for stop in route.stops:
        info = ctx.jobs[stop.job_id]
        if (
            info.visit_id is not None
            and info.starts_at is not None
            and stop.starts_at != info.starts_at
            and not info.helper
        ):
            minutes = int((stop.starts_at - info.starts_at).total_seconds() // 60)
            delays.append(
                Delay(info.number, info.visit_id, info.starts_at, stop.starts_at, minutes)
            )
    new = next(s for s in route.stops if s.job_id == order.number)
    proposal.options.append(
        InsertOption(
            ctx.techs[tech.id].id,
            name,
            new.starts_at,
            new.ends_at,
            ins.added_drive_minutes,
            delays,
            route,
            list(bumped),
        )
    )


BUMPABLE = ("normal", "low")


def _bumpable(ctx: DayContext, job: Job, now: datetime) -> bool:
    info = ctx.jobs[job.id]
    return (
        info.priority in BUMPABLE
        and info.visit_id is not None
        and not info.helper
        and info.visit_status in MOVABLE
        and info.starts_at is not None
        and info.starts_at >= now
        and not _crew(ctx, info.visit_id)
    )


def _bump_option(proposal, ctx, order, problem, jobs, legs, tech, seq, job, now, now_minute):
    """A full day: take this technician's normal/low visits off, lowest priority and
    latest first, until the emergency fits; each one taken off goes to another qualified
    technician's day where it fits without delaying anyone, else back to the board."""
    cands = sorted(
        (j for j in seq if _bumpable(ctx, j, now)),
        key=lambda j: (-BUMPABLE.index(ctx.jobs[j.id].priority), -(j.locked_start or 0)),
    )
    out: list[Job] = []
    ins = None
    rest = list(seq)
    for v in cands:
        out.append(v)
        rest = [j for j in rest if j.id != v.id]
        timing = simulate(tech, rest, legs)
        if timing is None:
            continue
        current = Plan({tech.id: build_route(tech, rest, timing, legs)})
        one = Problem(rest, [tech], problem.travel, problem.day)
        ins = _best_insertion(current, one, job, now_minute, tech.shift_end)
        if ins is not None and ins.route is not None:
            break
        ins = None
    if ins is None:
        return
    bumps = []
    placed: dict[str, list[Job]] = {}
    for v in out:
        info = ctx.jobs[v.id]
        dest = _rehome(ctx, problem, jobs, legs, tech, v, now_minute, placed)
        if dest is None:
            bumps.append(Bump(info.number, info.visit_id, info.priority, info.starts_at))
        else:
            other, start = dest
            bumps.append(
                Bump(
                    info.number,
                    info.visit_id,
                    info.priority,
                    info.starts_at,
                    ctx.techs[other.id].id,
                    ctx.techs[other.id].name,
                    ctx.at(start),
                )
            )
    _add_option(proposal, ctx, order, tech, ctx.techs[tech.id].name, ins, bumps)


def _rehome(ctx, problem, jobs, legs, tech, v: Job, now_minute: int, placed):
    """Earliest start for bumped visit `v` on another qualified technician's day without
    delaying their visits: (tech, start minute) or None."""
    free = Job(v.id, v.location, v.service_minutes, now_minute, None, v.skills, v.priority)
    best = None
    for other in problem.techs:
        if other.id == tech.id or not (free.skills <= other.skills):
            continue
        seq = placed.get(other.id) or _day_of(jobs, other)
        timing = simulate(other, seq, legs)
        if timing is None:
            continue
        current = Plan({other.id: build_route(other, seq, timing, legs)})
        one = Problem(seq, [other], problem.travel, problem.day)
        ins = insert_job(current, one, free, now=now_minute)
        if ins is None or ins.delays:
            continue
        if best is None or ins.start < best[1]:
            best = (other, ins.start, ins)
    if best is None:
        return None
    other, start, ins = best
    pinned = Job(v.id, v.location, v.service_minutes, start, start, v.skills, v.priority,
                 locked_tech=other.id, locked_start=start)  # fmt: skip
    seq = placed.get(other.id) or _day_of(jobs, other)
    placed[other.id] = sorted([*seq, pinned], key=lambda j: j.locked_start or 0)
    return other, start


def _best_insertion(current: Plan, problem: Problem, job: Job, now_minute: int, latest: int):
    """`insert_job`'s choice (least added drive); for an emergency, the earliest start
    instead: the smallest latest-start for which an insertion exists (bisection)."""
    ins = insert_job(current, problem, job, now=now_minute)
    if ins is None or job.priority != "emergency":
        return ins
    lo, hi = max(now_minute, job.window_start or 0), ins.start
    while lo < hi:
        mid = (lo + hi) // 2
        tighter = Job(**{**_fields(job), "window_end": mid})
        found = insert_job(current, problem, tighter, now=now_minute)
        if found is None:
            lo = mid + 1
        else:
            ins, hi = found, min(mid, found.start)
    return ins


def _fields(job: Job) -> dict:
    return {f: getattr(job, f) for f in job.__dataclass_fields__}


def _shiftable(ctx: DayContext, job: Job, now: datetime) -> Job:
    """A booked visit not yet started may start later than booked, never earlier."""
    info = ctx.jobs[job.id]
    if (
        job.locked_start is None
        or info.helper
        or info.visit_status not in MOVABLE
        or info.starts_at is None
        or info.starts_at < now
        or info.visit_id is None
        or _crew(ctx, info.visit_id)
    ):
        return job
    return Job(
        job.id,
        job.location,
        job.service_minutes,
        job.locked_start,
        None,
        job.skills,
        job.priority,
        locked_tech=job.locked_tech,
    )


def _crew(ctx: DayContext, visit_id: int) -> bool:
    return sum(1 for i in ctx.jobs.values() if i.visit_id == visit_id) > 1


def apply_insert(
    session: Session,
    proposal: InsertProposal,
    option: InsertOption | None = None,
    *,
    actor: str = "dispatcher",
) -> Visit:
    """Book the emergency, reschedule the delayed visits and carry out the bumps (moved to
    another technician, or cancelled back to the board), in the caller's transaction."""
    option = option or proposal.best
    if option is None:
        raise InvalidInput(f"nobody can take {proposal.number} today")
    touched: set[str] = set()
    versions = {proposal.number: proposal.version}
    for b in option.bumped:
        if b.after is None:
            scheduling.cancel_visit(
                session,
                must_get(session, Visit, b.visit_id),
                reason=f"bumped for emergency {proposal.number}: back to the board",
                actor=actor,
            )
            touched.add(b.number)
    moves = [(d.visit_id, option.tech_id, d.after, d.number) for d in option.delays]
    moves += [
        (b.visit_id, b.to_tech_id, b.after, b.number)
        for b in option.bumped
        if b.after and b.to_tech_id is not None
    ]
    apply_moves(session, moves, {}, touched, actor)
    order = must_get(session, WorkOrder, proposal.order_id)
    tech = must_get(session, Technician, option.tech_id)
    minutes = int((option.ends_at - option.starts_at).total_seconds() // 60)
    return scheduling.book_visit(
        session,
        order,
        [tech],
        option.starts_at,
        minutes,
        actor=actor,
        expected_version=_version(versions, touched, proposal.number),
    )
