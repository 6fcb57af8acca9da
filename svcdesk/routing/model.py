"""Plain data for the routing layer: jobs, technicians, problems and plans.

Everything here is a frozen dataclass with no database or UI dependency. Times are
integer **minutes after 00:00 of the service day** (the "day origin"); the dispatch
service converts aware datetimes to and from that scale. Durations are minutes too.
The solver treats them as abstract integer time units, so a benchmark may use another
scale (the Solomon harness uses hundredths of a distance unit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from svcdesk.routing.travel import TravelTimeProvider

PRIORITIES: tuple[str, ...] = ("emergency", "high", "normal", "low")
"""Priorities, most urgent first."""

PRIORITY_RANK: dict[str, int] = {p: i for i, p in enumerate(PRIORITIES)}
"""0 = most urgent. A job of rank r must never be dropped to keep a job of rank > r."""

DAY_END = 24 * 60 * 2  # allow plans that spill past midnight (night shifts) without overflow


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class LunchBreak:
    """A break of ``duration`` minutes that must START within [earliest_start, latest_start].

    The break is location-less: the technician takes it wherever they are (at the
    previous site, on the road or at the next site while waiting).
    """

    earliest_start: int
    latest_start: int
    duration: int = 30

    def __post_init__(self) -> None:
        if self.duration < 0 or self.latest_start < self.earliest_start:
            raise ValueError(f"invalid break window {self}")


@dataclass(frozen=True, slots=True)
class Job:
    """One visit to plan.

    ``window_start``/``window_end`` bound the START of service (customer's promised
    arrival window); ``None`` means any time within the technician's shift.
    ``locked_tech`` pins the job to a technician; ``locked_start`` additionally fixes the
    start time (an already booked visit that the plan must not move). ``due`` is the SLA
    response due time: the engine starts the job by then where that is feasible (a
    deadline), and leaves it where it is otherwise.
    """

    id: str
    location: Location
    service_minutes: int
    window_start: int | None = None
    window_end: int | None = None
    skills: frozenset[str] = frozenset()
    priority: str = "normal"
    locked_tech: str | None = None
    locked_start: int | None = None
    due: int | None = None  # SLA: service should start by then (kept where feasible)

    def __post_init__(self) -> None:
        if self.priority not in PRIORITY_RANK:
            raise ValueError(f"job {self.id}: unknown priority {self.priority!r}")
        if self.service_minutes < 0:
            raise ValueError(f"job {self.id}: negative service time")
        if (
            self.window_start is not None
            and self.window_end is not None
            and self.window_end < self.window_start
        ):
            raise ValueError(f"job {self.id}: window ends before it starts")
        if self.locked_start is not None and self.locked_tech is None:
            raise ValueError(f"job {self.id}: locked_start needs locked_tech")

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self.priority]

    @property
    def locked(self) -> bool:
        return self.locked_tech is not None

    def earliest(self, tech: Tech) -> int:
        """Earliest allowed service start for this job on ``tech``."""
        if self.locked_start is not None:
            return self.locked_start
        lo = tech.shift_start if self.window_start is None else self.window_start
        return max(lo, tech.shift_start)

    def latest(self, tech: Tech) -> int:
        """Latest allowed service start for this job on ``tech``."""
        if self.locked_start is not None:
            return self.locked_start
        hi = tech.shift_end if self.window_end is None else self.window_end
        return min(hi, tech.shift_end)


@dataclass(frozen=True, slots=True)
class Tech:
    id: str
    start_location: Location
    shift_start: int
    shift_end: int
    skills: frozenset[str] = frozenset()
    end_location: Location | None = None  # None = back to start_location
    lunch: LunchBreak | None = None

    def __post_init__(self) -> None:
        if self.shift_end < self.shift_start:
            raise ValueError(f"tech {self.id}: shift ends before it starts")

    @property
    def home_end(self) -> Location:
        return self.end_location if self.end_location is not None else self.start_location

    def can_do(self, job: Job) -> bool:
        """Skill eligibility (a job locked to this technician is always eligible)."""
        if job.locked_tech is not None:
            return job.locked_tech == self.id
        return job.skills <= self.skills

    def needs_break(self) -> bool:
        """A lunch break applies when the shift covers part of its allowed start window."""
        b = self.lunch
        return (
            b is not None
            and b.duration > 0
            and self.shift_start <= b.latest_start
            and self.shift_end >= b.earliest_start + b.duration
        )

    def break_window(self) -> tuple[int, int, int] | None:
        """(earliest start, latest start, duration) clipped to the shift, or None."""
        if not self.needs_break():
            return None
        b = self.lunch
        assert b is not None
        return (
            max(b.earliest_start, self.shift_start),
            min(b.latest_start, self.shift_end - b.duration),
            b.duration,
        )


@dataclass(frozen=True)
class Problem:
    jobs: Sequence[Job]
    techs: Sequence[Tech]
    travel: TravelTimeProvider
    day: str | None = None  # ISO date, used as the travel-matrix cache key

    def __post_init__(self) -> None:
        ids = [j.id for j in self.jobs]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate job ids")
        tids = [t.id for t in self.techs]
        if len(set(tids)) != len(tids):
            raise ValueError("duplicate technician ids")

    def job(self, job_id: str) -> Job:
        return self.job_index()[job_id]

    def tech(self, tech_id: str) -> Tech:
        return {t.id: t for t in self.techs}[tech_id]

    def job_index(self) -> dict[str, Job]:
        return {j.id: j for j in self.jobs}


@dataclass(frozen=True, slots=True)
class Stop:
    """One visit on a route.

    ``arrival`` is when the technician is ready on site (after driving, and after the
    lunch break when it is taken on the leg before this stop); ``start`` >= ``arrival``
    (the difference is waiting), ``end = start + service``. ``travel_minutes`` is the
    drive from the previous stop (or the start location).
    """

    job_id: str
    arrival: int
    start: int
    end: int
    travel_minutes: int
    travel_km: float = 0.0


@dataclass(frozen=True, slots=True)
class BreakSlot:
    """The lunch break: taken on the leg before stop ``before_stop`` (== len(stops): the
    leg home)."""

    start: int
    end: int
    before_stop: int


@dataclass(frozen=True)
class Route:
    tech_id: str
    stops: tuple[Stop, ...] = ()
    lunch: BreakSlot | None = None
    depart: int | None = None  # leaves the start location
    return_arrival: int | None = None  # back at the end location
    return_travel_minutes: int = 0
    return_travel_km: float = 0.0

    @property
    def drive_minutes(self) -> int:
        if not self.stops:
            return 0
        return sum(s.travel_minutes for s in self.stops) + self.return_travel_minutes

    @property
    def drive_km(self) -> float:
        if not self.stops:
            return 0.0
        return sum(s.travel_km for s in self.stops) + self.return_travel_km

    @property
    def job_ids(self) -> list[str]:
        return [s.job_id for s in self.stops]


@dataclass(frozen=True)
class Unassigned:
    job_id: str
    reason: str


@dataclass(frozen=True)
class Plan:
    routes: dict[str, Route]
    unassigned: list[Unassigned] = field(default_factory=list)
    solver: str = ""
    wall_seconds: float = 0.0

    @property
    def total_drive_minutes(self) -> int:
        return sum(r.drive_minutes for r in self.routes.values())

    @property
    def total_drive_km(self) -> float:
        return sum(r.drive_km for r in self.routes.values())

    @property
    def assigned_ids(self) -> set[str]:
        return {s.job_id for r in self.routes.values() for s in r.stops}

    def route_of(self, job_id: str) -> tuple[str, int] | None:
        for tid, r in self.routes.items():
            for i, s in enumerate(r.stops):
                if s.job_id == job_id:
                    return tid, i
        return None

    def count_by_priority(self, problem: Problem, assigned: bool = True) -> dict[str, int]:
        ids = self.assigned_ids
        out = dict.fromkeys(PRIORITIES, 0)
        for j in problem.jobs:
            if (j.id in ids) == assigned:
                out[j.priority] += 1
        return out
