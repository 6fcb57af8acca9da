"""The day plan: solve the shop day, show it as a diff, apply it in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from svcdesk.errors import Conflict, InvalidInput
from svcdesk.models import Technician, Visit, VisitTechnician, WorkOrder
from svcdesk.routing import (
    Plan,
    PortfolioSolver,
    Problem,
    RouteSolver,
    Unassigned,
    check_plan,
    insert_job,
)
from svcdesk.routing.schedule import build_route, simulate
from svcdesk.routing.solver import legs_for
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.dispatch import settings as dsettings
from svcdesk.services.dispatch.problem import DayContext, build_day
from svcdesk.services.dispatch.proposal import (
    PlanProposal,
    Unplanned,
    planned_route,
)
from svcdesk.services.dispatch.schedule_view import DaySchedule, day_schedule
from svcdesk.services.orders import scheduling


def plan_day(
    session: Session,
    day: date,
    time_limit: float | None = None,
    *,
    reoptimize: bool = False,
    solver: RouteSolver | None = None,
    force: bool = False,
) -> PlanProposal:
    """Routes per technician for `day` with ETAs, and what could not be planned (why).
    On a shop holiday nobody is planned unless `force` (docs/dispatch.md)."""
    if time_limit is None:
        time_limit = dsettings.default_time_limit(session)
    if time_limit <= 0:
        raise InvalidInput(f"time limit: {time_limit} must be positive (seconds)")
    solver = solver or PortfolioSolver()
    ctx = build_day(session, day, reoptimize=reoptimize, holiday_ok=force)
    plan = solver.solve(ctx.problem, time_limit)
    if reoptimize:
        # A booked visit the re-optimised plan leaves out keeps its booking: solve again
        # with those visits locked where they are.
        dropped = {
            visit_id
            for u in plan.unassigned
            if (visit_id := ctx.jobs[u.job_id].visit_id) is not None
            and not ctx.jobs[u.job_id].locked
        }
        if dropped:
            ctx = build_day(
                session, day, reoptimize=True, pinned=frozenset(dropped), holiday_ok=force
            )
            plan = solver.solve(ctx.problem, time_limit)
    # re-timing first; protecting the slots of visits the plan could not place comes last
    # (it keeps the remaining stops at their times)
    plan = protect_locked(ctx, emergencies_early(ctx, plan))
    return proposal_from(ctx, plan, reoptimize)


EARLY_SLACK = 20  # extra drive minutes a route may take to do its emergencies earlier


def emergencies_early(ctx: DayContext, plan: Plan) -> Plan:
    """The solver keeps emergencies but is indifferent to when in the day they are done.
    Move each one to the earliest position on its route that costs at most EARLY_SLACK
    more drive minutes and keeps every other stop feasible."""
    problem = ctx.problem
    legs = None
    routes = dict(plan.routes)
    for tid, route in plan.routes.items():
        seq = [problem.job(s.job_id) for s in route.stops]
        if not any(j.priority == "emergency" and not j.locked for j in seq):
            continue
        legs = legs or legs_for(problem)
        tech = problem.tech(tid)
        best = simulate(tech, seq, legs)
        if best is None:  # pragma: no cover - the solver's routes are feasible
            continue
        base = best.drive
        for job in [j for j in seq if j.priority == "emergency" and not j.locked]:
            i = seq.index(job)
            for pos in range(i):
                trial = [*seq[:i], *seq[i + 1 :]]
                trial.insert(pos, job)
                timing = simulate(tech, trial, legs)
                if timing is not None and timing.drive <= base + EARLY_SLACK:
                    seq, best = trial, timing
                    break
        routes[tid] = build_route(tech, seq, best, legs)
    return Plan(routes, plan.unassigned, plan.solver, plan.wall_seconds)


def protect_locked(ctx: DayContext, plan: Plan) -> Plan:
    """A booked visit the plan could not place (e.g. unreachable in time from the one
    before) still holds its slot: take new or moved work overlapping it off that route."""
    problem = ctx.problem
    stuck = [problem.job(u.job_id) for u in plan.unassigned if problem.job(u.job_id).locked]
    if not stuck:
        return plan
    routes = dict(plan.routes)
    unassigned = list(plan.unassigned)
    legs = legs_for(problem)
    for lock in stuck:
        route = routes.get(lock.locked_tech) if lock.locked_tech is not None else None
        if route is None or lock.locked_start is None:
            continue
        lo, hi = lock.locked_start, lock.locked_start + lock.service_minutes
        clash = [
            s
            for s in route.stops
            if not problem.job(s.job_id).locked and s.start < hi and s.end > lo
        ]
        if not clash:
            continue
        keep = [s for s in route.stops if s not in clash]
        tech = problem.tech(route.tech_id)
        seq = [problem.job(s.job_id) for s in keep]
        timing = simulate(tech, seq, legs, pinned={s.job_id: s.start for s in keep})
        if timing is None:  # pragma: no cover - removing stops cannot break a route
            continue
        routes[route.tech_id] = build_route(tech, seq, timing, legs)
        info = ctx.jobs[lock.id]
        unassigned += [
            Unassigned(s.job_id, f"overlaps booked visit {info.number} that the route cannot reach")
            for s in clash
        ]
    slots = {
        (j.locked_tech, j.locked_start, j.locked_start + j.service_minutes)
        for j in stuck
        if j.locked_start is not None
    }
    return _reinsert(problem, Plan(routes, unassigned, plan.solver, plan.wall_seconds), slots)


def _reinsert(problem, plan: Plan, slots) -> Plan:
    """Offer the work taken off a route to every technician again (most urgent first),
    never over a protected slot."""
    routes, unassigned = dict(plan.routes), list(plan.unassigned)
    taken = [u for u in unassigned if not problem.job(u.job_id).locked]
    for u in sorted(taken, key=lambda u: (problem.job(u.job_id).rank, u.job_id)):
        job = problem.job(u.job_id)
        techs = list(problem.techs)
        while techs:
            sub = Problem(problem.jobs, techs, problem.travel, problem.day)
            ins = insert_job(Plan(routes), sub, job)
            if ins is None or ins.route is None:
                break
            if any(
                t == ins.tech_id and s.start < hi and s.end > lo
                for t, lo, hi in slots
                for s in ins.route.stops
            ):
                techs = [t for t in techs if t.id != ins.tech_id]
                continue
            routes[ins.tech_id] = ins.route
            unassigned.remove(u)
            break
    return Plan(routes, unassigned, plan.solver, plan.wall_seconds)


def proposal_from(ctx: DayContext, plan: Plan, reoptimize: bool) -> PlanProposal:
    violations = [str(v) for v in check_plan(ctx.problem, plan)]
    routes = [planned_route(ctx, plan.routes[key]) for key in ctx.techs if key in plan.routes]
    unassigned = []
    for u in plan.unassigned:
        info = ctx.jobs[u.job_id]
        if info.helper:
            continue
        reason = ctx.readable(u.reason)
        reason = f"booked visit kept as is: {reason}" if info.locked else reason
        unassigned.append(Unplanned(info.number, info.priority, reason, info.visit_id))
    unassigned += [Unplanned(i.number, i.priority, r) for i, r in ctx.unplannable]
    return PlanProposal(
        day=ctx.day,
        zone=ctx.zone,
        routes=routes,
        unassigned=unassigned,
        total_drive_minutes=plan.total_drive_minutes,
        solver=plan.solver,
        wall_seconds=plan.wall_seconds,
        reoptimize=reoptimize,
        violations=violations,
        versions={i.number: i.version for i in ctx.jobs.values()},
        not_working={ctx.names.get(k, str(k)): v for k, v in ctx.not_working.items()},
        holiday=ctx.holiday,
    )


# --------------------------------------------------------------------------- diff


@dataclass
class Change:
    kind: str  # book | move | keep | unplanned
    number: str
    visit_id: int | None
    priority: str
    before_tech: str | None = None
    before_start: datetime | None = None
    after_tech: str | None = None
    after_tech_id: int | None = None
    after_start: datetime | None = None
    after_end: datetime | None = None
    reason: str = ""


KIND_ORDER = {"book": 0, "move": 1, "keep": 2, "unplanned": 3}


def diff(proposal: PlanProposal, current: DaySchedule) -> list[Change]:
    """What applying `proposal` changes in `current` (the day's schedule now)."""
    leads = {
        v.visit_id: (lane.name, v.starts_at, v.priority, v.number)
        for lane in current.lanes
        for v in lane.visits
        if v.role == "lead"
    }
    out: list[Change] = []
    seen: set[int] = set()
    for route, stop in proposal.stops:
        if stop.helper:
            continue
        change = Change(
            kind="book",
            number=stop.number,
            visit_id=stop.visit_id,
            priority=stop.priority,
            after_tech=route.tech_name,
            after_tech_id=route.tech_id,
            after_start=stop.starts_at,
            after_end=stop.ends_at,
        )
        if stop.visit_id is not None:
            seen.add(stop.visit_id)
            before = leads.get(stop.visit_id)
            if before is None:
                change.kind, change.reason = "move", "visit no longer booked"
            else:
                change.before_tech, change.before_start = before[0], before[1]
                same = before[0] == route.tech_name and before[1] == stop.starts_at
                change.kind = "keep" if same else "move"
        out.append(change)
    for vid, (name, starts, priority, number) in leads.items():
        if vid not in seen:
            out.append(
                Change(
                    "keep",
                    number,
                    vid,
                    priority,
                    name,
                    starts,
                    name,
                    None,
                    starts,
                    reason=_not_planned_reason(proposal, vid),
                )
            )
    for u in proposal.unassigned:
        if u.visit_id is None:
            out.append(Change("unplanned", u.number, None, u.priority, reason=u.reason))
    return sorted(
        out,
        key=lambda c: (
            KIND_ORDER[c.kind],
            c.after_tech or "",
            c.after_start or datetime.max.replace(tzinfo=proposal.zone),
            c.number,
        ),
    )


def _not_planned_reason(proposal: PlanProposal, visit_id: int) -> str:
    for u in proposal.unassigned:
        if u.visit_id == visit_id:
            return u.reason
    if proposal.holiday == "off":
        return "shop holiday: left as booked"
    return "outside the planned shift; left as booked"


def changes_summary(changes: list[Change]) -> dict[str, int]:
    out = dict.fromkeys(KIND_ORDER, 0)
    for c in changes:
        out[c.kind] += 1
    return out


# --------------------------------------------------------------------------- apply


@dataclass
class ApplyResult:
    booked: list[str]
    moved: list[str]


def apply(session: Session, proposal: PlanProposal, actor: str = "dispatcher") -> ApplyResult:
    """Book the new visits and move the moved ones, in the caller's ONE transaction: any
    refusal or conflict raises and the caller's `write_session` rolls everything back."""
    if proposal.violations:  # never write a plan the independent checker rejects
        raise InvalidInput("plan fails the feasibility check: " + "; ".join(proposal.violations))
    current = day_schedule(session, proposal.day, zone=proposal.zone)
    changes = diff(proposal, current)
    for c in changes:
        if c.kind == "move" and c.reason:
            raise Conflict(f"{c.number}: {c.reason}; plan again")
    moves = [c for c in changes if c.kind == "move"]
    books = [c for c in changes if c.kind == "book"]
    touched: set[str] = set()
    apply_moves(
        session,
        [(c.visit_id, c.after_tech_id, c.after_start, c.number) for c in moves],
        proposal.versions,
        touched,
        actor,
    )
    for c in books:
        order = must_get(session, WorkOrder, _order_id(proposal, c))
        if scheduling.active_visits(session, order.id):
            raise Conflict(f"{order.number} was booked by someone else meanwhile; plan again")
        tech = must_get(session, Technician, c.after_tech_id)
        if c.after_start is None or c.after_end is None:  # (a booking always has its slot)
            raise Conflict(f"{c.number}: no time slot in the plan; plan again")
        minutes = int((c.after_end - c.after_start).total_seconds() // 60)
        scheduling.book_visit(
            session,
            order,
            [tech],
            c.after_start,
            minutes,
            actor=actor,
            expected_version=_version(proposal.versions, touched, c.number),
        )
    session.flush()
    return ApplyResult([c.number for c in books], [c.number for c in moves])


def apply_moves(session, moves, versions, touched: set[str], actor: str) -> None:
    """Reschedule visits (visit_id, tech_id, new start, number) together: their current
    slots are released first so that two visits may swap places in one transaction."""
    visits = []
    for visit_id, tech_id, starts_at, number in moves:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise Conflict(f"{number}: the visit is gone; plan again")
        visits.append((visit, tech_id, starts_at, number))
    for visit, *_ in visits:
        for row in session.exec(
            select(VisitTechnician).where(VisitTechnician.visit_id == visit.id)
        ):
            row.active = False
    session.flush()
    for visit, tech_id, starts_at, number in visits:
        tech = session.get(Technician, tech_id)
        scheduling.reschedule_visit(
            session,
            visit,
            starts_at,
            techs=[tech],
            actor=actor,
            expected_version=_version(versions, touched, number),
        )


def _version(versions: dict[str, int], touched: set[str], number: str) -> int | None:
    """The version read when planning, for the first write to an order (later writes in
    the same transaction follow the bumped version)."""
    if number in touched:
        return None
    touched.add(number)
    return versions.get(number)


def _order_id(proposal: PlanProposal, change: Change) -> int:
    for _, stop in proposal.stops:
        if stop.number == change.number and stop.visit_id is None:
            return stop.order_id
    raise InvalidInput(f"{change.number} is not in the plan")  # pragma: no cover


def describe(change: Change, zone) -> str:
    """One line for the CLI and the console."""
    b = (
        f"{change.before_tech} {fmt(change.before_start, zone, '%H:%M')}"
        if change.before_tech
        else ""
    )
    a = (
        f"{change.after_tech} {fmt(change.after_start, zone, '%H:%M')}-"
        f"{fmt(change.after_end, zone, '%H:%M')}"
        if change.after_end
        else ""
    )
    if change.kind == "book":
        return f"+ {change.number} {change.priority}: book {a}"
    if change.kind == "move":
        return f"~ {change.number} {change.priority}: {b} -> {a}"
    if change.kind == "keep":
        return f"= {change.number} {change.priority}: {b}" + (
            f" ({change.reason})" if change.reason else ""
        )
    return f"! {change.number} {change.priority}: not planned: {change.reason}"


def plan_changes(
    session: Session,
    day: date,
    time_limit: float | None = None,
    *,
    reoptimize: bool = False,
    force: bool = False,
) -> tuple[PlanProposal, list[Change]]:
    """`plan_day` and what applying it would change against the day as booked (the diff
    `dispatch plan` prints and the day plan screen shows)."""
    proposal = plan_day(session, day, time_limit, reoptimize=reoptimize, force=force)
    return proposal, diff(proposal, day_schedule(session, day, zone=proposal.zone))
