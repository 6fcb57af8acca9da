from __future__ import annotations

from dataclasses import replace

from routing_helpers import TRAVEL, job, tech

from svcdesk.routing.check import check_plan
from svcdesk.routing.model import BreakSlot, Plan, Problem, Route, Stop, Unassigned
from svcdesk.routing.solver import GreedySolver


def _problem(**kw):
    jobs = kw.pop("jobs", [job("A", 5, 0), job("B", 10, 0, window_start=600, window_end=660)])
    techs = kw.pop("techs", [tech("T1")])
    return Problem(jobs, techs, TRAVEL)


def _codes(problem, plan):
    return sorted({v.code for v in check_plan(problem, plan)})


def test_greedy_plan_is_clean():
    p = _problem()
    plan = GreedySolver().solve(p)
    assert check_plan(p, plan) == []
    assert plan.assigned_ids == {"A", "B"}


def test_detects_tampering():
    p = _problem()
    plan = GreedySolver().solve(p)
    r = plan.routes["T1"]
    a, b = r.stops

    def with_stops(*stops, **kw):
        return Plan({"T1": replace(r, stops=tuple(stops), **kw)}, [])

    # window: B moved before its window opens
    early = replace(b, start=590, end=590 + 60, arrival=min(b.arrival, 590))
    assert "window" in _codes(p, with_stops(a, early))
    # overlap / impossible arrival: B starts while A is still being served
    assert "time" in _codes(
        p, with_stops(a, replace(b, arrival=a.start + 1, start=a.start + 1, end=a.start + 61))
    )
    # travel minutes do not match the provider
    assert "travel" in _codes(p, with_stops(replace(a, travel_minutes=a.travel_minutes + 5), b))
    # service time wrong
    assert "service" in _codes(p, with_stops(replace(a, end=a.end - 10), b))
    # job missing from both lists
    assert "missing" in _codes(p, with_stops(a))
    # planned and unassigned
    assert "double" in _codes(p, Plan(plan.routes, [Unassigned("A", "x")]))
    # back after shift end
    assert "shift" in _codes(p, with_stops(a, b, return_arrival=17 * 60))


def test_detects_skill_and_lock_violations():
    jobs = [
        job("A", 5, 0, skills=frozenset({"plumbing"})),
        job("L", 3, 0, locked_tech="T1", locked_start=600),
    ]
    p = Problem(jobs, [tech("T1"), tech("T2", skills=("plumbing",))], TRAVEL)
    bad = Plan(
        {
            "T1": Route(
                "T1",
                (Stop("A", 488, 600, 660, 8),),
                depart=480,
                return_arrival=668,
                return_travel_minutes=8,
            ),
            "T2": Route(
                "T2",
                (Stop("L", 485, 485, 545, 5),),
                depart=480,
                return_arrival=550,
                return_travel_minutes=5,
            ),
        },
        [],
    )
    codes = _codes(p, bad)
    assert "skill" in codes and "locked" in codes


def test_lunch_rules():
    p = Problem([job("A", 5, 0)], [tech("T1", lunch=True)], TRAVEL)
    plan = GreedySolver().solve(p)
    assert check_plan(p, plan) == []
    r = plan.routes["T1"]
    assert r.lunch is not None
    assert "break" in _codes(p, Plan({"T1": replace(r, lunch=None)}, []))
    late = BreakSlot(14 * 60, 14 * 60 + 30, r.lunch.before_stop)
    assert "break" in _codes(p, Plan({"T1": replace(r, lunch=late)}, []))
