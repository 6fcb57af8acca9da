"""`svcdesk schedule day|techs`: the console's schedule grid and technician panes as text/JSON."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso, parse_day
from svcdesk.services.common.words import status_words
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


# JSON times (docs/cli.md): `x` is UTC ISO 8601 with Z; `x_local` the same instant on the
# shop's clock, ISO 8601 with its offset. The view counts wall-clock minutes of the day.
def _at(sched: DaySchedule, minute: int) -> datetime:
    day = sched.day + timedelta(days=minute // 1440)
    return datetime.combine(day, time(minute % 1440 // 60, minute % 60), tzinfo=sched.zone)


def _times(name: str, when: datetime | None, zone) -> dict:
    local = when.astimezone(zone).isoformat(timespec="seconds") if when else None
    return {name: iso(when), f"{name}_local": local}


def _span_json(sched: DaySchedule, span: Span) -> dict:
    return {
        **_times("start", _at(sched, span.start), sched.zone),
        **_times("end", _at(sched, span.end), sched.zone),
        "reason": span.reason,
    }


def _visit_json(v: VisitBlock, zone) -> dict:
    return {
        "visit_id": v.visit_id,
        "number": v.number,
        "role": v.role,
        "status": v.status,
        "priority": v.priority,
        "customer": v.customer,
        "city": v.city,
        "summary": v.summary,
        **_times("starts_at", v.starts_at, zone),
        **_times("ends_at", v.ends_at, zone),
    }


def _day_json(sched: DaySchedule, unassigned) -> dict:
    return {
        "date": sched.day.isoformat(),
        "timezone": str(sched.zone),
        **_times("start", _at(sched, sched.start_minute), sched.zone),
        **_times("end", _at(sched, sched.end_minute), sched.zone),
        "technicians": [
            {
                "id": lane.id,
                "name": lane.name,
                "active": lane.active,
                "skills": lane.skills,
                "shifts": [_span_json(sched, s) for s in lane.shifts],
                "time_off": [_span_json(sched, t) for t in lane.time_off],
                "shift_minutes": lane.shift_minutes,
                "booked_minutes": lane.booked_minutes,
                "visits": [_visit_json(v, sched.zone) for v in lane.visits],
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
                **_times("sla_due", o.sla_due, sched.zone),
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
                    f"{v.number} {status_words(v.status)}"
                    for v in lane.visits
                ),
            )
            for lane in sched.lanes
        ],
    )
    info(f"{len(unassigned)} unassigned: " + ", ".join(o.number for o in unassigned[:20]))


def _techday_json(d: TechDay, zone) -> dict:
    return {
        "date": d.day.isoformat(),
        "shift_minutes": d.shift_minutes,
        "booked_minutes": d.booked_minutes,
        "visits": [_visit_json(v, zone) for v in d.visits],
    }


def _status_json(t: TechStatus, zone) -> dict:
    return {
        "id": t.id,
        "name": t.name,
        "active": t.active,
        "skills": t.skills,
        "status": t.status,
        "detail": t.detail,
        "current": t.current,
        "today": _techday_json(t.today, zone),
        "tomorrow": _techday_json(t.tomorrow, zone),
    }


@app.command("techs")
def techs_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Include inactive technicians.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Each technician's status now (free, en_route, on_site, off) and booked hours."""
    with read_session(engine()) as session:
        rows = tech_statuses(session, include_inactive=all_)
        zone = shop_zone(session)
    if json_out:
        print_json([_status_json(t, zone) for t in rows])
        return
    table(
        f"{len(rows)} technicians",
        ["Name", "Status", "Detail", "Today", "Tomorrow", "Skills"],
        [
            (
                t.name,
                status_words(t.status),
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
