"""The default day-plan engine (``PortfolioSolver``, plan name "svcdesk"), judged on the
shop's own objective.

Objective = drive minutes + the prize of every job left out (``DEFAULT_PRIZES``:
emergency 1,000,000, high 20,000, normal 4,000, low 1,000); booked (locked) visits are
never left out (lunch gives way when they leave no room for it). One thread, one time
limit (honoured: the members stop at 97 % of it, less a margin for timing the routes).
Members run in turn on the ``Board`` (routing/board.py: O(1) feasibility per move, the
same rules as ``schedule.simulate``), each from the best plan so far:

0. **VROOM packs a day whose work fits** (``workload`` <= ``VROOM_WORKLOAD``: service
   minutes within the shifts, less lunch), when ``pyvroom`` is installed: it gets
   ``VROOM_SHARE`` of the limit at a low exploration level (under a tight limit it
   finished more of the packing than level 4-5: 184 vs 183 of 185 jobs in 2.5 s, 510 vs
   507 of 521 in 7 s, load 12), members 3-6 polish its plan (they only keep what is no
   worse). There every job can be served and the drive is the objective: packing all of
   them is where VROOM beat the Python members (at the jobs VROOM served on the bench
   days, the Python members left 1-25 of them out). Members 1-2 are skipped then;
   without pyvroom (``use_vroom=False``, or no wheel) they run as on any other day.
   **VROOM also starts a small over-subscribed day** (at most ``VROOM_SMALL_JOBS``): it
   gets ``VROOM_SMALL_SHARE`` of the limit at the highest exploration level expected to
   finish in the CPU that share buys (``vroom_level``; ``cpu_share`` measures what this
   process gets on a loaded machine; the first call in a process also pays pyvroom's
   import, ``VROOM_IMPORT_CPU_S``). VROOM splits its timeout between its searches, so
   a level that finishes keeps each search whole; when not even level 2 would, the
   Python members run instead (a search cut short lost to them). Members 3-6 polish
   VROOM's plan. Above that size the Python members beat VROOM's packing.
   A warm start (``solve(..., initial=...)``: routes as job ids) takes the place of
   members 0-2.
1. **Urgent work first**: emergencies, high jobs and booked visits alone, constructed and
   packed by ruin and recreate for a tenth of the time; the other jobs are then built
   around them by prize. This is what serves as many high jobs as OR-Tools does.
2. **Priority constructions**: every job by prize, within a prize by one of ``ORDERS``
   (shortest service first = most prize per minute of the day, tightest window first,
   urgent work by deadline), each at its cheapest feasible position; tried in turn while
   a quarter of the time lasts, the best is kept. Each gets the **swap repair**: every
   left-out job, most valuable first, goes in where it fits, else ejects the lower-prize
   job (or, failing that, the few lower-prize jobs of one route) whose removal lets it in
   at the best net gain; the ejected jobs are re-inserted if they fit elsewhere.
3. **Ruin and recreate** (``Board.lns``) for the rest of the time: take out a job and its
   nearest neighbours (30 % of the time around a left-out urgent job, half of those on the
   routes of technicians who could take it), put them and the
   nearest left-out jobs back by prize at their cheapest positions; keep the result when
   the objective is no worse and no urgent job was traded away.
4. **PyVRP** (``PyVRPSolver.improve``, prizes as PyVRP's own prizes, warm-started from the
   best plan) gets 70 % of what is left after a first stretch of ruin and recreate, but
   only when nearly everything fits (at most ``PYVRP_LEFT_OUT`` of the jobs left out):
   then the objective is the drive, PyVRP's strength. On over-subscribed days the choice
   of jobs dominates and PyVRP lost to ruin and recreate on every bench day; above
   ``PYVRP_MAX_JOBS`` it never runs (its per-skill-profile matrices, ~45 MB each at 1,500
   jobs, were what took the old engine to 1.17 GB).
5. **VROOM on an over-subscribed day** (``use_vroom=True``; needs ``pyvroom``) is a
   member the bench can switch on; it is off by default there: given its share of the
   limit on the 200- and 500-job days it returned plans worse than the construction alone (434,410 vs 434,008; 15.7M with
   emergencies left out vs 1.05M), and it overruns its timeout on a loaded machine.
6. **SLA deadlines** (``meet_deadlines``): an emergency or high job that starts after its
   ``due`` is moved to where it starts by then, if such a place exists.

The plan leaves through ``simulate``/``build_route``, so ``check_plan`` sees ordinary routes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from svcdesk.routing import vroom_engine
from svcdesk.routing.board import Board
from svcdesk.routing.model import Job, Plan, Problem
from svcdesk.routing.schedule import simulate
from svcdesk.routing.solver import (
    DEFAULT_PRIZES,
    PyVRPSolver,
    _State,
    legs_for,
    lunch_around_bookings,
)

PYVRP_MAX_JOBS = 800
"""Above this many jobs the portfolio never runs PyVRP (memory and convergence)."""
PYVRP_LEFT_OUT = 0.1
"""PyVRP runs when the construction leaves out at most this share of the jobs."""
VROOM_WORKLOAD = 1.0
"""VROOM packs the day first when its ``workload`` is at most this (the over-subscribed
bench days are at 2.5-2.8; the jobs VROOM served on them, 0.67-0.84)."""
VROOM_SHARE = 0.5
"""Share of the time limit that VROOM gets on such a day (it overruns its timeout on a
loaded machine: the members after it absorb that)."""
VROOM_SMALL_JOBS = 350
"""An over-subscribed day with at most this many jobs starts from VROOM's plan (when
pyvroom is installed and its search can finish): with a quiet machine's CPU (4x the limit
under load) VROOM + the polish beat VROOM alone on the 200/250/350-job bench days in 6
of 6 runs; at 400 jobs the Python members did better than VROOM + polish at 2.5x."""
VROOM_SMALL_SHARE = 0.8
"""Share of the limit VROOM gets on such a day (the rest: the polish); at 0.7 a quiet
machine would run level 3 on the 200-job day, which finishes at 400,497 where level 4
finishes at 393,418 (VROOM alone at 2 s: 396,431)."""
VROOM_CPU_S = {5: 2.2, 4: 1.35, 3: 0.8, 2: 0.45, 1: 0.18}
"""CPU seconds VROOM took to finish (no timeout) a 200-job bench day per exploration
level; it grows as (jobs / 200) ** 2.3 (measured on the 200/250/350/400-job days)."""

VROOM_IMPORT_CPU_S = 0.4
"""CPU seconds of the first ``import vroom`` in a process (it loads pandas: 0.36-0.39
measured); a plan that will pay it has that much less for the search."""


def vroom_level(n: int, cpu_seconds: float) -> int | None:
    """The highest exploration level (5 down to 2) whose search is expected to finish in
    ``cpu_seconds`` on ``n`` jobs; None when none is (a search cut short lost to the
    Python members on the bench days)."""
    scale = (n / 200) ** 2.3
    return next(
        (lv for lv, cpu in VROOM_CPU_S.items() if lv >= 2 and cpu * scale <= cpu_seconds), None
    )


def cpu_share(seconds: float) -> float:
    """Share of a core this process gets: CPU time over wall time of a busy loop of
    ``seconds`` (on a loaded machine a wall-clock limit buys less search)."""
    t, c = time.perf_counter(), time.process_time()
    x = 0
    while time.perf_counter() - t < seconds:
        for i in range(2000):
            x += i
    return min(1.0, (time.process_time() - c) / max(1e-9, time.perf_counter() - t))


PYVRP_SHARE = 0.7
"""Share of the time left after the construction that PyVRP gets (the rest: ruin and
recreate)."""


def _window_end(j: Job) -> int:
    return j.window_end if j.window_end is not None else 10**6


def _window_width(j: Job) -> int:
    if j.window_end is None or j.window_start is None:
        return 10**6
    return j.window_end - j.window_start


ORDERS = {
    # within a prize: shortest service first (a prize per minute of the day)
    "service": lambda j: (j.service_minutes, _window_end(j)),
    # tightest customer window first (the flexible ones fit around them)
    "window": lambda j: (_window_width(j), j.service_minutes),
    # urgent work by deadline, the rest by service
    "deadline": lambda j: (_window_end(j) if j.rank <= 1 else 0, j.service_minutes),
}
"""Construction orders tried in turn (each: booked visits first, then by prize)."""


def construction_order(
    problem: Problem, prizes: Mapping[str, int], order: str = "service"
) -> list[Job]:
    """Booked visits by start, then by prize, then by ``ORDERS[order]``."""
    locked = sorted(
        (j for j in problem.jobs if j.locked), key=lambda j: (j.locked_start or 0, j.id)
    )
    key = ORDERS[order]
    free = sorted(
        (j for j in problem.jobs if not j.locked),
        key=lambda j: (-prizes[j.priority], *key(j), j.id),
    )
    return [*locked, *free]


def workload(problem: Problem) -> float:
    """Service minutes of the jobs per working minute of the technicians (shift less
    lunch): below 1 the day's work may all fit; the drive comes on top."""
    work = sum(j.service_minutes for j in problem.jobs)
    time_ = sum(
        t.shift_end - t.shift_start - (t.lunch.duration if t.lunch is not None else 0)
        for t in problem.techs
    )
    return work / max(1, time_)


def meet_deadlines(board: Board) -> int:
    """SLA due times of emergencies and high jobs as deadlines where feasible: a served job
    that starts after its ``due`` is moved (any qualified technician, any position) to a
    place where it starts by then, if there is one; other stops keep their order. Returns
    the number of jobs moved."""
    moved = 0
    techs = board.techs
    for job in sorted(board.problem.jobs, key=lambda j: (j.rank, j.due or 0, j.id)):
        if job.due is None or job.rank > 1 or job.locked or job.id not in board.where:
            continue
        tid = board.where[job.id]
        seq = board.routes[tid].jobs
        tm = simulate(techs[tid], seq, board.legs)
        if tm is None:
            continue
        current = next(j for j in seq if j.id == job.id)
        if tm.starts[seq.index(current)] <= job.due:
            continue
        latest = job.due if job.window_end is None else min(job.due, job.window_end)
        if job.window_start is not None and job.window_start > latest:
            continue  # the customer's window opens after the due time: cannot be met
        board.remove(current)
        tight = replace(job, window_end=latest)
        found = board.best_insertion(tight)
        if found is not None and board.insert_at(tight, found[1], found[2]):
            moved += 1
        else:
            board.set_route(tid, seq)
    return moved


def load_board(board: Board, seqs: Mapping[str, Sequence[Job]]) -> None:
    """Put sequences on ``board``: a route that does not fit as a whole is rebuilt in its
    order from its most valuable stops down (locked visits first), skipping what does not
    fit."""
    for tid, seq in seqs.items():
        if tid not in board.routes or not seq:
            continue
        if board.set_route(tid, list(seq)):
            continue
        kept: list[Job] = []
        for j in sorted(seq, key=lambda j: -board.prize(j)):
            pos = [i for i, x in enumerate(kept) if seq.index(x) < seq.index(j)]
            at = (pos[-1] + 1) if pos else 0
            if board.set_route(tid, [*kept[:at], j, *kept[at:]]):
                kept = [*kept[:at], j, *kept[at:]]
            else:
                board.set_route(tid, kept)


class PortfolioSolver:
    """The default solver (``name = "svcdesk"``); see the module doc."""

    name = "svcdesk"

    def __init__(
        self,
        prizes: Mapping[str, int] | None = None,
        seed: int = 1,
        *,
        use_vroom: bool | None = None,
        pyvrp_share: float = PYVRP_SHARE,
    ) -> None:
        self.prizes = dict(DEFAULT_PRIZES if prizes is None else prizes)
        self.seed = seed
        self.use_vroom = use_vroom
        self.pyvrp_share = pyvrp_share
        self.log: list[tuple[str, int, float]] = []  # (member, objective, seconds at end)

    def _finish(self, board: Board, deadline: float) -> None:
        for j in construction_order(board.problem, self.prizes):
            if j.id not in board.where:
                board.insert(j)
        board.swap_repair(deadline=deadline)

    def solve(
        self,
        problem: Problem,
        time_limit_s: float = 2.0,
        *,
        initial: Mapping[str, Sequence[str]] | None = None,
    ) -> Plan:
        """A plan within ``time_limit_s``. ``initial`` (technician id -> job ids in
        order) is a warm start: the members that build a plan are skipped, the polish
        keeps only what is no worse, so the result is never worse than the start (what
        does not fit of it is dropped first, left-out jobs are inserted where they fit)."""
        t0 = time.perf_counter()
        # leave time for timing the routes and building the plan (bigger days need more)
        end = t0 + time_limit_s * 0.97 - min(0.5, 0.0004 * len(problem.jobs))
        self.log = []
        legs = legs_for(problem)
        problem = lunch_around_bookings(problem, legs)
        st = _State(problem, legs)
        if not problem.jobs or not problem.techs:
            return st.to_plan(self.name, t0)
        n = len(problem.jobs)

        def new_board() -> Board:
            return Board(problem, legs, self.prizes)

        # 1. a day whose work fits the shifts (``workload`` at most ``VROOM_WORKLOAD``):
        # packing every job at the least drive is VROOM's strength; with pyvroom installed
        # it gets half the time, and the members below polish its plan
        packed = None
        if initial is not None:
            byid = problem.job_index()
            packed = new_board()
            load_board(
                packed, {t: [byid[j] for j in ids if j in byid] for t, ids in initial.items()}
            )
            self._finish(packed, end)
            self._note("initial", packed, t0)
        elif self.use_vroom is not False and workload(problem) <= VROOM_WORKLOAD:
            packed = self._vroom(problem, legs, None, t0, end, VROOM_SHARE)
        elif self.use_vroom is not False and n <= VROOM_SMALL_JOBS and vroom_engine.available():
            # a small over-subscribed day: VROOM's search at the level it can finish in
            # its share of the CPU this process gets; the Python members when none can
            rate = cpu_share(min(0.05, max(0.02, 0.02 * time_limit_s)))
            cpu = VROOM_SMALL_SHARE * (end - time.perf_counter()) * rate
            if "vroom" not in sys.modules:  # the first call in this process imports it
                cpu -= VROOM_IMPORT_CPU_S
            level = vroom_level(n, cpu)
            self.log.append(
                (f"cpu {rate:.2f} level {level}", 0, round(time.perf_counter() - t0, 2))
            )
            if level is not None:
                packed = self._vroom(problem, legs, None, t0, end, VROOM_SMALL_SHARE, level)
        if packed is not None:
            best = packed
        else:  # 2-3: urgent work first, the priority constructions (``_construct``)
            best = self._construct(problem, legs, t0, time_limit_s)
            if self.use_vroom:  # VROOM on an over-subscribed day: only when asked
                best = self._vroom(problem, legs, best, t0, end, 0.5) or best

        # 4. ruin and recreate; on a day where (nearly) everything fits, the objective is
        # the drive, PyVRP's strength: after a first stretch of ruin and recreate, PyVRP
        # (warm-started from the best plan) gets most of the rest. On an over-subscribed
        # day the choice of jobs dominates and ruin and recreate keeps the whole time
        # (docs/performance.md has the figures behind this choice).
        small = self.pyvrp_share > 0 and n <= PYVRP_MAX_JOBS
        first = end if not small else time.perf_counter() + 0.3 * (end - time.perf_counter())
        best.lns(first, seed=self.seed)
        self._note("lns", best, t0)
        left = end - time.perf_counter()
        fits = self._fits(best, n)
        # make room for left-out jobs by moving a stop to another technician: every left-out
        # job when nearly everything fits, else the urgent ones
        best.relocate_repair(
            None if fits else [j for j in best.unserved() if j.rank <= 1],
            deadline=time.perf_counter() + 0.15 * left,
        )
        self._note("relocate", best, t0)
        left = end - time.perf_counter()
        if small and fits and left > 0.2 * time_limit_s:
            solver = PyVRPSolver(self.prizes, seed=self.seed)
            stop = time.perf_counter() + self.pyvrp_share * left
            seqs = solver.improve(problem, legs, best.sequences(), stop)
            if seqs is not None:
                b = new_board()
                load_board(b, seqs)
                self._finish(b, end)
                self._note("pyvrp", b, t0)
                if b.objective() < best.objective():
                    best = b
        if time.perf_counter() < end:
            best.lns(end, seed=self.seed + 1)
            self._note("lns", best, t0)

        meet_deadlines(best)
        for tid, seq in best.sequences().items():
            st.seq[tid] = seq
        for tid in st.seq:
            if st.retime(tid) is None:  # pragma: no cover - the board and simulate agree
                st.make_feasible(tid)
        return st.to_plan(self.name, t0)

    def _construct(self, problem: Problem, legs, t0: float, time_limit_s: float) -> Board:
        """Members 1-2 (module doc): urgent work first, then the priority constructions;
        the best board."""

        def new_board() -> Board:
            return Board(problem, legs, self.prizes)

        # 1. urgent work first: emergencies, high jobs and bookings alone, packed by ruin
        # and recreate for a tenth of the time; the rest is built around them
        urgent = Problem(
            [j for j in problem.jobs if j.rank <= 1 or j.locked],
            problem.techs,
            problem.travel,
            problem.day,
        )
        u = Board(urgent, legs, self.prizes)
        u.construct(construction_order(urgent, self.prizes))
        u.swap_repair(deadline=t0 + 0.1 * time_limit_s)
        u.lns(t0 + 0.1 * time_limit_s, seed=self.seed)
        best = new_board()
        load_board(best, u.sequences())
        best.construct(construction_order(problem, self.prizes))
        best.swap_repair(deadline=t0 + 0.3 * time_limit_s)
        self._note("construct/urgent", best, t0)
        del u, urgent

        # 2. priority constructions + swap repair, in turn while a quarter of the time lasts
        for order in ORDERS:
            if time.perf_counter() > t0 + 0.25 * time_limit_s:
                break
            b = new_board()
            b.construct(construction_order(problem, self.prizes, order))
            b.swap_repair(deadline=t0 + 0.3 * time_limit_s)
            self._note(f"construct/{order}", b, t0)
            if b.objective() < best.objective():
                best = b

        return best

    @staticmethod
    def _fits(board: Board, n: int) -> bool:
        """(Nearly) every job fits: at most ``PYVRP_LEFT_OUT`` of them left out."""
        return len(board.where) >= (1 - PYVRP_LEFT_OUT) * n

    def _vroom(
        self,
        problem: Problem,
        legs,
        best: Board | None,
        t0: float,
        end: float,
        share: float,
        level: int | None = None,
    ) -> Board | None:
        """VROOM for ``share`` of the time left, finished on a board by insertion and swap
        repair; that board when it beats ``best`` (if given), else None (also without
        pyvroom)."""
        if time.perf_counter() >= end or not vroom_engine.available():
            return None
        n = len(problem.jobs)
        if level is None and best is None:  # packing a day that fits: a quick search
            level = 2 if n <= 300 else 1  # finishes more of it
        elif level is None:
            level = 5 if n <= 300 else 4 if n <= 700 else 2 if n <= 1200 else 1
        left = end - time.perf_counter()
        try:
            seqs = vroom_engine.solve_vroom(problem, legs, share * left, exploration=level)
        except ImportError:  # found but broken (no wheel for this platform's libraries)
            return None
        b = Board(problem, legs, self.prizes)
        load_board(b, seqs)
        self._finish(b, end)
        self._note("vroom", b, t0)
        return b if best is None or b.objective() < best.objective() else None

    def _note(self, member: str, board: Board, t0: float) -> None:
        self.log.append((member, board.objective(), round(time.perf_counter() - t0, 2)))


def plan_objective(problem: Problem, plan: Plan, prizes: Mapping[str, int] | None = None) -> int:
    """Drive minutes + prizes of the jobs left out (locked visits at 10,000,000)."""
    pr = DEFAULT_PRIZES if prizes is None else prizes
    jobs = problem.job_index()
    left = sum(
        10_000_000 if jobs[u.job_id].locked else pr[jobs[u.job_id].priority]
        for u in plan.unassigned
    )
    return plan.total_drive_minutes + left
