"""`svcdesk orders list|show|status|assign|note|reschedule|unassign`.

`orders list` reads on SQLAlchemy Core (`read_connection`; services/orders/queries.py runs
on either kind of reader), so a script listing orders loads no SQLModel, ORM or table
class (issue 20). The other commands import the services that build them in their body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from svcdesk.cli.options import ForceOpt, JsonOpt, LimitOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_connection, read_session, write_session
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.services.common.choices import parse_priority, parse_status
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, parse_when
from svcdesk.services.common.words import status_words
from svcdesk.services.orders import queries

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="Work orders: list, show, move through their life, book visits.", no_args_is_help=True
)


@app.command("list")
def list_cmd(
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Only these statuses (repeatable).")
    ] = None,
    priority: Annotated[str | None, typer.Option("--priority")] = None,
    tech: Annotated[str | None, typer.Option("--tech", help="Booked on this technician.")] = None,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="No active visit booked.")
    ] = False,
    all_: Annotated[
        bool, typer.Option("--all", help="Include closed and cancelled orders.")
    ] = False,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Number, customer, phone, address, summary."),
    ] = None,
    limit: LimitOpt = 200,
    json_out: JsonOpt = False,
) -> None:
    """Open orders, most urgent first."""
    db = engine()  # (a missing shop is said first, as by every command)
    statuses = [parse_status(s).value for s in status] if status else None
    prio = parse_priority(priority).value if priority else None
    tech_id = _tech_id(db, tech) if tech else None
    with read_connection(db) as conn:
        rows = queries.list_orders(
            conn,
            statuses=statuses,
            open_only=not all_,
            priority=prio,
            tech_id=tech_id,
            unassigned=unassigned,
            text=search,
            limit=limit,
        )
        zone = shop_zone(conn)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(
        f"{len(rows)} orders",
        ["Number", "Pri", "Status", "Customer", "City", "Summary", "Tech", "Scheduled", "SLA due"],
        [
            (
                r.number,
                r.priority,
                status_words(r.status),
                r.customer,
                r.city,
                r.summary[:40],
                ", ".join(r.technicians),
                fmt(r.scheduled_start, zone, "%m-%d %H:%M"),
                fmt(r.sla_due, zone, "%m-%d %H:%M"),
            )
            for r in rows
        ],
    )


def _tech_id(db: Engine, name: str) -> int:
    # (the technician rule reads the ORM table: only a list with --tech pays for it)
    from svcdesk.services.crm.technicians import find_technician

    with read_session(db) as session:
        return find_technician(session, name).id


@app.command("show")
def show(number: str, json_out: JsonOpt = False) -> None:
    """One order with its visits, notes and full history."""
    with read_session(engine()) as session:
        d = queries.order_detail(session, number)
        zone = shop_zone(session)
    if json_out:
        print_json(d.to_json())
        return
    r = d.row
    info(
        f"{r.number}  {r.priority.upper()}  {status_words(r.status)}  "
        f"({r.kind}, {status_words(d.source)}, version {r.version})"
    )
    info(f"Customer: {r.customer}  {r.phone or ''}")
    info(f"Site:     {d.site_label}")
    if d.asset:
        info(f"Asset:    {d.asset}")
    info(f"Summary:  {r.summary}")
    if d.description:
        info(f"Detail:   {d.description}")
    info(
        f"Skill:    {r.skill or '-'}   Estimate: {d.est_minutes} min   SLA due: {fmt(r.sla_due, zone)}"
    )
    if d.window_start:
        info(f"Window:   {fmt(d.window_start, zone)} - {fmt(d.window_end, zone)}")
    if d.hold_reason:
        info(f"On hold:  {d.hold_reason}")
    if d.callback_of:
        info(f"Callback of {d.callback_of}")
    info(f"Allowed moves: {', '.join(status_words(m) for m in d.allowed_moves) or 'none'}")
    if d.visits:
        table(
            "Visits",
            ["Start", "End", "Status", "Technicians", "Outcome"],
            [
                (
                    fmt(v.starts_at, zone),
                    fmt(v.ends_at, zone, "%H:%M"),
                    status_words(v.status),
                    ", ".join(v.technicians),
                    status_words(v.outcome),
                )
                for v in d.visits
            ],
        )
    if d.notes:
        table("Notes", ["When", "Who", "Note"], [(fmt(at, zone), a, t) for at, a, t in d.notes])
    table(
        "History",
        ["When", "Who", "Event", "Change", "Detail"],
        [
            (
                fmt(e.at, zone),
                e.actor,
                status_words(e.kind),
                f"{status_words(e.from_status)} -> {status_words(e.to_status)}"
                if e.to_status
                else "",
                e.detail,
            )
            for e in d.events
        ],
    )


VersionOpt = Annotated[
    int | None,
    typer.Option(
        "--version",
        help="The order version you looked at (orders show); refused if it changed since.",
    ),
]


@app.command("status")
def status_cmd(
    number: str,
    status: str,
    note: Annotated[
        str | None,
        typer.Option("--note", "--reason", help="Why (required for on_hold and cancelled)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Complete past unanswered required checklist items.")
    ] = False,
    version: VersionOpt = None,
) -> None:
    """Move an order to STATUS (only allowed moves); its visits follow (see docs/execution.md)."""
    # (imported here: visits' progress brings in the messages area, which listing skips)
    from svcdesk.services.execution import order_progress
    from svcdesk.services.orders import lifecycle

    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        before = order.status
        order_progress.change_order_status(
            session, order, status, actor=actor(), reason=note, note=note,
            expected_version=version, force=force,
        )  # fmt: skip
        info(f"{order.number}: {status_words(before)} -> {status_words(order.status)}")


def _techs(session, names: list[str]):
    from svcdesk.services.crm.technicians import find_technicians

    return [tech for entry in names for tech in find_technicians(session, entry)]


@app.command("assign")
def assign(
    number: str,
    tech: Annotated[
        list[str],
        typer.Option("--tech", help="Technician (repeat or comma-separate; first is lead)."),
    ],
    at: Annotated[
        str, typer.Option("--at", help="Start, e.g. '2026-11-26 09:00' or 'tomorrow 9am'.")
    ],
    minutes: Annotated[
        int | None, typer.Option("--minutes", help="Duration (default: the order's estimate).")
    ] = None,
    add: Annotated[
        bool,
        typer.Option(
            "--add", help="Book another visit (a second day) instead of moving the booked one."
        ),
    ] = False,
    force: ForceOpt = False,
    version: VersionOpt = None,
) -> None:
    """Book the order's visit, or move the booked one that has not started (same as the
    console): refuses double-booking, off-shift, time off and missing skill."""
    from svcdesk.services.orders import lifecycle, scheduling

    with write_session(engine()) as session:
        zone = shop_zone(session)
        order = lifecycle.get_order(session, number)
        techs = _techs(session, tech)
        visit, moved = scheduling.assign(
            session,
            order,
            techs,
            parse_when(at, zone, field="at"),
            minutes,
            add=add,
            force=force,
            actor=actor(),
            expected_version=version,
        )
        info(
            f"{order.number}: {'moved to' if moved else 'booked'} "
            f"{fmt(visit.starts_at, zone)}-{fmt(visit.ends_at, zone, '%H:%M')} "
            f"with {', '.join(t.name for t in techs)}{' (forced)' if force else ''}; "
            f"status {status_words(order.status)}"
        )


def _visit(session, order, visit_id: int | None):
    from svcdesk.services.orders import scheduling

    visits = scheduling.active_visits(session, order.id)
    if visit_id is not None:
        visits = [v for v in visits if v.id == visit_id]
    if not visits:
        raise NotFound(f"{order.number}: no active visit" + (f" {visit_id}" if visit_id else ""))
    if len(visits) > 1:
        raise InvalidInput(
            f"{order.number} has several visits; pass --visit ID ({', '.join(str(v.id) for v in visits)})"
        )
    return visits[0]


@app.command("reschedule")
def reschedule(
    number: str,
    at: Annotated[str, typer.Option("--at")],
    minutes: Annotated[int | None, typer.Option("--minutes")] = None,
    tech: Annotated[list[str] | None, typer.Option("--tech")] = None,
    visit_id: Annotated[int | None, typer.Option("--visit")] = None,
    force: ForceOpt = False,
) -> None:
    """Move a booked visit to another time (and/or other technicians)."""
    from svcdesk.services.orders import lifecycle, scheduling

    with write_session(engine()) as session:
        zone = shop_zone(session)
        order = lifecycle.get_order(session, number)
        visit = _visit(session, order, visit_id)
        techs = _techs(session, tech) if tech else None
        scheduling.reschedule_visit(
            session,
            visit,
            parse_when(at, zone, field="at"),
            minutes,
            techs,
            force=force,
            actor=actor(),
        )
        info(
            f"{order.number}: visit moved to {fmt(visit.starts_at, zone)}-{fmt(visit.ends_at, zone, '%H:%M')}"
        )


@app.command("unassign")
def unassign(
    number: str,
    reason: Annotated[str, typer.Option("--reason")] = "unassigned by dispatcher",
    visit_id: Annotated[int | None, typer.Option("--visit")] = None,
) -> None:
    """Cancel a booked visit; the order goes back to new when nothing is booked."""
    from svcdesk.services.orders import lifecycle, scheduling

    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        scheduling.cancel_visit(
            session, _visit(session, order, visit_id), reason=reason, actor=actor()
        )
        info(f"{order.number}: visit cancelled; status {status_words(order.status)}")


@app.command("note")
def note(number: str, text: str) -> None:
    """Add a note to an order's history."""
    from svcdesk.services.orders import lifecycle, notes

    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        notes.add_note(session, order, text, author=actor())
        info(f"{order.number}: note added")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="orders")
