"""`svcdesk dispatch suggest|plan|insert|route`: smart dispatch (docs/dispatch.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svcdesk.atomicfile import atomic_write
from svcdesk.cli.files import say, say_json
from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.progress import progress
from svcdesk.cli.state import actor, engine
from svcdesk.clock import now as clock_now
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.services.common.files import engine_file_mode
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, parse_day
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.dispatch import shapes
from svcdesk.services.dispatch.holidays import next_plan_day
from svcdesk.services.dispatch.ics import route_ics
from svcdesk.services.dispatch.insert import apply_insert, insert_emergency
from svcdesk.services.dispatch.plan import apply, describe, plan_changes
from svcdesk.services.dispatch.route import route_for
from svcdesk.services.dispatch.suggest import best, book, explain, suggest
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Who should go, in what order: suggestions, the day plan, emergencies, routes.",
    no_args_is_help=True,
)

DateOpt = Annotated[
    str | None, typer.Option("--date", "-d", help="Shop-local day, e.g. 2026-11-26 or tomorrow.")
]
MAX_TIME_LIMIT = 600.0


def _time_limit(value: float | None) -> float | None:
    """Solver seconds: a finite number in (0, 600] (`inf` ran until killed, `nan` slipped
    through every comparison)."""
    if value is not None and not (0 < value <= MAX_TIME_LIMIT):
        raise InvalidInput(f"--time-limit: {value} is not a time limit in seconds from 0 to 600")
    return value


TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        help="Solver time in seconds (default: dispatch.time_limit).",
        callback=_time_limit,
    ),
]
ApplyOpt = Annotated[bool, typer.Option("--apply", help="Write it (one transaction).")]
HolidayOpt = Annotated[
    bool,
    typer.Option("--force", help="Work a shop holiday (shop.holidays) with the usual shifts."),
]


def hm(dt, zone) -> str:
    return fmt(dt, zone, "%H:%M")


@app.command("suggest")
def suggest_cmd(
    number: str,
    date: DateOpt = None,
    book_first: Annotated[
        bool, typer.Option("--book", help="Book the best technician at the proposed start.")
    ] = False,
    force: HolidayOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Every active technician ranked for an order, with why (and why not)."""
    if book_first:
        with write_session(engine()) as session:
            order = lifecycle.get_order(session, number)
            zone = shop_zone(session)
            ranked = suggest(session, order, parse_day(date, zone) if date else None, force=force)
            top = best(ranked)
            if top is None:
                raise InvalidInput(f"nobody can take {order.number}: " + _why_nobody(ranked))
            visit = book(session, order, top, actor=actor())
            number, visit_id = order.number, visit.id
    else:
        with read_session(engine()) as session:
            order = lifecycle.get_order(session, number)
            zone = shop_zone(session)
            ranked = suggest(session, order, parse_day(date, zone) if date else None, force=force)
            number = order.number
        top = None
    if json_out:
        out = {"number": number, "suggestions": [shapes.suggestion_json(s) for s in ranked]}
        if book_first:
            out["booked"] = {"technician": top.tech_name, "visit_id": visit_id}
        print_json(out)
        return
    table(
        f"{number}: technicians",
        ["#", "Technician", "Start", "Drive", "Load", "History", "Overtime", "Why / why not"],
        [
            (
                s.rank,
                s.tech_name,
                fmt(s.starts_at, zone, "%a %H:%M") if s.eligible else "-",
                "" if s.travel_minutes is None else f"{s.travel_minutes} min",
                f"{s.load_minutes / 60:.1f}/{s.shift_minutes / 60:.1f}h" if s.eligible else "",
                f"{s.history_customer}/{s.history_asset}",
                "yes" if s.overtime_risk else "",
                explain(s, zone),
            )
            for s in ranked
        ],
    )
    if book_first:
        info(
            f"booked {number}: {top.tech_name} {fmt(top.starts_at, zone, '%a %H:%M')}-"
            f"{hm(top.ends_at, zone)}"
        )


def _why_nobody(ranked) -> str:
    return " | ".join(f"{s.tech_name}: {'; '.join(s.why_not)}" for s in ranked) or "no technicians"


@app.command("plan")
def plan_cmd(
    date: DateOpt = None,
    time_limit: TimeLimitOpt = None,
    reoptimize: Annotated[
        bool, typer.Option("--reoptimize", help="Also move booked visits not yet dispatched.")
    ] = False,
    apply_: ApplyOpt = False,
    force: HolidayOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Plan a day (default: the next working day) for the crew; a diff; --apply writes it."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        today = clock_now().astimezone(zone).date()
        day = parse_day(date, zone) if date else next_plan_day(session, today)
        with progress(f"dispatch plan {day}"):
            proposal, changes = plan_changes(
                session, day, time_limit, reoptimize=reoptimize, force=force
            )
    result = None
    if apply_:
        with progress(f"dispatch plan {day}: booking"), write_session(engine()) as session:
            result = apply(session, proposal, actor())
    if json_out:
        out = shapes.proposal_json(proposal, changes)
        out["applied"] = (
            {"booked": result.booked, "moved": result.moved} if result is not None else None
        )
        print_json(out)
        return
    for r in proposal.routes:
        head = f"{r.tech_name}: {len(r.stops)} stops, {r.drive_minutes} min drive"
        if r.lunch:
            head += f", lunch {hm(r.lunch[0], zone)}"
        info(head)
        for s in r.stops:
            info(
                f"  {hm(s.arrival, zone)} eta  {hm(s.starts_at, zone)}-{hm(s.ends_at, zone)}  "
                f"{s.number} {s.priority} {s.customer} ({s.travel_minutes} min) [{s.change}]"
            )
    if proposal.holiday == "off":
        info(
            f"{day:%a %Y-%m-%d} is a shop holiday (shop.holidays): technicians are off, "
            "nothing planned (--force works it with the usual shifts)"
        )
    else:
        for name, why in proposal.not_working.items():
            info(f"{name}: not working ({why})")
    info(
        f"{day:%a %Y-%m-%d}: {sum(len(r.stops) for r in proposal.routes)} stops, "
        f"{proposal.total_drive_minutes} min drive, {len(proposal.unassigned)} not planned "
        f"({proposal.solver}, {proposal.wall_seconds:.1f}s)"
    )
    info("changes:")
    for c in changes:
        info("  " + describe(c, zone))
    if result is not None:
        info(f"applied: {len(result.booked)} booked, {len(result.moved)} moved")
    elif any(c.kind in ("book", "move") for c in changes):
        info("dry run: nothing written (--apply to book)")


@app.command("insert")
def insert_cmd(
    number: str,
    apply_: ApplyOpt = False,
    force: HolidayOpt = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Bump visits without asking (with --apply).")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Drop an order into today's running schedule: best technician, knock-on delays; on a
    full day an emergency may bump normal/low visits (asks first unless --yes)."""
    with read_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        zone = shop_zone(session)
        proposal = insert_emergency(session, order, force=force, bump=True)
    if apply_:
        if proposal.best is None:
            raise InvalidInput(f"nobody can take {proposal.number} today: " + _nobody(proposal))
        if proposal.best.bumped and not yes:
            moves = "; ".join(b.describe(zone) for b in proposal.best.bumped)
            if json_out or not _confirm(f"{proposal.number} needs room: bump {moves}?"):
                raise InvalidInput(
                    f"{proposal.number}: not booked; bumping {moves} needs confirmation "
                    "(answer y, or pass --yes)"
                )
        with write_session(engine()) as session:
            apply_insert(session, proposal, actor=actor())
    if json_out:
        out = shapes.insert_json(proposal)
        out["applied"] = apply_
        print_json(out)
        return
    if proposal.best is None:
        info(f"nobody can take {proposal.number} today: {_nobody(proposal)}")
        raise typer.Exit(1)
    for i, o in enumerate(proposal.options):
        mark = "*" if i == 0 else " "
        delays = ", ".join(f"{d.number} +{d.minutes} min" for d in o.delays) or "no delays"
        info(
            f"{mark} {o.tech_name}: {hm(o.starts_at, zone)}-{hm(o.ends_at, zone)}, "
            f"+{o.added_drive_minutes} min drive, {delays}"
        )
        for b in o.bumped:
            info(f"    bumps {b.describe(zone)}")
    for name, why in proposal.not_possible.items():
        info(f"  {name}: {why}")
    b = proposal.best
    if apply_:
        info(
            f"booked {proposal.number}: {b.tech_name} {hm(b.starts_at, zone)}; "
            f"{len(b.delays)} visits moved, {len(b.bumped)} bumped"
        )
    else:
        info("dry run: nothing written (--apply to book)")


def _confirm(question: str) -> bool:
    """Ask on the terminal; no answer (no terminal, end of input) is no."""
    try:
        return typer.confirm(question, default=False, err=True)
    except (typer.Abort, EOFError):
        return False


def _nobody(proposal) -> str:
    return "; ".join(f"{n}: {w}" for n, w in proposal.not_possible.items()) or "no technicians"


@app.command("route")
def route_cmd(
    tech: str,
    date: DateOpt = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver seconds.", callback=_time_limit)
    ] = 0.5,
    ics: Annotated[
        Path | None,
        typer.Option("--ics", help="Write the route as an iCalendar file ('-' = stdout)."),
    ] = None,
    force: HolidayOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Best visit order for one technician's day, with ETAs (--ics exports it)."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        person = find_technician(session, tech)
        day = parse_day(date, zone)
        proposal = route_for(session, person, day, time_limit, force=force)
    if ics is not None:
        text = route_ics(proposal.route, day, zone)
        atomic_write(ics, lambda fh: fh.write(text), what="--ics", mode=engine_file_mode(engine()))
    if json_out:
        say_json(shapes.tech_route_json(proposal), ics)
        return
    r = proposal.route
    say(
        f"{r.tech_name} {day:%a %Y-%m-%d}: {len(r.stops)} stops, {r.drive_minutes} min drive "
        f"(booked order: {proposal.current_drive_minutes} min)",
        ics,
    )
    for s in r.stops:
        say(
            f"  {hm(s.arrival, zone)} eta  {hm(s.starts_at, zone)}-{hm(s.ends_at, zone)}  "
            f"{s.number} {s.customer}, {s.address} ({s.travel_minutes} min)",
            ics,
        )
    if r.lunch:
        say(f"  lunch {hm(r.lunch[0], zone)}-{hm(r.lunch[1], zone)}", ics)
    for u in proposal.unassigned:
        say(f"  not placed: {u.number}: {u.reason}", ics)
    if ics is not None:
        say(f"wrote {ics}", ics)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="dispatch")
