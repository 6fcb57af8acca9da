"""`svcdesk time add|list|edit|delete|card|approve` and `svcdesk export timecards`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from svcdesk.atomicfile import atomic_write
from svcdesk.cli.files import say, say_json
from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.files import file_mode
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso, parse_day, parse_when
from svcdesk.services.common.words import counted
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.execution import entry_forms, timecards
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Time cards: travel/work/break/shop entries, daily regular/overtime, approval.",
    no_args_is_help=True,
)


def entry_json(session, e) -> dict:
    tech = find_technician(session, e.technician_id)
    return {
        "id": e.id,
        "technician": tech.name,
        "order_id": e.order_id,
        "visit_id": e.visit_id,
        "kind": e.kind,
        "starts_at": iso(e.starts_at),
        "ends_at": iso(e.ends_at),
        "minutes": int((e.ends_at - e.starts_at).total_seconds() // 60) if e.ends_at else None,
        "source": e.source,
        "note": e.note,
        "approved": e.approved,
        "approved_by": e.approved_by,
    }


@app.command("add")
def add(
    tech: Annotated[str, typer.Option("--tech", help="Technician name or id.")],
    kind: Annotated[str, typer.Option("--kind", help="travel, work, break or shop.")],
    start: Annotated[str, typer.Option("--start", help="e.g. 'today 08:00'.")],
    end: Annotated[str, typer.Option("--end", help="e.g. 'today 12:00'.")],
    order: Annotated[str | None, typer.Option("--order", help="Order number.")] = None,
    visit_id: Annotated[int | None, typer.Option("--visit", help="Visit id on the order.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Enter a time entry by hand (overlaps with the technician's other entries refused)."""
    with write_session(engine()) as session:
        entry = entry_forms.add_time_from_text(
            session, tech=tech, kind=kind, start=start, end=end, order=order, visit_id=visit_id,
            note=note, actor=actor(), flag="--",
        )  # fmt: skip
        info(f"time entry {entry.id}: {timecards.describe(session, entry)}")


@app.command("list")
def list_cmd(
    tech: Annotated[str | None, typer.Option("--tech")] = None,
    order: Annotated[str | None, typer.Option("--order")] = None,
    day: Annotated[str | None, typer.Option("--day", help="Shop-local day (default: all).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Time entries, by technician then start."""
    from svcdesk.services.common.timefmt import day_bounds

    with read_session(engine()) as session:
        zone = shop_zone(session)
        start = end = None
        if day:
            start, end = day_bounds(parse_day(day, zone), zone)
        entries = timecards.list_entries(
            session,
            technician_id=find_technician(session, tech).id if tech else None,
            order_id=lifecycle.get_order(session, order).id if order else None,
            start=start,
            end=end,
        )
        rows = [entry_json(session, e) for e in entries]
        order_numbers = timecards.order_numbers(
            session, {e.order_id for e in entries if e.order_id}
        )
    if json_out:
        print_json(rows)
        return
    table(
        f"{len(rows)} time entries",
        ["Id", "Tech", "Kind", "Order", "Start", "End", "Min", "Src", "Approved"],
        [
            (
                r["id"],
                r["technician"],
                r["kind"],
                order_numbers.get(r["order_id"], ""),
                fmt(e.starts_at, zone),
                fmt(e.ends_at, zone, "%H:%M") or "running",
                r["minutes"],
                r["source"],
                "yes" if r["approved"] else "",
            )
            for r, e in zip(rows, entries, strict=True)
        ],
    )


@app.command("edit")
def edit(
    entry_id: int,
    start: Annotated[str | None, typer.Option("--start")] = None,
    end: Annotated[str | None, typer.Option("--end")] = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Correct an entry (clears its approval; overlaps still refused)."""
    with write_session(engine()) as session:
        zone = shop_zone(session)
        entry = timecards.get_entry(session, entry_id)
        timecards.update_entry(
            session,
            entry,
            starts_at=parse_when(start, zone, field="--start") if start else None,
            ends_at=parse_when(end, zone, field="--end") if end else None,
            kind=kind,
            note=note,
            actor=actor(),
        )
        info(f"time entry {entry.id}: {timecards.describe(session, entry)}")


@app.command("delete")
def delete(entry_id: int) -> None:
    """Delete a time entry."""
    with write_session(engine()) as session:
        entry = timecards.get_entry(session, entry_id)
        text = timecards.describe(session, entry)
        timecards.delete_entry(session, entry, actor=actor())
        info(f"time entry {entry_id} deleted: {text}")


@app.command("card")
def card(
    tech: Annotated[str | None, typer.Option("--tech")] = None,
    day: Annotated[str | None, typer.Option("--day", help="One day (default: today).")] = None,
    week: Annotated[
        str | None, typer.Option("--week", help="The week (Mon-Sun) containing this day.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Daily time cards: paid time split into regular and overtime, approval state."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        if week:
            first = timecards.week_start(parse_day(week, zone))
            last = first + timedelta(days=6)
        else:
            first = last = parse_day(day, zone)
        tech_id = find_technician(session, tech).id if tech else None
        cards = timecards.day_cards(session, first, last, technician_id=tech_id)
    if json_out:
        print_json([c.to_json() for c in cards])
        return
    table(
        f"Time cards {first}" + (f" to {last}" if last != first else ""),
        ["Day", "Tech", "Travel", "Work", "Shop", "Break", "Regular h", "OT h", "Approved"],
        [
            (
                c.day.isoformat(),
                c.technician,
                c.minutes.get("travel", 0),
                c.minutes.get("work", 0),
                c.minutes.get("shop", 0),
                c.minutes.get("break", 0),
                f"{c.regular_minutes / 60:.2f}",
                f"{c.overtime_minutes / 60:.2f}",
                "running" if c.running else ("yes" if c.approved else "no"),
            )
            for c in cards
        ],
    )


@app.command("approve")
def approve(
    tech: Annotated[str, typer.Option("--tech")],
    day: Annotated[str | None, typer.Option("--day", help="The shop-local day to approve.")] = None,
    week: Annotated[
        str | None, typer.Option("--week", help="Approve the whole week (Mon-Sun) of this day.")
    ] = None,
) -> None:
    """Approve a technician's day or week (every entry); only approved time goes to payroll
    and onto invoices."""
    if bool(day) == bool(week):
        raise typer.BadParameter("give --day or --week (one of them)", param_hint="--day")
    with write_session(engine()) as session:
        zone = shop_zone(session)
        technician = find_technician(session, tech)
        if week:
            first = timecards.week_start(parse_day(week, zone))
            count = timecards.approve_week(session, technician.id, first, actor=actor())
            info(
                f"{technician.name} week of {first}: {counted(count, 'entry', 'entries')} approved"
            )
            return
        the_day = parse_day(day, zone)
        count = timecards.approve_day(session, technician.id, the_day, actor=actor())
        info(f"{technician.name} {the_day}: {counted(count, 'entry', 'entries')} approved")


def export_timecards(
    week: Annotated[str, typer.Option("--week", help="Any day of the week (Mon-Sun) to export.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write ('-' = stdout).")],
    json_out: JsonOpt = False,
) -> None:
    """Payroll CSV of APPROVED time for one week: per technician per day, regular/overtime."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        first = timecards.week_start(parse_day(week, zone))
        cards, pending = timecards.payroll_rows(session, first)
        mode = file_mode(session)
    text = timecards.payroll_csv(cards)
    atomic_write(out, lambda fh: fh.write(text), what="--out", mode=mode)
    summary = {
        "week_start": first.isoformat(),
        "rows": len(cards),
        "path": str(out),
        "unapproved_entries": pending,
        "regular_hours": round(sum(c.regular_minutes for c in cards) / 60, 2),
        "overtime_hours": round(sum(c.overtime_minutes for c in cards) / 60, 2),
    }
    if json_out:
        say_json(summary, out)
        return
    say(
        f"timecards week of {first}: {len(cards)} rows to {out} "
        f"({summary['regular_hours']} regular h, {summary['overtime_hours']} overtime h)"
        + (f"; {pending} unapproved entries left out" if pending else ""),
        out,
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="time")
    from svcdesk.cli.commands.export import export_app

    export_app.command("timecards")(export_timecards)
