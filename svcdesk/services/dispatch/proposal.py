"""Read models shared by the day plan, the emergency insert and one technician's route:
routing `Route`s turned back into orders, visits, technicians and shop-local times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from svcdesk.routing import Route
from svcdesk.services.dispatch.problem import DayContext


@dataclass
class PlannedStop:
    job_id: str
    number: str
    order_id: int
    visit_id: int | None
    priority: str
    customer: str
    city: str
    address: str
    summary: str
    arrival: datetime  # ready on site (ETA)
    starts_at: datetime
    ends_at: datetime
    travel_minutes: int
    locked: bool
    change: str  # new | moved | kept
    before_tech_id: int | None = None
    before_starts_at: datetime | None = None
    delay_minutes: int = 0  # insert: how much later than booked
    helper: bool = False  # a helper's copy of a crew visit (not a booking of its own)


@dataclass
class PlannedRoute:
    tech_id: int
    tech_name: str
    stops: list[PlannedStop]
    drive_minutes: int
    drive_km: float
    depart: datetime | None
    back: datetime | None
    lunch: tuple[datetime, datetime] | None
    shift: tuple[datetime, datetime]


@dataclass
class Unplanned:
    number: str
    priority: str
    reason: str
    visit_id: int | None = None


@dataclass
class PlanProposal:
    day: date
    zone: ZoneInfo
    routes: list[PlannedRoute]
    unassigned: list[Unplanned]
    total_drive_minutes: int
    solver: str
    wall_seconds: float
    reoptimize: bool
    violations: list[str] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)  # order number -> version read
    not_working: dict[str, str] = field(default_factory=dict)  # tech name -> why
    holiday: str | None = None  # None | "off" (shop holiday) | "worked" (forced)

    @property
    def stops(self) -> list[tuple[PlannedRoute, PlannedStop]]:
        return [(r, s) for r in self.routes for s in r.stops]


def planned_route(ctx: DayContext, route: Route) -> PlannedRoute:
    tinfo = ctx.techs[route.tech_id]
    stops = []
    for st in route.stops:
        info = ctx.jobs[st.job_id]
        starts = ctx.at(st.start)
        if info.visit_id is None:
            change = "new"
        elif info.tech_id != tinfo.id or info.starts_at != starts:
            change = "moved"
        else:
            change = "kept"
        stops.append(
            PlannedStop(
                job_id=st.job_id,
                number=info.number,
                order_id=info.order_id,
                visit_id=info.visit_id,
                priority=info.priority,
                customer=info.customer,
                city=info.city,
                address=info.address,
                summary=info.summary,
                arrival=ctx.at(st.arrival),
                starts_at=starts,
                ends_at=ctx.at(st.end),
                travel_minutes=st.travel_minutes,
                locked=info.locked,
                change=change,
                before_tech_id=info.tech_id,
                before_starts_at=info.starts_at,
                helper=info.helper,
            )
        )
    lunch = (ctx.at(route.lunch.start), ctx.at(route.lunch.end)) if route.lunch else None
    return PlannedRoute(
        tech_id=tinfo.id,
        tech_name=tinfo.name,
        stops=stops,
        drive_minutes=route.drive_minutes,
        drive_km=round(route.drive_km, 1),
        depart=ctx.at(route.depart) if route.depart is not None and stops else None,
        back=ctx.at(route.return_arrival) if route.return_arrival is not None and stops else None,
        lunch=lunch if stops else None,
        shift=(ctx.at(tinfo.shift[0]), ctx.at(tinfo.shift[1])),
    )
