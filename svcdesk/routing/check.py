"""Independent feasibility checker for plans.

Written separately from the solvers' scheduling code (``schedule.py``) on purpose: it
re-derives every rule from the problem data and the plan alone, and recomputes travel
with the problem's provider, so a bug in the solvers' timing cannot hide itself.

Rules checked: every stop is a known job, planned at most once and not also listed as
unassigned; known technician; skills (a job locked to a technician is exempt); the service
start inside the customer window; inside the shift (leave no earlier than shift start,
back no later than shift end); arrival consistent with the previous stop's end plus the
travel time (and the break, when taken on that leg); stops in time order without overlap;
recorded travel minutes equal to the provider's; the lunch break, when the shift needs
one (and the booked visits leave room for it), taken once inside its window and fitted in
a leg; locked visits on their technician at their time, and never left out while the
technician's booked visits fit together in the shift (lunch is what gives way); and the
priority rule: an emergency job is not left unassigned while a
lower-priority job is kept by a technician who could do it (reported only for the
obvious case, when dropping that technician's lower-priority work would make room; see
``priority_conflicts``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from svcdesk.routing.model import Job, Plan, Problem, Tech


@dataclass(frozen=True)
class Violation:
    code: str
    tech_id: str | None
    job_id: str | None
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def check_plan(problem: Problem, plan: Plan, *, check_priority: bool = True) -> list[Violation]:
    out: list[Violation] = []
    jobs = {j.id: j for j in problem.jobs}
    techs = {t.id: t for t in problem.techs}
    seen: dict[str, str] = {}

    def bad(code: str, tech: str | None, job: str | None, msg: str) -> None:
        out.append(Violation(code, tech, job, msg))

    for key, route in plan.routes.items():
        if key != route.tech_id:
            bad("route-key", route.tech_id, None, f"route filed under {key} is {route.tech_id}")
        tech = techs.get(route.tech_id)
        if tech is None:
            bad("unknown-tech", route.tech_id, None, f"unknown technician {route.tech_id}")
            continue
        _check_route(problem, tech, route, jobs, seen, bad)

    unassigned = set()
    for u in plan.unassigned:
        if u.job_id not in jobs:
            bad("unknown-job", None, u.job_id, f"unassigned job {u.job_id} is not in the problem")
        if u.job_id in seen:
            bad("double", seen[u.job_id], u.job_id, f"{u.job_id} is both planned and unassigned")
        if u.job_id in unassigned:
            bad("double", None, u.job_id, f"{u.job_id} listed twice as unassigned")
        unassigned.add(u.job_id)
        job = jobs.get(u.job_id)
        if job is not None and job.locked and _bookings_fit(problem, job.locked_tech):
            bad(
                "locked",
                job.locked_tech,
                u.job_id,
                f"booked visit {u.job_id} dropped from {job.locked_tech}'s route",
            )
    for jid in jobs:
        if jid not in seen and jid not in unassigned:
            bad("missing", None, jid, f"{jid} is neither planned nor listed as unassigned")

    total = sum(r.drive_minutes for r in plan.routes.values())
    if total != plan.total_drive_minutes:
        bad("total", None, None, "total drive minutes do not add up")
    if check_priority:
        out.extend(priority_conflicts(problem, plan))
    return out


def _check_route(problem, tech: Tech, route, jobs, seen, bad) -> None:  # noqa: C901
    tid = tech.id
    if not route.stops:
        return
    travel = problem.travel
    prev_loc = tech.start_location
    depart = route.depart if route.depart is not None else tech.shift_start
    if depart < tech.shift_start:
        bad("shift", tid, None, f"{tid} leaves at {depart}, before the shift starts")
    prev_free = depart
    lunch = route.lunch
    bw = _break_window(tech)
    n = len(route.stops)
    if bw is not None and lunch is None and _bookings_fit(problem, tid, with_lunch=True):
        bad("break", tid, None, f"{tid} has no lunch break")
    if lunch is not None:
        if bw is None:
            bad("break", tid, None, f"{tid} has a break but none is due")
        else:
            e, lat, dur = bw
            if not (e <= lunch.start <= lat):
                bad(
                    "break", tid, None, f"{tid} lunch starts at {lunch.start}, outside [{e}, {lat}]"
                )
            if lunch.end - lunch.start != dur:
                bad("break", tid, None, f"{tid} lunch lasts {lunch.end - lunch.start}, not {dur}")
        if not 0 <= lunch.before_stop <= n:
            bad("break", tid, None, f"{tid} lunch placed on a leg that does not exist")

    for k in range(n + 1):
        is_home = k == n
        loc = tech.home_end if is_home else None
        stop = None if is_home else route.stops[k]
        job = None
        if stop is not None:
            job = jobs.get(stop.job_id)
            if job is None:
                bad("unknown-job", tid, stop.job_id, f"{stop.job_id} is not in the problem")
                return
            if stop.job_id in seen:
                bad("double", tid, stop.job_id, f"{stop.job_id} planned twice")
            seen[stop.job_id] = tid
            loc = job.location
        leg = travel.leg(prev_loc, loc)
        recorded = route.return_travel_minutes if is_home else stop.travel_minutes
        if recorded != leg.minutes:
            what = "home" if is_home else stop.job_id
            bad(
                "travel",
                tid,
                None if is_home else stop.job_id,
                f"{tid}: leg to {what} recorded {recorded} min, provider says {leg.minutes}",
            )
        need = leg.minutes
        if lunch is not None and lunch.before_stop == k:
            need += lunch.end - lunch.start
            if lunch.start < prev_free:
                bad("break", tid, None, f"{tid} lunch at {lunch.start} overlaps previous work")
        ready_min = prev_free + need
        if is_home:
            arrive = route.return_arrival
            if arrive is None or arrive < ready_min:
                bad("time", tid, None, f"{tid} back home at {arrive}, cannot be before {ready_min}")
                arrive = ready_min
            if lunch is not None and lunch.before_stop == k and lunch.end > arrive:
                bad("break", tid, None, f"{tid} lunch ends after arriving home")
            if arrive > tech.shift_end:
                bad("shift", tid, None, f"{tid} back at {arrive}, after shift end {tech.shift_end}")
            break
        assert stop is not None and job is not None
        if stop.arrival < ready_min:
            bad(
                "time",
                tid,
                job.id,
                f"{job.id}: arrival {stop.arrival} earlier than possible ({ready_min})",
            )
        if lunch is not None and lunch.before_stop == k and lunch.end > stop.start:
            bad("break", tid, job.id, f"{tid} lunch runs into {job.id}")
        if stop.start < stop.arrival:
            bad("time", tid, job.id, f"{job.id}: starts before arriving")
        if stop.end != stop.start + job.service_minutes:
            bad("service", tid, job.id, f"{job.id}: end != start + service time")
        if job.locked_tech is not None:
            if job.locked_tech != tid:
                bad("locked", tid, job.id, f"{job.id} is locked to {job.locked_tech}")
            if job.locked_start is not None and stop.start != job.locked_start:
                bad(
                    "locked", tid, job.id, f"{job.id} moved from {job.locked_start} to {stop.start}"
                )
        elif not job.skills <= tech.skills:
            missing = ", ".join(sorted(job.skills - tech.skills))
            bad("skill", tid, job.id, f"{tid} lacks {missing} for {job.id}")
        if job.window_start is not None and stop.start < job.window_start:
            bad(
                "window",
                tid,
                job.id,
                f"{job.id} starts {stop.start}, window opens {job.window_start}",
            )
        if job.window_end is not None and stop.start > job.window_end:
            bad(
                "window",
                tid,
                job.id,
                f"{job.id} starts {stop.start}, window closed {job.window_end}",
            )
        if stop.start < tech.shift_start or stop.end > tech.shift_end:
            bad("shift", tid, job.id, f"{job.id} outside {tid}'s shift")
        prev_free = stop.end
        prev_loc = job.location


def _bookings_fit(problem: Problem, tech_id: str | None, *, with_lunch: bool = False) -> bool:
    """Do the technician's booked visits (locked with a start) fit together in their shift
    (lunch aside, unless ``with_lunch``)? If they do, none of them may be left out: lunch
    goes around them, and when it cannot, lunch is what gives way (a route without lunch
    is accepted only then)."""
    tech = next((t for t in problem.techs if t.id == tech_id), None)
    if tech is None:
        return False
    booked = sorted(
        (j for j in problem.jobs if j.locked_tech == tech_id and j.locked_start is not None),
        key=lambda j: (j.locked_start, j.id),
    )
    return _fits(problem, tech if with_lunch else replace(tech, lunch=None), booked)


def _break_window(tech: Tech) -> tuple[int, int, int] | None:
    b = tech.lunch
    if b is None or b.duration <= 0:
        return None
    if tech.shift_start > b.latest_start or tech.shift_end < b.earliest_start + b.duration:
        return None
    return (
        max(b.earliest_start, tech.shift_start),
        min(b.latest_start, tech.shift_end - b.duration),
        b.duration,
    )


def priority_conflicts(problem: Problem, plan: Plan) -> list[Violation]:
    """Unassigned emergencies that a qualified technician could obviously have taken.

    For each unassigned emergency job and each technician who may do it and who keeps a
    lower-priority job, the check drops ALL of that technician's lower-priority (and
    unlocked) jobs, keeps the rest in their order and tries the emergency in every
    position with earliest-start timing (break taken on any leg). If that fits, the plan
    kept low-priority work over the emergency.
    """
    out: list[Violation] = []
    assigned = plan.assigned_ids
    jobs = {j.id: j for j in problem.jobs}
    for e in problem.jobs:
        if e.priority != "emergency" or e.id in assigned:
            continue
        for tech in problem.techs:
            route = plan.routes.get(tech.id)
            if route is None:
                continue
            if e.locked_tech is not None and e.locked_tech != tech.id:
                continue
            if e.locked_tech is None and not e.skills <= tech.skills:
                continue
            kept = [jobs[s.job_id] for s in route.stops]
            lower = [j for j in kept if j.rank > e.rank and not j.locked]
            if not lower:
                continue
            rest = [j for j in kept if not (j.rank > e.rank and not j.locked)]
            for pos in range(len(rest) + 1):
                if _fits(problem, tech, [*rest[:pos], e, *rest[pos:]]):
                    out.append(
                        Violation(
                            "priority",
                            tech.id,
                            e.id,
                            f"emergency {e.id} unassigned while {tech.id} keeps lower-priority "
                            f"{', '.join(j.id for j in lower)}",
                        )
                    )
                    break
            else:
                continue
            break
    return out


def _fits(problem: Problem, tech: Tech, seq: list[Job]) -> bool:
    travel = problem.travel
    locs = [tech.start_location, *(j.location for j in seq), tech.home_end]
    legs = [travel.leg(locs[i], locs[i + 1]).minutes for i in range(len(locs) - 1)]
    bw = _break_window(tech)
    options = [None] if bw is None else list(range(len(seq) + 1))
    for gap in options:
        t = tech.shift_start
        ok = True
        for k in range(len(seq) + 1):
            need = legs[k]
            if gap == k:
                assert bw is not None
                bs = max(t, bw[0])
                if bs > bw[1]:
                    ok = False
                    break
                ready = max(bs + bw[2], t + need + bw[2])
            else:
                ready = t + need
            if k == len(seq):
                ok = ready <= tech.shift_end
                break
            j = seq[k]
            lo = j.locked_start if j.locked_start is not None else j.window_start
            hi = j.locked_start if j.locked_start is not None else j.window_end
            lo = tech.shift_start if lo is None else max(lo, tech.shift_start)
            hi = tech.shift_end if hi is None else hi
            start = max(ready, lo)
            if start > hi:
                ok = False
                break
            t = start + j.service_minutes
        if ok:
            return True
    return False
