"""Route solvers: PyVRP behind ``RouteSolver``, a greedy baseline, insertion and one-route.

``PyVRPSolver`` (the default; see docs/routing.md for why PyVRP) maps the field-service
day onto PyVRP's prize-collecting VRP with time windows:

* each technician is a vehicle type (``num_available=1``) with its own start/end depot
  and its shift as the vehicle time window;
* each job is an optional client whose prize depends on its priority (an emergency is
  worth far more than any day's driving, so it is kept before anything else);
* skills / locks (eligibility) use routing *profiles*: technicians with the same set of
  eligible jobs share a profile whose distance matrix is ``MAX_VALUE`` to and from every
  job they may not do (PyVRP's own recipe for site-dependent VRPs);
* a locked visit is eligible for its technician only, with ``tw_early = tw_late =
  locked_start`` and a prize above everything else;
* the lunch break is a "twin" of each job: the same site, service + break, a window
  that starts the break right after the service inside the break window, and one unit
  of a break dimension (vehicle capacity 1 = one lunch per route). A job and its twins
  form a mutually exclusive optional client group. Travel is real on every leg, so a
  route PyVRP returns is feasible as it stands; it is still re-timed with
  ``schedule.simulate`` (which may move lunch to a better leg or into waiting time);
* the granular neighbourhood is computed with numpy (``granular_neighbours``, PyVRP's
  proximity) because ``compute_neighbours`` takes seconds on large multi-profile days;
* finally, unassigned emergencies (then high) are re-inserted, ejecting lower-priority
  work from a qualified technician if that is what it takes.

The objective is drive minutes + prizes of the jobs left out.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from svcdesk.routing.model import (
    PRIORITY_RANK,
    Job,
    Location,
    Plan,
    Problem,
    Route,
    Tech,
    Unassigned,
)
from svcdesk.routing.schedule import Legs, Timing, build_route, simulate
from svcdesk.routing.travel import matrix_for

DEFAULT_PRIZES: dict[str, int] = {
    "emergency": 1_000_000,
    "high": 20_000,
    "normal": 4_000,
    "low": 1_000,
}
"""Value (in drive minutes) of serving a job, by priority; same ratios as the fsday
benchmark's drop penalties for high/normal/low, emergencies dominant."""
LOCKED_PRIZE = 10_000_000
LUNCH_BONUS = 1_000
"""Extra prize of a job's lunch twin (= a low-priority job): a route would as soon drop a
low job as go without a lunch the solver can see; the drive decides."""
MAX_PENALTY = 1e9  # per unit of time warp / excess load; must dwarf the prizes above


class RouteSolver(Protocol):
    name: str

    def solve(self, problem: Problem, time_limit_s: float = 2.0) -> Plan: ...


# --------------------------------------------------------------------------- helpers


def _locations(problem: Problem) -> list[Location]:
    seen: dict[Location, None] = {}
    for t in problem.techs:
        seen.setdefault(t.start_location)
        seen.setdefault(t.home_end)
    for j in problem.jobs:
        seen.setdefault(j.location)
    return list(seen)


def legs_for(problem: Problem) -> Legs:
    return Legs(matrix_for(problem.travel, _locations(problem), problem.day))


def unassigned_reason(problem: Problem, job: Job, legs: Legs | None = None) -> str:
    techs = {t.id: t for t in problem.techs}
    if job.locked_tech is not None:
        t = techs.get(job.locked_tech)
        if t is None:
            return f"locked to unknown technician {job.locked_tech}"
        if legs is not None and simulate(t, [job], legs) is None:
            return f"locked visit does not fit {t.id}'s shift"
        return f"locked visit conflicts with {t.id}'s other locked visits"
    qualified = [t for t in techs.values() if t.can_do(job)]
    if not qualified:
        need = ", ".join(sorted(job.skills)) or "?"
        return f"no technician has the skill ({need})"
    in_shift = [t for t in qualified if job.earliest(t) <= job.latest(t)]
    if not in_shift:
        return "window outside every qualified technician's shift"
    if legs is not None and all(simulate(t, [job], legs) is None for t in in_shift):
        return "cannot be reached and finished within any qualified shift"
    return "no room left in qualified technicians' day"


def lunch_around_bookings(problem: Problem, legs) -> Problem:
    """Booked visits are kept whatever happens; lunch is placed around them. A technician
    whose booked visits leave no room for lunch is planned without one (the checker then
    reports the missing lunch: the truth, and the dispatcher's call) rather than losing a
    booking."""
    techs = []
    changed = False
    for t in problem.techs:
        locked = sorted(
            (j for j in problem.jobs if j.locked_tech == t.id and j.locked_start is not None),
            key=lambda j: (j.locked_start, j.id),
        )
        if (
            locked
            and t.break_window() is not None
            and simulate(t, locked, legs) is None
            and simulate(replace(t, lunch=None), locked, legs) is not None
        ):
            t = replace(t, lunch=None)
            changed = True
        techs.append(t)
    if not changed:
        return problem
    return Problem(problem.jobs, techs, problem.travel, problem.day)


def _sort_key(job: Job) -> tuple:
    return (job.rank, job.window_end if job.window_end is not None else 10**9, job.id)


@dataclass
class Insertion:
    """Best place for a job: technician, position, the cost and the knock-on delays."""

    tech_id: str
    position: int
    added_drive_minutes: int
    start: int
    delays: dict[str, int] = field(default_factory=dict)  # later job id -> minutes later
    route: Route | None = None


class _State:
    """Mutable working plan: sequences of jobs per technician."""

    def __init__(self, problem: Problem, legs: Legs) -> None:
        self.problem = problem
        self.legs = legs
        self.techs = {t.id: t for t in problem.techs}
        self.seq: dict[str, list[Job]] = {t.id: [] for t in problem.techs}
        self.timing: dict[str, Timing] = {}
        self.reasons: dict[str, str] = {}

    def retime(self, tid: str) -> Timing | None:
        tm = simulate(self.techs[tid], self.seq[tid], self.legs)
        if tm is not None:
            self.timing[tid] = tm
        return tm

    def assigned(self) -> set[str]:
        return {j.id for s in self.seq.values() for j in s}

    def to_plan(self, name: str, t0: float) -> Plan:
        routes = {}
        for tid, seq in self.seq.items():
            tech = self.techs[tid]
            tm = self.timing.get(tid) or simulate(tech, seq, self.legs)
            assert tm is not None, f"route of {tid} infeasible"
            routes[tid] = build_route(tech, seq, tm, self.legs)
        done = self.assigned()
        unassigned = [
            Unassigned(
                j.id, self.reasons.get(j.id) or unassigned_reason(self.problem, j, self.legs)
            )
            for j in sorted(self.problem.jobs, key=_sort_key)
            if j.id not in done
        ]
        return Plan(routes, unassigned, name, round(time.perf_counter() - t0, 3))

    # -- insertion ---------------------------------------------------------------

    def best_insertion(
        self,
        job: Job,
        techs: Iterable[Tech] | None = None,
        first_pos: Mapping[str, int] | None = None,
        pinned: Mapping[str, int] | None = None,
        depart: int | None = None,
    ) -> tuple[str, int, Timing, int] | None:
        best = None
        for tech in techs if techs is not None else self.techs.values():
            if not tech.can_do(job) or job.earliest(tech) > job.latest(tech):
                continue
            seq = self.seq[tech.id]
            old = self.timing.get(tech.id) or simulate(tech, seq, self.legs, pinned=pinned)
            old_drive = old.drive if old is not None else 0
            lo = first_pos.get(tech.id, 0) if first_pos else 0
            for pos in range(lo, len(seq) + 1):
                tm = simulate(
                    tech, [*seq[:pos], job, *seq[pos:]], self.legs, pinned=pinned, depart=depart
                )
                if tm is None:
                    continue
                cost = tm.drive - old_drive
                key = (cost, tm.return_arrival)
                if best is None or key < best[0]:
                    best = (key, tech.id, pos, tm)
        if best is None:
            return None
        return best[1], best[2], best[3], best[0][0]

    def insert(self, job: Job) -> bool:
        found = self.best_insertion(job)
        if found is None:
            return False
        tid, pos, tm, _ = found
        self.seq[tid].insert(pos, job)
        self.timing[tid] = tm
        return True

    def make_feasible(self, tid: str) -> list[Job]:
        """Remove jobs from an infeasible route until it fits; returns the removed ones."""
        removed: list[Job] = []
        tech = self.techs[tid]
        while self.retime(tid) is None:
            seq = self.seq[tid]
            cands = [i for i, j in enumerate(seq) if not j.locked] or list(range(len(seq)))
            fixes = []
            for i in cands:
                tm = simulate(tech, seq[:i] + seq[i + 1 :], self.legs)
                if tm is not None:
                    fixes.append((-seq[i].rank, -seq[i].service_minutes, i))
            i = min(fixes)[2] if fixes else max(cands, key=lambda i: (seq[i].rank, i))
            removed.append(seq.pop(i))
        return removed

    def priority_repair(self, ranks: Sequence[int] = (0,)) -> None:
        """Insert unassigned urgent jobs, ejecting lower-priority work when needed."""
        jobs = sorted(self.problem.jobs, key=_sort_key)
        for job in jobs:
            if job.rank not in ranks or job.id in self.assigned():
                continue
            if self.insert(job):
                continue
            best = None
            for tech in self.techs.values():
                if not tech.can_do(job) or job.earliest(tech) > job.latest(tech):
                    continue
                seq = self.seq[tech.id]
                lower = sorted(
                    (j for j in seq if j.rank > job.rank and not j.locked),
                    key=lambda j: (-j.rank, -j.service_minutes),
                )
                kept = list(seq)
                ejected: list[Job] = []
                for victim in lower:
                    kept.remove(victim)
                    ejected.append(victim)
                    fit = None
                    for pos in range(len(kept) + 1):
                        tm = simulate(tech, [*kept[:pos], job, *kept[pos:]], self.legs)
                        if tm is not None and (fit is None or tm.drive < fit[1].drive):
                            fit = ([*kept[:pos], job, *kept[pos:]], tm)
                    if fit is not None:
                        score = (sum(DEFAULT_PRIZES[j.priority] for j in ejected), fit[1].drive)
                        if best is None or score < best[0]:
                            best = (score, tech.id, fit[0], fit[1], list(ejected))
                        break
            if best is None:
                continue
            _, tid, seq, tm, ejected = best
            self.seq[tid] = seq
            self.timing[tid] = tm
            for j in sorted(ejected, key=_sort_key):
                self.insert(j)


# --------------------------------------------------------------------------- greedy


class GreedySolver:
    """What a busy dispatcher does by hand: jobs by priority then deadline, each to the
    nearest qualified technician who is free to fit it after their last job."""

    name = "greedy"

    def __init__(self, order: str = "time") -> None:
        # "time": emergencies first, then through the day by window start, more urgent
        # first on ties (how a dispatcher fills a board); "priority": strictly by priority
        self.order = order

    def _key(self, job: Job) -> tuple:
        if self.order == "priority":
            return _sort_key(job)
        urgent = 0 if job.priority == "emergency" else 1
        return (urgent, job.window_start or 0, job.rank, job.window_end or 10**9, job.id)

    def solve(self, problem: Problem, time_limit_s: float = 0.0) -> Plan:
        t0 = time.perf_counter()
        legs = legs_for(problem)
        problem = lunch_around_bookings(problem, legs)
        st = _State(problem, legs)
        locked = [j for j in problem.jobs if j.locked]
        for j in sorted(locked, key=lambda j: (j.locked_start or 0, j.id)):
            if j.locked_tech in st.seq:
                st.seq[j.locked_tech].append(j)
        for tid in st.seq:
            if st.retime(tid) is None:
                for j in st.make_feasible(tid):
                    st.reasons[j.id] = unassigned_reason(problem, j, legs)
        # per-tech state for appending: (time free, location, break taken)
        state: dict[str, tuple[int, Location, bool]] = {}
        for tid, seq in st.seq.items():
            tech = st.techs[tid]
            tm = st.timing[tid]
            if seq:
                free = tm.starts[-1] + seq[-1].service_minutes
                state[tid] = (
                    free,
                    seq[-1].location,
                    tm.break_gap is not None and tm.break_gap < len(seq),
                )
            else:
                state[tid] = (tech.shift_start, tech.start_location, False)
        has_locks = {j.locked_tech for j in locked}
        for job in sorted((j for j in problem.jobs if not j.locked), key=self._key):
            best = None
            for tech in problem.techs:
                if not tech.can_do(job):
                    continue
                if tech.id in has_locks:
                    found = st.best_insertion(job, [tech])
                    if found is not None:
                        tid, pos, tm, _ = found
                        d = legs.minutes(tech.start_location, job.location)
                        cand = (d, tm.starts[pos], tech.id, ("insert", pos, tm))
                        if best is None or cand[:2] < best[:2]:
                            best = cand
                    continue
                opt = self._append(tech, job, state[tech.id], legs)
                if opt is not None:
                    travel, start, end, took = opt
                    cand = (travel, start, tech.id, ("append", end, took))
                    if best is None or cand[:2] < best[:2]:
                        best = cand
            if best is None:
                continue
            _, _, tid, how = best
            if how[0] == "insert":
                self_pos, tm = how[1], how[2]
                st.seq[tid].insert(self_pos, job)
                st.timing[tid] = tm
            else:
                st.seq[tid].append(job)
                free, loc, took = state[tid]
                state[tid] = (how[1], job.location, took or how[2])
                st.timing.pop(tid, None)
        for tid in st.seq:
            if tid not in st.timing and st.retime(tid) is None:
                for j in st.make_feasible(tid):  # pragma: no cover - defensive
                    st.reasons[j.id] = "dropped while timing the route"
        # an emergency the board could not fit is squeezed in, bumping lower-priority work
        # when that is what it takes (what a dispatcher does; the checker's priority rule)
        st.priority_repair()
        for tid in st.seq:
            if tid not in st.timing:
                st.retime(tid)
        return st.to_plan(self.name, t0)

    @staticmethod
    def _append(tech: Tech, job: Job, state, legs: Legs):
        free, loc, took = state
        lo, hi = job.earliest(tech), job.latest(tech)
        if lo > hi:
            return None
        tr = legs.minutes(loc, job.location)
        home_tr = legs.minutes(job.location, tech.home_end)
        bw = tech.break_window()
        options = []
        if bw is None or took:
            options.append(False)
        else:
            # a dispatcher sends the tech to lunch once the lunch window is open
            options = [True, False] if free >= bw[0] else [False, True]
        for lunch_now in options:
            ready = free + tr
            if lunch_now:
                assert bw is not None
                bs = max(free, bw[0])
                if bs > bw[1]:
                    continue
                ready = max(bs + bw[2], free + tr + bw[2])
            start = max(ready, lo)
            if start > hi:
                continue
            end = start + job.service_minutes
            if bw is not None and not took and not lunch_now:
                bs = max(end, bw[0])
                if bs > bw[1] or max(bs + bw[2], end + home_tr + bw[2]) > tech.shift_end:
                    continue
            elif end + home_tr > tech.shift_end:
                continue
            return tr, start, end, lunch_now
        return None


# --------------------------------------------------------------------------- PyVRP


def run_pyvrp(
    data,
    time_limit_s: float,
    seed: int = 1,
    initial_solution=None,
    max_penalty: float | None = None,
    neighbours=None,
):
    """Run PyVRP's iterated local search on ``data`` for ``time_limit_s`` seconds.

    This is ``pyvrp.solve`` with one difference: ``neighbours`` (the granular
    neighbourhood) may be given instead of computed by ``pyvrp.search.compute_neighbours``,
    which takes seconds on a 1,500-job day with many routing profiles."""
    import pyvrp
    from pyvrp.IteratedLocalSearch import IteratedLocalSearch
    from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
    from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
    from pyvrp.solve import SolveParams
    from pyvrp.stop import MaxRuntime

    params = SolveParams()
    if max_penalty is not None:
        params = SolveParams(penalty=PenaltyParams(max_penalty=max_penalty))
    with warnings.catch_warnings():
        # PenaltyBoundWarning fires on over-subscribed days; the result is still checked
        warnings.simplefilter("ignore")
        if neighbours is None:
            neighbours = compute_neighbours(data, params.neighbourhood)
        rng = pyvrp.RandomNumberGenerator(seed=seed)
        ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
        for op in params.operators:
            if op.supports(data):
                ls.add_operator(op(data))
        pm = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
        init = initial_solution
        if init is None:
            random = pyvrp.Solution.make_random(data, rng)
            init = ls(random, pm.max_cost_evaluator(), exhaustive=True)
        algo = IteratedLocalSearch(data, pm, ls, init, params.ils)
        return algo.run(MaxRuntime(max(0.01, time_limit_s)), False, False)


def granular_neighbours(data, travel: np.ndarray, pair_ok: np.ndarray, k: int = 50):
    """PyVRP's granular neighbourhood (Vidal et al. 2013 proximity: travel + 0.2 x least
    waiting + least time warp, symmetric; no neighbours inside a mutually exclusive group),
    computed with numpy over client-to-client ``travel`` minutes. ``pair_ok[i, j]`` is
    False when no technician may do both clients (never neighbours)."""
    from pyvrp import Activity, ActivityType

    cl = data.clients()
    n = len(cl)
    f = np.float32
    early = np.fromiter((c.tw_early for c in cl), f, n)
    late = np.fromiter((c.tw_late for c in cl), f, n)
    service = np.fromiter((c.service_duration for c in cl), f, n)
    prox = travel.astype(f)
    wait = early[None, :] - travel - service[:, None] - late[:, None]
    prox += 0.2 * np.maximum(wait, 0)
    warp = early[:, None] + service[:, None] + travel - late[None, :]
    prox += np.maximum(warp, 0)
    prox = np.minimum(prox, prox.T)
    big = np.finfo(f).max
    prox[~pair_ok] = np.inf
    for g in data.groups():
        prox[np.ix_(g.clients, g.clients)] = big
    np.fill_diagonal(prox, np.inf)
    k = min(k, n - 1)
    if k <= 0:
        return {Activity(ActivityType.CLIENT, i): [] for i in range(n)}
    top = np.argpartition(prox, k - 1, axis=1)[:, :k]
    rows = np.arange(n)[:, None]
    top = np.take_along_axis(top, np.argsort(prox[rows, top], axis=1, kind="stable"), axis=1)
    act = [Activity(ActivityType.CLIENT, i) for i in range(n)]
    return {act[i]: [act[j] for j in top[i] if np.isfinite(prox[i, j])] for i in range(n)}


@dataclass(frozen=True)
class _SeqRoute:
    """Just enough of a ``Route`` for ``_warm_start``: the stops' job ids."""

    seq: Sequence[Job]

    @property
    def stops(self):
        return [_JobStop(j.id) for j in self.seq]


@dataclass(frozen=True)
class _JobStop:
    job_id: str


class PyVRPSolver:
    """The default solver: PyVRP's ILS on the field-service model (see module doc)."""

    name = "pyvrp"

    def __init__(
        self,
        prizes: Mapping[str, int] | None = None,
        seed: int = 1,
        lunch_bonus: int = LUNCH_BONUS,
    ) -> None:
        self.prizes = dict(DEFAULT_PRIZES if prizes is None else prizes)
        self.seed = seed
        self.lunch_bonus = lunch_bonus
        self.lunch_twins: set[int] = set()

    def build(self, problem: Problem, legs: Legs):
        """Translate the problem; returns (ProblemData, client -> job, vtype -> tech).

        Lunch is a "twin" of a job: the same site, the service plus the break, a window that
        starts the break (right after the service, on site) inside the break window, and
        one unit of that break window's load dimension (capacity 1: one lunch per route).
        A job and its twins form a mutually exclusive optional client group, so the search
        decides per job whether lunch follows it; a twin's prize adds `lunch_bonus` so that
        routes take lunch where it fits. Travel stays real on every leg."""
        import pyvrp
        from pyvrp.constants import MAX_VALUE

        techs = list(problem.techs)
        jobs = list(problem.jobs)
        depot_locs: dict[Location, int] = {}
        for t in techs:
            depot_locs.setdefault(t.start_location, len(depot_locs))
            depot_locs.setdefault(t.home_end, len(depot_locs))
        n_dep = len(depot_locs)
        sigs = sorted({bw for t in techs if (bw := t.break_window()) is not None})
        ndim = len(sigs)
        n_loc = n_dep + len(jobs)

        # travel matrix over [depots..., one location per job]
        real = [*depot_locs, *(j.location for j in jobs)]
        ix = np.fromiter((legs.idx[p] for p in real), np.int64, len(real))
        base = np.ascontiguousarray(legs.minutes_array[np.ix_(ix, ix)], dtype=np.int64)

        locations = [pyvrp.Location(0, 0, name=f"L{i}") for i in range(n_loc)]
        depots = [pyvrp.Depot(i) for i in range(n_dep)]
        clients = []
        groups = []
        owner: list[Job] = []
        self.lunch_twins: set[int] = set()
        for k, j in enumerate(jobs):
            if j.locked_start is not None:
                tw = (j.locked_start, j.locked_start)
            else:
                tw = (j.window_start or 0, j.window_end if j.window_end is not None else 10**7)
            prize = LOCKED_PRIZE if j.locked_start is not None else self.prizes[j.priority]
            twins = []
            for dim, (b_lo, b_hi, b_len) in enumerate(sigs):
                lo = max(tw[0], b_lo - j.service_minutes)
                hi = min(tw[1], b_hi - j.service_minutes)
                if lo <= hi:
                    twins.append((dim, lo, hi, b_len))
            group = len(groups) if twins else None
            members = []
            for dim, lo, hi, extra in [(None, *tw, 0), *twins]:
                load = [0] * ndim
                if dim is not None:
                    load[dim] = 1
                    self.lunch_twins.add(len(clients))
                members.append(len(clients))
                clients.append(
                    pyvrp.Client(
                        n_dep + k,
                        delivery=load,
                        service_duration=j.service_minutes + extra,
                        tw_early=lo,
                        tw_late=hi,
                        prize=prize + (self.lunch_bonus if dim is not None else 0),
                        required=False,
                        group=group,
                        name=j.id,
                    )
                )
                owner.append(j)
            if group is not None:
                groups.append(pyvrp.ClientGroup(members, required=False))

        # eligibility -> profiles
        profiles: dict[bytes, int] = {}
        masks: list[np.ndarray] = []
        vtypes = []
        for t in techs:
            ok = np.fromiter((t.can_do(j) for j in jobs), bool, len(jobs))
            key = ok.tobytes()
            if key not in profiles:
                profiles[key] = len(masks)
                masks.append(ok)
            bw = t.break_window()
            cap = [0] * ndim
            if bw is not None:
                cap[sigs.index(bw)] = 1
            vtypes.append(
                pyvrp.VehicleType(
                    num_available=1,
                    capacity=cap,
                    start_depot=depot_locs[t.start_location],
                    end_depot=depot_locs[t.home_end],
                    tw_early=t.shift_start,
                    tw_late=t.shift_end,
                    profile=profiles[key],
                    name=t.id,
                )
            )
        dist_mats = []
        dur_mats = []
        for ok in masks:
            dist = base.copy()
            if not ok.all():
                bad = n_dep + np.flatnonzero(~ok)
                dist[bad, :] = MAX_VALUE
                dist[:, bad] = MAX_VALUE
                dist[bad, bad] = 0
            dist_mats.append(dist)
            dur_mats.append(base)
        data = pyvrp.ProblemData(locations, clients, depots, vtypes, dist_mats, dur_mats, groups)
        # inputs of the granular neighbourhood: client -> job, eligibility per profile
        job_of = np.fromiter((c.location - n_dep for c in clients), np.int64, len(clients))
        self._neighbourhood = (job_of, np.array(masks), base[n_dep:, n_dep:])
        return data, owner, techs

    def neighbours(self, data):
        """Granular neighbourhood of the data `build` returned (see `granular_neighbours`)."""
        job_of, masks, travel = self._neighbourhood
        m = masks[:, job_of].astype(np.float32)
        pair_ok = (m.T @ m) > 0
        return granular_neighbours(data, travel[np.ix_(job_of, job_of)], pair_ok)

    def _warm_start(self, problem: Problem, data, owner, techs, seqs=None):
        """A plan as PyVRP's starting solution (the greedy's unless ``seqs``, sequences per
        technician, are given): on each route the first stop whose lunch twin keeps the
        route on time takes lunch."""
        import pyvrp

        try:
            if seqs is not None:
                plan = Plan({t: _SeqRoute(s) for t, s in seqs.items()})  # type: ignore[arg-type]
            else:
                plan = GreedySolver().solve(problem)
            plain: dict[str, int] = {}
            twin: dict[tuple[str, int], int] = {}
            for k, j in enumerate(owner):
                if k in self.lunch_twins:
                    twin[(j.id, int(np.flatnonzero(data.client(k).delivery)[0]))] = k
                else:
                    plain[j.id] = k
            routes = []
            for v, t in enumerate(techs):
                r = plan.routes.get(t.id)
                if r is None or not r.stops:
                    continue
                visits = [plain[s.job_id] for s in r.stops]
                route = pyvrp.Route(data, visits, v)
                cap = data.vehicle_type(v).capacity
                dim = int(np.flatnonzero(cap)[0]) if any(cap) else None
                for i, s in enumerate(r.stops if dim is not None else []):
                    k = twin.get((s.job_id, dim))
                    if k is None:
                        continue
                    cand = pyvrp.Route(data, [*visits[:i], k, *visits[i + 1 :]], v)
                    if cand.time_warp() == 0:
                        route = cand
                        break
                routes.append(route)
            return pyvrp.Solution(data, routes)
        except Exception:  # pragma: no cover - a warm start is only a hint
            return None

    def improve(
        self, problem: Problem, legs: Legs, seqs: Mapping[str, Sequence[Job]], deadline: float
    ) -> dict[str, list[Job]] | None:
        """PyVRP's ILS started from ``seqs`` until ``deadline`` (``time.perf_counter()``,
        building the data included); the best sequences it found (PyVRP's own timing:
        re-time and repair them), or None if none is feasible."""
        data, owner, techs = self.build(problem, legs)
        start = self._warm_start(problem, data, owner, techs, seqs)
        neighbours = self.neighbours(data)
        del self._neighbourhood
        res = run_pyvrp(
            data,
            max(0.05, deadline - time.perf_counter()),
            seed=self.seed,
            initial_solution=start,
            max_penalty=MAX_PENALTY,
            neighbours=neighbours,
        )
        if not res.best.is_feasible():
            return None
        out: dict[str, list[Job]] = {t.id: [] for t in techs}
        for r in res.best.routes():
            out[techs[r.vehicle_type()].id] = [owner[a.idx] for a in r if a.is_client()]
        return out

    def solve(self, problem: Problem, time_limit_s: float = 2.0) -> Plan:
        t0 = time.perf_counter()
        legs = legs_for(problem)
        problem = lunch_around_bookings(problem, legs)
        st = _State(problem, legs)
        if not problem.jobs or not problem.techs:
            return st.to_plan(self.name, t0)
        data, owner, techs = self.build(problem, legs)
        start = self._warm_start(problem, data, owner, techs)
        neighbours = self.neighbours(data)
        budget = time_limit_s - (time.perf_counter() - t0)
        # keep a small share of the budget for re-timing and repair on big days
        budget -= min(0.5, 0.1 * time_limit_s) if len(problem.jobs) > 300 else 0.0
        res = run_pyvrp(
            data,
            max(0.05, budget),
            seed=self.seed,
            initial_solution=start,
            max_penalty=MAX_PENALTY,
            neighbours=neighbours,
        )
        if not res.best.is_feasible():
            # cannot happen with optional clients unless breaks collide with locks;
            # fall back to the baseline rather than return something wrong
            plan = GreedySolver().solve(problem)
            return Plan(
                plan.routes, plan.unassigned, f"{self.name}(greedy fallback)", plan.wall_seconds
            )
        for r in res.best.routes():
            tech = techs[r.vehicle_type()]
            st.seq[tech.id] = [owner[a.idx] for a in r if a.is_client()]
        removed: list[Job] = []
        for tid in st.seq:
            removed.extend(st.make_feasible(tid))
        for j in sorted(removed, key=_sort_key):
            st.insert(j)
        st.priority_repair()
        for tid in st.seq:
            if tid not in st.timing:
                st.retime(tid)
        return st.to_plan(self.name, t0)


# --------------------------------------------------------------------------- re-planning


def insert_job(
    plan: Plan,
    problem: Problem,
    job: Job,
    *,
    now: int | None = None,
) -> Insertion | None:
    """Best technician and position for a new ``job`` in a running day.

    Visits that started before ``now`` stay where and when they are (nothing is put
    before them); the new job cannot start before ``now``. Other visits keep their order
    but may shift later: the knock-on delays per later visit are reported. The choice
    minimises added drive time, then total delay. ``problem`` must contain the plan's
    jobs; ``job`` may or may not be in it. Returns None when nobody can take it.
    """
    jobs = {j.id: j for j in problem.jobs}
    jobs[job.id] = job
    if now is not None:
        lo = now if job.window_start is None else max(now, job.window_start)
        if job.window_end is not None and lo > job.window_end:
            return None
        job = Job(**{**_asdict(job), "window_start": lo, "window_end": job.window_end})
    prob = Problem([*jobs.values()], problem.techs, problem.travel, problem.day)
    legs = legs_for(prob)
    best: tuple | None = None
    for tech in problem.techs:
        if not tech.can_do(job) or job.earliest(tech) > job.latest(tech):
            continue
        route = plan.routes.get(tech.id)
        stops = list(route.stops) if route else []
        seq = [jobs[s.job_id] for s in stops]
        old_start = {s.job_id: s.start for s in stops}
        pinned = {s.job_id: s.start for s in stops if now is not None and s.start < now}
        for s in stops:
            j = jobs[s.job_id]
            if j.locked_start is not None:
                pinned[s.job_id] = j.locked_start
        first = sum(1 for s in stops if now is not None and s.start < now)
        old_drive = route.drive_minutes if route else 0
        for pos in range(first, len(seq) + 1):
            new = [*seq[:pos], job, *seq[pos:]]
            tm = simulate(tech, new, legs, pinned=pinned)
            if tm is None:
                continue
            delays = {
                j.id: tm.starts[i] - old_start[j.id]
                for i, j in enumerate(new)
                if j.id in old_start and tm.starts[i] > old_start[j.id]
            }
            added = tm.drive - old_drive
            key = (added, sum(delays.values()), tm.starts[pos])
            if best is None or key < best[0]:
                best = (key, tech, pos, tm, delays, new)
    if best is None:
        return None
    _, tech, pos, tm, delays, new = best
    return Insertion(
        tech_id=tech.id,
        position=pos,
        added_drive_minutes=best[0][0],
        start=tm.starts[pos],
        delays=delays,
        route=build_route(tech, new, tm, legs),
    )


def _asdict(job: Job) -> dict:
    return {f: getattr(job, f) for f in job.__dataclass_fields__}


def route_one(
    tech: Tech,
    jobs: Sequence[Job],
    travel,
    *,
    time_limit_s: float = 0.5,
    day: str | None = None,
) -> Plan:
    """Best visit order for one technician's jobs (they are pinned to ``tech``).

    Jobs that cannot fit are returned as unassigned with the reason, most urgent kept
    first. Locked starts are kept.
    """
    pinned = [
        j if j.locked_tech == tech.id else Job(**{**_asdict(j), "locked_tech": tech.id})
        for j in jobs
    ]
    problem = Problem(pinned, [tech], travel, day)
    return PyVRPSolver().solve(problem, time_limit_s)


def priority_rank(priority: str) -> int:
    return PRIORITY_RANK[priority]
