"""`svcdesk techs add|edit|list|show|timeoff`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt, nothing_to_change
from svcdesk.cli.output import info, print_json, show_changes, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, parse_when
from svcdesk.services.common.words import status_words
from svcdesk.services.crm import technicians as svc
from svcdesk.services.orders import queries

HOME_HELP = "Home: an address ending in a ZIP, or the ZIP (drives start there; '' = the depot)."

app = typer.Typer(help="Technicians, their skills, shifts and time off.", no_args_is_help=True)


@app.command("add")
def add(
    name: str,
    skill: Annotated[
        list[str] | None, typer.Option("--skill", help="Skill code (repeat or comma-separate).")
    ] = None,
    shifts: Annotated[
        str, typer.Option("--shifts", help="e.g. 'mon-fri 08:00-17:00; sat 09:00-13:00'")
    ] = svc.DEFAULT_SHIFT,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    cost: Annotated[str, typer.Option("--cost", help="Hourly cost, e.g. 38.50")] = "0",
    level: Annotated[
        str, typer.Option("--level", help="apprentice, tech, senior or lead")
    ] = "tech",
    home: Annotated[str | None, typer.Option("--home", help=HOME_HELP)] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a technician."""

    skills = [s for entry in (skill or []) for s in entry.split(",") if s.strip()]
    if level.strip().lower() not in svc.LEVELS:
        raise typer.BadParameter(
            f"{level!r}; expected {', '.join(svc.LEVELS)}", param_hint="--level"
        )
    home_address, home_lat, home_lon = svc.parse_home(home)
    with write_session(engine()) as session:
        tech = svc.create_technician(
            session,
            name=name,
            skills=skills,
            shifts=shifts,
            phone=phone,
            email=email,
            home_address=home_address,
            home_lat=home_lat,
            home_lon=home_lon,
            hourly_cost_cents=_cost(cost),
            level=level.strip().lower(),
        )
        result = {
            "id": tech.id,
            "name": tech.name,
            "skills": svc.technician_skills(session, tech.id),
        }
    if json_out:
        print_json(result)
    else:
        info(
            f"technician #{result['id']} {result['name']} added ({', '.join(result['skills']) or 'no skills'})"
        )


@app.command("edit")
def edit(
    name: Annotated[str, typer.Argument(help="Id or name.")],
    skill: Annotated[
        list[str] | None,
        typer.Option("--skill", help="The skills (replace the set; repeat or comma-separate)."),
    ] = None,
    no_skills: Annotated[bool, typer.Option("--no-skills", help="Remove every skill.")] = False,
    shifts: Annotated[
        str | None,
        typer.Option("--shifts", help="Weekly hours, e.g. 'mon-fri 08:00-17:00; sat 09:00-13:00'."),
    ] = None,
    rate: Annotated[
        str | None, typer.Option("--rate", "--cost", help="Hourly cost, e.g. 38.50")
    ] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", show_default=False)] = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="apprentice, tech, senior or lead")
    ] = None,
    rename: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    home: Annotated[str | None, typer.Option("--home", help=HOME_HELP)] = None,
    json_out: JsonOpt = False,
) -> None:
    """Change a technician's skills, shifts, hourly rate, active flag, contact details or
    home."""
    from svcdesk.services.common.money import parse_money

    skills = [s for entry in (skill or []) for s in entry.split(",") if s.strip()]
    if skills and no_skills:
        raise typer.BadParameter("--skill and --no-skills contradict", param_hint="--no-skills")
    given = (skills or no_skills, shifts, rate, active, phone, email, level, rename, home)
    if all(v is None or v is False or v == [] for v in given):
        nothing_to_change(
            "--skill, --shifts, --rate, --active/--inactive, --phone, --email, --level, --name "
            "or --home"
        )
    with write_session(engine()) as session:
        t = svc.find_technician(session, name)
        changes = svc.edit_technician(
            session,
            t,
            skills=skills if (skills or no_skills) else None,
            shifts=shifts,
            hourly_cost_cents=parse_money(rate, field="rate") if rate is not None else None,
            active=active,
            phone=phone,
            email=email,
            level=level,
            name=rename,
            home=home,
        )
        result = {"id": t.id, "name": t.name}
    show_changes(result["name"], result, changes, json_out)


@app.command("list")
def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Include inactive technicians.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Technicians with skills and shifts."""
    with read_session(engine()) as session:
        rows = [
            (
                t,
                svc.technician_skills(session, t.id),
                svc.format_shifts(svc.technician_shifts(session, t.id)),
            )
            for t in svc.list_technicians(session, include_inactive=all_)
        ]
    if json_out:
        print_json(
            [
                {
                    "id": t.id,
                    "name": t.name,
                    "active": t.active,
                    "skills": sk,
                    "shifts": sh,
                    "phone": t.phone,
                    "hourly_cost_cents": t.hourly_cost_cents,
                }
                for t, sk, sh in rows
            ]
        )
        return
    table(
        f"{len(rows)} technicians",
        ["#", "Name", "Skills", "Shifts", "Phone"],
        [(t.id, t.name, ", ".join(sk), sh, t.phone) for t, sk, sh in rows],
    )


@app.command("show")
def show(name: str, json_out: JsonOpt = False) -> None:
    """A technician with skills, shifts and open booked orders."""
    with read_session(engine()) as session:
        t = svc.find_technician(session, name)
        skills = svc.technician_skills(session, t.id)
        shifts = svc.format_shifts(svc.technician_shifts(session, t.id))
        orders = queries.list_orders(session, tech_id=t.id)
        zone = shop_zone(session)
    if json_out:
        print_json(
            {
                "id": t.id,
                "name": t.name,
                "active": t.active,
                "skills": skills,
                "shifts": shifts,
                "phone": t.phone,
                "email": t.email,
                "level": t.level,
                "home": t.home_address,
                "hourly_cost_cents": t.hourly_cost_cents,
                "orders": [o.to_json() for o in orders],
            }
        )
        return
    info(f"#{t.id} {t.name} ({'active' if t.active else 'inactive'}) {t.phone or ''}")
    info(f"Skills: {', '.join(skills) or '-'}")
    info(f"Shifts: {shifts or '-'}")
    info(f"Home:   {t.home_address or '- (drives start at the depot: the ZIP of company.address)'}")
    table(
        "Booked orders",
        ["Number", "Status", "Scheduled", "Customer", "Summary"],
        [
            (o.number, status_words(o.status), fmt(o.scheduled_start, zone), o.customer, o.summary)
            for o in orders
        ],
    )


@app.command("timeoff")
def timeoff(
    name: str,
    start: Annotated[str, typer.Option("--from")],
    end: Annotated[str, typer.Option("--to")],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
) -> None:
    """Record time off (bookings in it are refused)."""
    with write_session(engine()) as session:
        zone = shop_zone(session)
        t = svc.find_technician(session, name)
        svc.add_time_off(
            session,
            t,
            parse_when(start, zone, field="from"),
            parse_when(end, zone, field="to"),
            reason,
        )
        info(f"{t.name}: time off recorded")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="techs")


def _cost(text: str) -> int:
    """Hourly cost in cents: not negative (`--cost=-5` was stored)."""
    from svcdesk.services.common.money import parse_money

    cents = parse_money(text, field="cost")
    if cents < 0:
        raise InvalidInput(f"cost: {text!r} is negative; give the hourly cost, e.g. 38.50")
    return cents
