"""Dispatch benchmark (not collected by pytest: no test_ functions, tests/bench is ignored).

    .venv/bin/python tests/bench/dispatch.py            # everything
    .venv/bin/python tests/bench/dispatch.py --quick    # 12 Solomon + the 200/500 days
    .venv/bin/python tests/bench/dispatch.py --solomon-only / --fsday-only
    .venv/bin/python tests/bench/dispatch.py --instance PATH --time-limit S --plan-out FILE \
        [--methods svcdesk,ortools,vroom,greedy] [--same-jobs] [--json ROWS]

``--instance`` (issue 17) runs any fsday-format day with four methods at the same limit, one
thread each, in one process: svcdesk (``PortfolioSolver``), OR-Tools (parallel cheapest
insertion + guided local search, prizes as disjunction penalties), VROOM (pyvroom,
exploration 5, priorities, skills, breaks) and the priority greedy (cheapest feasible
insertion in priority order). Every plan is checked by ``check_plan``; printed: the shop's
objective (drive minutes + prizes of jobs left out), jobs served per priority, drive, wall
and CPU seconds, violations, the load; ``--plan-out`` writes each method's plan
(technician -> [job id, start minute], lunch) as JSON; ``--same-jobs`` also runs svcdesk on
exactly the jobs VROOM served (drive at equal work), at the limit and, when VROOM overran
it, at the wall time VROOM took (equal time), and (``svcdesk<vroom``) warm-started from
VROOM's own routes for those jobs; ``svcdesk-py`` is the portfolio without its VROOM
member (the pure-Python fallback). pyvroom (and the pandas it loads) is imported before
any method is timed.

Data: ``$SVCDESK_BENCH_DIR`` or ``<repo>/../shared/bench`` (Solomon files + bks.csv,
fsday JSON instances; see the README there). Skips with a message when missing.

* Solomon VRPTW: the PyVRP engine with the solver's settings (``run_pyvrp``), 2 s per
  instance, distance-only objective; distances and times scaled x100 and rounded for the
  engine, the reported distance recomputed in double precision from the routes; gap to
  the distance-only best-known solution (``distance_objective_distance``).
* fsday: the full ``PyVRPSolver`` vs ``GreedySolver`` vs OR-Tools routing (same skills,
  windows, shifts, breaks, optional jobs with the same prizes, same time budget). Every
  plan passes ``check_plan`` before its figures are printed; OR-Tools sequences are
  re-timed with the routing layer's scheduler and any route that does not fit is
  repaired (the number of jobs this removed is printed). Also "same jobs": PyVRP asked to
  serve exactly the jobs greedy served, to compare drive time at equal work.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from svcdesk.routing import vroom_engine  # noqa: E402
from svcdesk.routing.board import Board  # noqa: E402
from svcdesk.routing.check import check_plan  # noqa: E402
from svcdesk.routing.model import Job, Location, LunchBreak, Plan, Problem, Tech  # noqa: E402
from svcdesk.routing.portfolio import PortfolioSolver, plan_objective  # noqa: E402
from svcdesk.routing.solver import (  # noqa: E402
    DEFAULT_PRIZES,
    GreedySolver,
    PyVRPSolver,
    _State,
    legs_for,
    run_pyvrp,
)
from svcdesk.routing.travel import HaversineTravel, TravelCache  # noqa: E402

QUICK_SOLOMON = [
    "C101", "C105", "C201", "C205", "R101", "R105", "R201", "R205",
    "RC101", "RC105", "RC201", "RC205",
]  # fmt: skip


def bench_dir() -> Path | None:
    env = os.environ.get("SVCDESK_BENCH_DIR")
    cands = [Path(env)] if env else []
    cands.append(Path(__file__).resolve().parents[3] / "shared" / "bench")
    for c in cands:
        if c.is_dir():
            return c
    return None


# ----------------------------------------------------------------------------- Solomon


def read_solomon(path: Path):
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    n_veh, cap = (int(x) for x in lines[3])
    rows = [list(map(float, ln)) for ln in lines if len(ln) == 7 and ln[0].isdigit()]
    return n_veh, cap, rows


def solve_solomon(path: Path, budget: float, seed: int = 1):
    import pyvrp

    n_veh, cap, rows = read_solomon(path)
    xy = np.array([(r[1], r[2]) for r in rows])
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    scale = 100
    mat = np.round(dist * scale).astype(np.int64)
    locs = [pyvrp.Location(float(x), float(y)) for x, y in xy]
    depot = rows[0]
    clients = [
        pyvrp.Client(
            i,
            delivery=[int(r[3])],
            service_duration=int(round(r[6] * scale)),
            tw_early=int(round(r[4] * scale)),
            tw_late=int(round(r[5] * scale)),
        )
        for i, r in enumerate(rows)
        if i > 0
    ]
    data = pyvrp.ProblemData(
        locs,
        clients,
        [pyvrp.Depot(0, tw_early=int(depot[4] * scale), tw_late=int(depot[5] * scale))],
        [pyvrp.VehicleType(n_veh, capacity=[cap], tw_late=int(depot[5] * scale))],
        [mat],
        [mat],
    )
    t0, c0 = time.perf_counter(), time.process_time()
    res = run_pyvrp(data, budget, seed=seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    best = res.best
    total = 0.0
    tw_viol = 0.0
    served = 0
    for route in best.routes():
        visits = [a.idx + 1 for a in route if a.is_client()]  # client i is location i+1
        served += len(visits)
        seq = [0, *visits, 0]
        total += sum(dist[a, b] for a, b in zip(seq, seq[1:], strict=False))
        t = depot[4]
        for a, b in zip(seq, seq[1:], strict=False):
            t = max(t + (rows[a][6] if a else 0) + dist[a, b], rows[b][4])
            tw_viol = max(tw_viol, t - rows[b][5])
    return {
        "distance": round(float(total), 2),
        "vehicles": best.num_routes(),
        # the engine works on distances rounded to 0.01; allow a few hundredths of lateness when
        # re-checking in double precision
        "feasible": bool(best.is_feasible()) and served == len(rows) - 1 and tw_viol <= 0.05,
        "max_tw_violation": round(float(max(0.0, tw_viol)), 4),
        "wall": round(wall, 2),
        "cpu": round(cpu, 2),
    }


def run_solomon(root: Path, names: list[str], budget: float) -> list[dict]:
    bks = {r["instance"]: r for r in csv.DictReader((root / "solomon" / "bks.csv").open())}
    out = []
    print(f"\n## Solomon VRPTW, {budget:g} s per instance (distance-only BKS)")
    print(f"{'inst':7} {'dist':>9} {'bks':>9} {'gap%':>6} {'veh':>4} feas  wall   cpu  tw_viol")
    for name in names:
        r = solve_solomon(root / "solomon" / f"{name}.txt", budget)
        ref = float(bks[name]["distance_objective_distance"])
        r["instance"] = name
        r["gap"] = 100 * (r["distance"] - ref) / ref
        out.append(r)
        print(
            f"{name:7} {r['distance']:9.2f} {ref:9.2f} {r['gap']:6.2f} {r['vehicles']:4d} "
            f"{str(r['feasible']):5} {r['wall']:5.2f} {r['cpu']:5.2f}  {r['max_tw_violation']:g}",
            flush=True,
        )
    gaps = [r["gap"] for r in out]
    print(
        f"SOLOMON n={len(out)} avg_gap={statistics.mean(gaps):.2f}% "
        f"worst_gap={max(gaps):.2f}% all_feasible={all(r['feasible'] for r in out)} "
        f"cpu/instance={statistics.mean(r['cpu'] for r in out):.2f}s load={os.getloadavg()[0]:.1f}"
    )
    return out


# ----------------------------------------------------------------------------- fsday


def load_fsday(path: Path) -> Problem:
    d = json.loads(path.read_text())
    techs = [
        Tech(
            t["id"],
            Location(t["home"]["lat"], t["home"]["lon"]),
            t["shift"]["start"],
            t["shift"]["end"],
            frozenset(t["skills"]),
            lunch=LunchBreak(
                t["break"]["earliest_start"], t["break"]["latest_start"], t["break"]["duration"]
            )
            if t.get("break")
            else None,
        )
        for t in d["techs"]
    ]
    jobs = [
        Job(
            j["id"],
            Location(j["lat"], j["lon"]),
            j["service_min"],
            *(j["window"] or (None, None)),
            skills=frozenset([j["skill"]]),
            priority=j["priority"],
        )
        for j in d["jobs"]
    ]
    # the instances use plain haversine at 40 km/h (no road factor)
    return Problem(jobs, techs, TravelCache(HaversineTravel(1.0, 40.0)), d["meta"]["name"])


def fsday_objective(problem: Problem, plan: Plan) -> int:
    """The instance's suggested objective: travel_seconds + drop penalties."""
    weight = {"emergency": 100, "high": 20, "normal": 4, "low": 1}
    jobs = problem.job_index()
    travel_s = 0
    for r in plan.routes.values():
        kms = [s.travel_km for s in r.stops] + ([r.return_travel_km] if r.stops else [])
        travel_s += sum(round(km / 40 * 3600) for km in kms)
    dropped = sum(weight[jobs[u.job_id].priority] * 5000 for u in plan.unassigned)
    return travel_s + dropped


class ORToolsSolver:
    """OR-Tools routing with the same model (for comparison only)."""

    name = "ortools"

    def solve(self, problem: Problem, time_limit_s: float = 2.0) -> tuple[Plan, int]:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2

        t0 = time.perf_counter()
        legs = legs_for(problem)
        jobs, techs = list(problem.jobs), list(problem.techs)
        nj, nv = len(jobs), len(techs)
        # nodes: jobs 0..nj-1, then a start and an end node per vehicle
        node_loc = [j.location for j in jobs]
        for t in techs:
            node_loc += [t.start_location, t.home_end]
        ix = np.array([legs.idx[p] for p in node_loc])
        tt = legs.minutes_array[np.ix_(ix, ix)]
        service = [j.service_minutes for j in jobs] + [0] * (2 * nv)
        starts = [nj + 2 * v for v in range(nv)]
        ends = [nj + 2 * v + 1 for v in range(nv)]
        mgr = pywrapcp.RoutingIndexManager(len(node_loc), nv, starts, ends)
        model = pywrapcp.RoutingModel(mgr)
        tt_list = tt.tolist()

        def arc(i, j):
            return tt_list[mgr.IndexToNode(i)][mgr.IndexToNode(j)]

        def transit(i, j):
            a = mgr.IndexToNode(i)
            return tt_list[a][mgr.IndexToNode(j)] + service[a]

        arc_cb = model.RegisterTransitCallback(arc)
        time_cb = model.RegisterTransitCallback(transit)
        model.SetArcCostEvaluatorOfAllVehicles(arc_cb)
        model.AddDimension(time_cb, 24 * 60, 24 * 60, False, "time")
        tdim = model.GetDimensionOrDie("time")
        for k, j in enumerate(jobs):
            idx = mgr.NodeToIndex(k)
            allowed = [v for v, t in enumerate(techs) if t.can_do(j)]
            lo = j.window_start if j.window_start is not None else 0
            hi = j.window_end if j.window_end is not None else 24 * 60
            if j.locked_start is not None:
                lo = hi = j.locked_start
            tdim.CumulVar(idx).SetRange(lo, hi)
            model.VehicleVar(idx).SetValues([-1, *allowed])
            model.AddDisjunction([idx], 10_000_000 if j.locked else DEFAULT_PRIZES[j.priority])
        solver = model.solver()
        for v, t in enumerate(techs):
            tdim.CumulVar(model.Start(v)).SetRange(t.shift_start, t.shift_end)
            tdim.CumulVar(model.End(v)).SetRange(t.shift_start, t.shift_end)
            bw = t.break_window()
            if bw is not None:
                iv = solver.FixedDurationIntervalVar(bw[0], bw[1], bw[2], False, f"brk{v}")
                tdim.SetBreakIntervalsOfVehicle([iv], v, service)
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = (
            routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
        )
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        params.time_limit.FromMilliseconds(
            int(max(0.1, time_limit_s - (time.perf_counter() - t0)) * 1000)
        )
        sol = model.SolveWithParameters(params)
        st = _State(problem, legs)
        if sol is not None:
            for v, t in enumerate(techs):
                idx = model.Start(v)
                seq = []
                while not model.IsEnd(idx):
                    node = mgr.IndexToNode(idx)
                    if node < nj:
                        seq.append(jobs[node])
                    idx = sol.Value(model.NextVar(idx))
                st.seq[t.id] = seq
        removed = 0
        for tid in st.seq:
            removed += len(st.make_feasible(tid))
        return st.to_plan(self.name, t0), removed


def same_jobs_problem(problem: Problem, plan: Plan) -> Problem:
    keep = plan.assigned_ids
    return Problem(
        [j for j in problem.jobs if j.id in keep], problem.techs, problem.travel, problem.day
    )


def run_fsday(root: Path, names: list[str], budgets: dict[str, float], with_ortools: bool):
    print("\n## Field-service days (every plan checked by check_plan)")
    hdr = (
        f"{'instance':16} {'solver':10} {'budget':>6} {'wall':>6} {'cpu':>5} {'jobs':>5} {'emerg':>9} "
        f"{'high':>5} {'drive_min':>9} {'min/job':>7} {'fs_obj':>9} viol  note"
    )
    print(hdr)
    rows = []
    for name in names:
        problem = load_fsday(root / "fsday" / f"{name}.json")
        budget = budgets[name]
        n_emerg = sum(j.priority == "emergency" for j in problem.jobs)
        results = {}

        def report(
            label,
            plan,
            wall,
            note="",
            cpu=None,
            prob=problem,
            budget=budget,
            name=name,
            base=problem,
            results=results,
        ):  # noqa: E501
            viol = check_plan(prob, plan)
            c = plan.count_by_priority(prob)
            n = len(plan.assigned_ids)
            row = {
                "instance": name, "solver": label, "budget": budget, "wall": round(wall, 2),
                "cpu": round(cpu, 2) if cpu is not None else None, "load": os.getloadavg()[0],
                "jobs": n, "emergency": c["emergency"], "high": c["high"],
                "drive": plan.total_drive_minutes, "violations": len(viol),
                "fs_obj": fsday_objective(prob, plan) if prob is base else None,
            }  # fmt: skip
            rows.append(row)
            results[label] = row
            per = plan.total_drive_minutes / n if n else 0
            print(
                f"{name:16} {label:10} {budget:6g} {wall:6.2f} {cpu or 0:5.2f} {n:5d} "
                f"{c['emergency']:4d}/{sum(j.priority == 'emergency' for j in prob.jobs):<4d} "
                f"{c['high']:5d} {plan.total_drive_minutes:9d} {per:7.1f} "
                f"{row['fs_obj'] if row['fs_obj'] is not None else '-':>9} {len(viol):4d}  {note}",
                flush=True,
            )
            for v in viol[:5]:
                print("    VIOLATION", v)

        t, c = time.perf_counter(), time.process_time()
        greedy = GreedySolver().solve(problem)
        report("greedy", greedy, time.perf_counter() - t, cpu=time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        plan = PyVRPSolver().solve(problem, budget)
        report("pyvrp", plan, time.perf_counter() - t, cpu=time.process_time() - c)
        if with_ortools:
            try:
                import ortools  # noqa: F401
            except ImportError:
                print("  (ortools not installed: skipped)")
            else:
                t, c = time.perf_counter(), time.process_time()
                oplan, removed = ORToolsSolver().solve(problem, budget)
                report(
                    "ortools",
                    oplan,
                    time.perf_counter() - t,
                    f"repair removed {removed}",
                    cpu=time.process_time() - c,
                )
        # drive time at equal work: serve exactly greedy's jobs
        same = same_jobs_problem(problem, greedy)
        t, c = time.perf_counter(), time.process_time()
        splan = PyVRPSolver().solve(same, budget)
        report(
            "pyvrp=gr",
            splan,
            time.perf_counter() - t,
            "greedy's job set",
            prob=same,
            cpu=time.process_time() - c,
        )
        if "ortools" in results:
            # drive time at equal work against OR-Tools: serve exactly OR-Tools' jobs
            same = same_jobs_problem(problem, oplan)
            t, c = time.perf_counter(), time.process_time()
            oo = PyVRPSolver().solve(same, budget)
            report("pyvrp=ort", oo, time.perf_counter() - t, "OR-Tools' job set", prob=same,
                   cpu=time.process_time() - c)  # fmt: skip
            o, q = results["ortools"], results["pyvrp=ort"]
            print(
                f"  -> on OR-Tools' jobs: {q['jobs']}/{o['jobs']} served, drive {q['drive']} "
                f"vs OR-Tools {o['drive']} min ({100 * (1 - q['drive'] / max(1, o['drive'])):.1f}% less)"
            )
        g, p, s = results["greedy"], results["pyvrp"], results["pyvrp=gr"]
        print(
            f"  -> pyvrp serves {p['jobs'] - g['jobs']:+d} jobs vs greedy "
            f"(emergencies {p['emergency']}/{n_emerg} vs {g['emergency']}/{n_emerg}); "
            f"drive/job {p['drive'] / max(1, p['jobs']):.1f} vs {g['drive'] / max(1, g['jobs']):.1f} min; "
            f"on greedy's jobs: {s['jobs']}/{g['jobs']} served with "
            f"{100 * (1 - s['drive'] / max(1, g['drive'])):.1f}% less drive"
        )
    return rows


# ----------------------------------------------------------------------------- one day, four methods

PRIZE_PRIORITIES = ("emergency", "high", "normal", "low")


def shop_objective(problem: Problem, plan: Plan) -> int:
    """The shop's objective: drive minutes + prizes of jobs left out (DEFAULT_PRIZES)."""
    return plan_objective(problem, plan)


def _plan_from_seqs(problem: Problem, legs, seqs, name: str, t0: float) -> tuple[Plan, int]:
    """Re-time sequences with the routing layer's scheduler; a route that does not fit is
    repaired by removing jobs (their number is returned)."""
    st = _State(problem, legs)
    for tid, seq in seqs.items():
        st.seq[tid] = list(seq)
    removed = 0
    for tid in st.seq:
        removed += len(st.make_feasible(tid))
    return st.to_plan(name, t0), removed


def priority_greedy(problem: Problem, time_limit_s: float = 0.0) -> tuple[Plan, int]:
    """Nearest (cheapest) feasible insertion, jobs in priority order (then window end)."""
    t0 = time.perf_counter()
    legs = legs_for(problem)
    b = Board(problem, legs, DEFAULT_PRIZES)
    order = sorted(
        problem.jobs,
        key=lambda j: (
            not j.locked,
            j.rank,
            j.window_end if j.window_end is not None else 10**6,
            j.id,
        ),
    )
    b.construct(order)
    return _plan_from_seqs(problem, legs, b.sequences(), "greedy", t0)


def vroom_baseline(problem: Problem, time_limit_s: float) -> tuple[Plan, int]:
    """VROOM alone: exploration 5, one thread, the whole time limit."""
    t0 = time.perf_counter()
    legs = legs_for(problem)
    left = time_limit_s - (time.perf_counter() - t0)
    seqs = vroom_engine.solve_vroom(problem, legs, left, exploration=5)
    return _plan_from_seqs(problem, legs, seqs, "vroom", t0)


def ortools_baseline(problem: Problem, time_limit_s: float) -> tuple[Plan, int]:
    return ORToolsSolver().solve(problem, time_limit_s)


def svcdesk_engine(problem: Problem, time_limit_s: float, initial=None, **kw) -> tuple[Plan, int]:
    solver = PortfolioSolver(**kw)
    plan = solver.solve(problem, time_limit_s, initial=initial)
    svcdesk_engine.log = solver.log  # type: ignore[attr-defined]
    return plan, 0


def svcdesk_python(problem: Problem, time_limit_s: float) -> tuple[Plan, int]:
    """The portfolio without its VROOM member (where pyvroom has no wheel)."""
    return svcdesk_engine(problem, time_limit_s, use_vroom=False)


METHODS = {
    "svcdesk": svcdesk_engine,
    "svcdesk-py": svcdesk_python,
    "ortools": ortools_baseline,
    "vroom": vroom_baseline,
    "greedy": priority_greedy,
}


def plan_json(problem: Problem, plan: Plan) -> dict:
    return {
        "routes": {
            tid: {
                "jobs": [[s.job_id, s.start] for s in r.stops],
                "lunch": [r.lunch.start, r.lunch.end] if r.lunch else None,
            }
            for tid, r in plan.routes.items()
            if r.stops
        },
        "unassigned": [u.job_id for u in plan.unassigned],
    }


def run_instance(
    path: Path, limit: float, methods: list[str], plan_out: Path | None, same_jobs: bool
) -> list[dict]:
    problem = load_fsday(path)
    totals = {p: sum(j.priority == p for j in problem.jobs) for p in PRIZE_PRIORITIES}
    print(
        f"\n## {path.name}: {len(problem.jobs)} jobs, {len(problem.techs)} technicians, "
        f"limit {limit:g} s, load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'method':9} {'objective':>10} {'emerg':>7} {'high':>7} {'normal':>7} {'low':>6} "
        f"{'jobs':>5} {'drive':>6} {'wall_s':>6} {'cpu_s':>6} viol repaired"
    )
    if vroom_engine.available():
        # load pyvroom (and the pandas it imports) before any method is timed: VROOM's
        # users and a running svcdesk have it loaded; the first method must not pay it
        import vroom  # noqa: F401
    rows, plans = [], {}
    for m in methods:
        t, c = time.perf_counter(), time.process_time()
        try:
            plan, removed = METHODS[m](problem, limit)
        except ImportError as exc:
            print(f"{m:9} skipped: {exc}")
            continue
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        viol = check_plan(problem, plan)
        cnt = plan.count_by_priority(problem)
        row = {
            "instance": path.stem, "method": m, "limit": limit, "objective": shop_objective(problem, plan),
            **{p: cnt[p] for p in PRIZE_PRIORITIES}, "jobs": len(plan.assigned_ids),
            "drive": plan.total_drive_minutes, "wall": round(wall, 2), "cpu": round(cpu, 2),
            "violations": len(viol), "repaired": removed, "load": round(os.getloadavg()[0], 2),
        }  # fmt: skip
        rows.append(row)
        plans[m] = plan_json(problem, plan)
        print(
            f"{m:9} {row['objective']:10d} "
            + " ".join(
                f"{cnt[p]:>{3 if p == 'low' else 4}d}/{totals[p]:<{2 if p == 'low' else 3}d}"
                for p in PRIZE_PRIORITIES
            )
            + f" {row['jobs']:5d} {row['drive']:6d} {wall:6.2f} {cpu:6.2f} {len(viol):4d} {removed:4d}",
            flush=True,
        )
        if m == "svcdesk" and getattr(svcdesk_engine, "log", None):
            print(
                "          members:", ", ".join(f"{a} {b} @{c}s" for a, b, c in svcdesk_engine.log)
            )
        for v in viol[:5]:
            print("    VIOLATION", v)
    if same_jobs and "vroom" in plans:
        keep = {jid for r in plans["vroom"]["routes"].values() for jid, _ in r["jobs"]}
        sub = Problem(
            [j for j in problem.jobs if j.id in keep], problem.techs, problem.travel, problem.day
        )
        vr = next(r for r in rows if r["method"] == "vroom")
        # at the limit, and at the wall time VROOM really took when it overran (equal time)
        limits = [limit] + ([vr["wall"]] if vr["wall"] > 1.05 * limit else [])
        # svcdesk from scratch, and (``svcdesk<vroom``) warm-started from VROOM's routes:
        # what the portfolio makes of VROOM's plan (never worse: it keeps no worse change)
        vroutes = {
            tid: [jid for jid, _ in r["jobs"]] for tid, r in plans["vroom"]["routes"].items()
        }
        runs = [(m, None) for m in methods if m.startswith("svcdesk")]
        if "svcdesk" in methods:
            runs.append(("svcdesk<vroom", vroutes))
        for m, initial in runs:
            for lim in limits:
                t, c = time.perf_counter(), time.process_time()
                if initial is None:
                    plan, _ = METHODS[m](sub, lim)
                else:
                    plan, _ = svcdesk_engine(sub, lim, initial=initial)
                wall, cpu = time.perf_counter() - t, time.process_time() - c
                viol = check_plan(sub, plan)
                print(
                    f"  same jobs as VROOM ({len(keep)}), {m} at {lim:g} s: serves "
                    f"{len(plan.assigned_ids)}, drive {plan.total_drive_minutes} vs VROOM "
                    f"{vr['drive']} min ({wall:.2f} s, cpu {cpu:.2f} s vs VROOM's {vr['cpu']}, "
                    f"{len(viol)} violations, load {os.getloadavg()[0]:.1f})"
                )
                print(
                    "          members:",
                    ", ".join(f"{a} {b} @{c}s" for a, b, c in svcdesk_engine.log),
                )
                rows.append({"instance": path.stem, "method": f"{m}=vroom-jobs", "limit": lim,
                             "jobs": len(plan.assigned_ids), "drive": plan.total_drive_minutes,
                             "wall": round(wall, 2), "cpu": round(cpu, 2),
                             "vroom_jobs": len(keep), "vroom_drive": vr["drive"],
                             "vroom_wall": vr["wall"], "vroom_cpu": vr["cpu"],
                             "violations": len(viol), "load": round(os.getloadavg()[0], 2)})  # fmt: skip
    if plan_out is not None:
        plan_out.write_text(
            json.dumps({"instance": str(path), "limit": limit, "plans": plans}, indent=1)
        )
        print(f"plans written to {plan_out}")
    import resource

    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description="svcdesk dispatch benchmark")
    ap.add_argument("--quick", action="store_true", help="12 Solomon instances, 200/500 days")
    ap.add_argument("--solomon-only", action="store_true")
    ap.add_argument("--fsday-only", action="store_true")
    ap.add_argument("--budget", type=float, default=2.0, help="Solomon seconds per instance")
    ap.add_argument("--no-ortools", action="store_true")
    ap.add_argument("--json", type=Path, help="write raw results here")
    ap.add_argument("--instance", type=Path, action="append", help="an fsday-format day (repeat)")
    ap.add_argument("--time-limit", type=float, default=2.0, help="seconds per method (--instance)")
    ap.add_argument("--plan-out", type=Path, help="write every method's plan here (JSON)")
    ap.add_argument("--methods", default="svcdesk,ortools,vroom,greedy")
    ap.add_argument("--same-jobs", action="store_true", help="svcdesk on VROOM's job set too")
    args = ap.parse_args()
    if args.instance:
        rows = []
        for path in args.instance:
            rows += run_instance(path, args.time_limit, args.methods.split(","), args.plan_out,
                                 args.same_jobs)  # fmt: skip
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
        return 0
    root = bench_dir()
    if root is None:
        print("benchmark data not found (set SVCDESK_BENCH_DIR); skipping")
        return 0
    out: dict = {"load_start": os.getloadavg()}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.fsday_only:
        sol = root / "solomon"
        if sol.is_dir():
            names = QUICK_SOLOMON if args.quick else sorted(p.stem for p in sol.glob("*.txt"))
            out["solomon"] = run_solomon(root, names, args.budget)
        else:
            print("no solomon/ directory; skipping Solomon")
    if not args.solomon_only:
        fs = root / "fsday"
        budgets = {"fsday_j200_t12": 2.0, "fsday_j500_t30": 5.0, "fsday_j1500_t80": 15.0}
        names = [n for n in budgets if (fs / f"{n}.json").exists()]
        if args.quick:
            names = [n for n in names if "1500" not in n]
        if names:
            out["fsday"] = run_fsday(root, names, budgets, not args.no_ortools)
        else:
            print("no fsday instances; skipping")
    out["load_end"] = os.getloadavg()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
