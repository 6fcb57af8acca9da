"""Timing of one technician's route: ETAs, waiting, the lunch break, locked starts.

Given a technician and an ordered list of jobs, ``simulate`` computes the earliest
schedule: leave the start location at shift start, drive, wait for the customer's window,
serve, and so on, then drive to the end location. The lunch break is location-less and is
taken on one leg (at the previous site, on the road, or at the next site while waiting):
a leg with the break needs ``travel + break`` minutes between the two stops, and the
break starts at the earliest moment the leg and the break window allow. Every leg is
tried and the one giving the earliest return is kept.

This module is used by the solvers to time and repair routes; the feasibility checker in
``check.py`` deliberately does not use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from svcdesk.routing.model import BreakSlot, Job, Location, Route, Stop, Tech
from svcdesk.routing.travel import TravelMatrix


class Legs:
    """O(1) travel look-ups over a ``TravelMatrix``."""

    def __init__(self, matrix: TravelMatrix) -> None:
        self.matrix = matrix
        self.idx = matrix.index()
        self._min = matrix.minutes
        self._km = matrix.km

    def minutes(self, a: Location, b: Location) -> int:
        return int(self._min[self.idx[a], self.idx[b]])

    def km(self, a: Location, b: Location) -> float:
        return float(self._km[self.idx[a], self.idx[b]])

    @property
    def minutes_array(self) -> np.ndarray:
        return self._min


@dataclass(frozen=True, slots=True)
class Timing:
    arrivals: tuple[int, ...]
    starts: tuple[int, ...]
    travel: tuple[int, ...]  # per stop (leg into it), then the leg home last
    return_arrival: int
    depart: int
    break_gap: int | None
    break_start: int | None

    @property
    def drive(self) -> int:
        return sum(self.travel) if self.starts else 0


def _run(
    tech: Tech,
    jobs: Sequence[Job],
    travel: list[int],
    depart: int,
    gap: int | None,
    bwin: tuple[int, int, int] | None,
    pinned: Mapping[str, int] | None,
) -> Timing | None:
    n = len(jobs)
    t = depart
    arrivals: list[int] = []
    starts: list[int] = []
    bstart = None
    for k in range(n + 1):
        tr = travel[k]
        if k == gap:
            assert bwin is not None
            e, lat, dur = bwin
            bs = max(t, e)
            if bs > lat:
                return None
            bstart = bs
            ready = max(bs + dur, t + tr + dur)
        else:
            ready = t + tr
        if k == n:
            if ready > tech.shift_end:
                return None
            return Timing(tuple(arrivals), tuple(starts), tuple(travel), ready, depart, gap, bstart)
        j = jobs[k]
        if pinned is not None and j.id in pinned:
            lo = hi = pinned[j.id]
        else:
            lo, hi = j.earliest(tech), j.latest(tech)
        start = max(ready, lo)
        if start > hi:
            return None
        arrivals.append(ready)
        starts.append(start)
        t = start + j.service_minutes
    raise AssertionError("unreachable")


def simulate(
    tech: Tech,
    jobs: Sequence[Job],
    legs: Legs,
    *,
    pinned: Mapping[str, int] | None = None,
    depart: int | None = None,
    break_gaps: Sequence[int] | None = None,
) -> Timing | None:
    """Earliest feasible timing of ``jobs`` in this order on ``tech``, or None.

    ``pinned`` fixes the start of some jobs (visits already under way); ``depart`` is the
    earliest departure (default: shift start); ``break_gaps`` restricts the legs on which
    the lunch break may be taken (default: any).
    """
    if any(not tech.can_do(j) for j in jobs):
        return None
    locs = [tech.start_location, *(j.location for j in jobs), tech.home_end]
    travel = [legs.minutes(locs[i], locs[i + 1]) for i in range(len(locs) - 1)]
    dep = tech.shift_start if depart is None else max(depart, tech.shift_start)
    bwin = tech.break_window()
    if not jobs:
        travel = [0]
    if bwin is None:
        return _run(tech, jobs, travel, dep, None, None, pinned)
    gaps = range(len(jobs) + 1) if break_gaps is None else break_gaps
    best: Timing | None = None
    for g in gaps:
        tm = _run(tech, jobs, travel, dep, g, bwin, pinned)
        if tm is not None and (best is None or tm.return_arrival < best.return_arrival):
            best = tm
    return best


def build_route(tech: Tech, jobs: Sequence[Job], timing: Timing, legs: Legs) -> Route:
    locs = [tech.start_location, *(j.location for j in jobs), tech.home_end]
    stops = tuple(
        Stop(
            job_id=j.id,
            arrival=timing.arrivals[k],
            start=timing.starts[k],
            end=timing.starts[k] + j.service_minutes,
            travel_minutes=timing.travel[k],
            travel_km=round(legs.km(locs[k], locs[k + 1]), 3),
        )
        for k, j in enumerate(jobs)
    )
    lunch = None
    if timing.break_gap is not None and timing.break_start is not None:
        bw = tech.break_window()
        assert bw is not None
        lunch = BreakSlot(timing.break_start, timing.break_start + bw[2], timing.break_gap)
    n = len(jobs)
    return Route(
        tech_id=tech.id,
        stops=stops,
        lunch=lunch,
        depart=timing.depart,
        return_arrival=timing.return_arrival,
        return_travel_minutes=timing.travel[n] if n else 0,
        return_travel_km=round(legs.km(locs[n], locs[n + 1]), 3) if n else 0.0,
    )
