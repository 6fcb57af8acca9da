"""`svcdesk schedule day|techs`: the console's schedule grid and technician panes as text/JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso, parse_day
from svcdesk.services.dispatch.schedule_view import (
    DaySchedule,
    Span,
    VisitBlock,
    day_schedule,
    unassigned_orders,
)
from svcdesk.services.dispatch.tech_view import TechDay, TechStatus, tech_statuses

app = typer.Typer(
    help="The day's schedule and where every technician is (as in the console).",
    no_args_is_help=True,
)


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _span_json(span: Span) -> dict:
    return {"start": hhmm(span.start), "end": hhmm(span.end), "reason": span.reason}


def _visit_json(v: VisitBlock) -> dict:
    return {
        "visit_id": v.visit_id,
        "number": v.number,
        "role": v.role,
        "status": v.status,
        "priority": v.priority,
        "customer": v.customer,
        "city": v.city,
        "summary": v.summary,
        "starts_at": iso(v.starts_at),
        "ends_at": iso(v.ends_at),
    }


def _day_json(sched: DaySchedule, unassigned) -> dict:
    return {
        "date": sched.day.isoformat(),
        "timezone": str(sched.zone),
        "start": hhmm(sched.start_minute),
        "end": hhmm(sched.end_minute),
        "technicians": [
            {
                "id": lane.id,
                "name": lane.name,
                "active": lane.active,
                "skills": lane.skills,
                "shifts": [_span_json(s) for s in lane.shifts],
                "time_off": [_span_json(t) for t in lane.time_off],
                "shift_minutes": lane.shift_minutes,
                "booked_minutes": lane.booked_minutes,
                "visits": [_visit_json(v) for v in lane.visits],
            }
            for lane in sched.lanes
        ],
        "unassigned": [
            {
                "number": o.number,
                "priority": o.priority,
                "status": o.status,
                "customer": o.customer,
                "skill": o.skill,
                "est_minutes": o.est_minutes,
                "sla_due": iso(o.sla_due),
            }
            for o in unassigned
        ],
    }


@app.command("day")
def day_cmd(
    date: Annotated[
        str | None, typer.Option("--date", "-d", help="Day (default today), e.g. tomorrow.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Every technician's shift, time off and visits on one day, plus unassigned orders."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        sched = day_schedule(session, parse_day(date, zone), zone=zone)
        unassigned = unassigned_orders(session)
    if json_out:
        print_json(_day_json(sched, unassigned))
        return
    table(
        f"{sched.day:%a %Y-%m-%d} ({sched.zone})",
        ["Technician", "Shift", "Off", "Booked", "Visits"],
        [
            (
                lane.name,
                ", ".join(f"{hhmm(s.start)}-{hhmm(s.end)}" for s in lane.shifts) or "-",
                ", ".join(f"{hhmm(t.start)}-{hhmm(t.end)}" for t in lane.time_off),
                f"{lane.booked_minutes / 60:.1f}/{lane.shift_minutes / 60:.1f}h",
                "; ".join(
                    f"{fmt(v.starts_at, zone, '%H:%M')}-{fmt(v.ends_at, zone, '%H:%M')} "
                    f"{v.number} {v.status}"
                    for v in lane.visits
                ),
            )
            for lane in sched.lanes
        ],
    )
    info(f"{len(unassigned)} unassigned: " + ", ".join(o.number for o in unassigned[:20]))


def _techday_json(d: TechDay) -> dict:
    return {
        "date": d.day.isoformat(),
        "shift_minutes": d.shift_minutes,
        "booked_minutes": d.booked_minutes,
        "visits": [_visit_json(v) for v in d.visits],
    }


def _status_json(t: TechStatus) -> dict:
    return {
        "id": t.id,
        "name": t.name,
        "active": t.active,
        "skills": t.skills,
        "status": t.status,
        "detail": t.detail,
        "current": t.current,
        "today": _techday_json(t.today),
        "tomorrow": _techday_json(t.tomorrow),
    }


@app.command("techs")
def techs_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Include inactive technicians.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Each technician's status now (free, en_route, on_site, off) and booked hours."""
    with read_session(engine()) as session:
        rows = tech_statuses(session, include_inactive=all_)
    if json_out:
        print_json([_status_json(t) for t in rows])
        return
    table(
        f"{len(rows)} technicians",
        ["Name", "Status", "Detail", "Today", "Tomorrow", "Skills"],
        [
            (
                t.name,
                t.status,
                t.detail,
                t.today.load_text,
                t.tomorrow.load_text,
                ", ".join(t.skills),
            )
            for t in rows
        ],
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="schedule")
