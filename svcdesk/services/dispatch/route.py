"""One technician's day in the best order: visits re-sequenced within their windows.

Visits still `scheduled` (single technician) may change order and time within the
customer's window; started, dispatched and crew visits keep their time. The result is a
proposal with ETAs (nothing is written) and can be exported as an iCalendar file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from svcdesk.errors import InvalidInput
from svcdesk.models import Technician
from svcdesk.routing import route_one
from svcdesk.services.dispatch.problem import build_day
from svcdesk.services.dispatch.proposal import PlannedRoute, Unplanned, planned_route


@dataclass
class RouteProposal:
    tech_id: int
    tech_name: str
    day: date
    zone: ZoneInfo
    route: PlannedRoute
    unassigned: list[Unplanned]
    current_order: list[str]  # order numbers in booked order
    current_drive_minutes: int


def route_for(
    session: Session, tech: Technician, day, time_limit: float = 0.5, *, force: bool = False
) -> RouteProposal:
    """Best visit order for `tech` on `day` with ETAs (see the module doc); a shop holiday
    is refused as a day off unless `force`."""
    ctx = build_day(session, day, reoptimize=True, include_backlog=False, holiday_ok=force)
    key = ctx.tech_key(tech.id)
    if key not in ctx.techs:
        why = ctx.not_working.get(tech.id, "inactive")
        raise InvalidInput(f"{tech.name} does not work on {day:%a %Y-%m-%d}: {why}")
    t = ctx.problem.tech(key)
    mine = [
        j
        for j in ctx.problem.jobs
        if ctx.jobs[j.id].tech_id == tech.id and (j.locked_tech in (None, key))
    ]
    plan = route_one(t, mine, ctx.problem.travel, time_limit_s=time_limit, day=ctx.problem.day)
    booked = sorted(
        mine, key=lambda j: ctx.jobs[j.id].starts_at or datetime.max.replace(tzinfo=UTC)
    )
    locs = [t.start_location, *(j.location for j in booked), t.home_end]
    drive = sum(ctx.problem.travel.leg(a, b).minutes for a, b in zip(locs, locs[1:], strict=False))
    return RouteProposal(
        tech_id=tech.id,
        tech_name=tech.name,
        day=day,
        zone=ctx.zone,
        route=planned_route(ctx, plan.routes[key]),
        unassigned=[
            Unplanned(
                ctx.jobs[u.job_id].number,
                ctx.jobs[u.job_id].priority,
                u.reason,
                ctx.jobs[u.job_id].visit_id,
            )
            for u in plan.unassigned
        ],
        current_order=[ctx.jobs[j.id].number for j in booked],
        current_drive_minutes=drive if booked else 0,
    )
