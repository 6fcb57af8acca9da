"""`svcdesk pricebook import|export|list|set`: the price book as a CSV file, or one row at
a time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from svcdesk.atomicfile import atomic_write, check_target, is_stdout
from svcdesk.cli.files import read_capped
from svcdesk.cli.options import DryRunOpt, JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session, write_session
from svcdesk.services.billing import pricebook, pricebook_csv
from svcdesk.services.common.files import file_mode
from svcdesk.services.common.money import fmt_money

app = typer.Typer(
    help="Price book: flat-rate tasks, fees, labor rates, markup tiers.", no_args_is_help=True
)


MAX_PRICEBOOK_BYTES = 20 * 2**20  # a price book is kilobytes; /dev/zero grew to 23 GB


def _read(file: str) -> tuple[str, str]:
    text = read_capped(file, MAX_PRICEBOOK_BYTES, "a price book")
    return ("stdin" if file == "-" else Path(file).expanduser().name), text


@app.command("import")
def import_cmd(
    file: Annotated[str, typer.Argument(help="CSV file ('-' = stdin); see docs/billing.md.")],
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Create or update rows by code; every bad row is reported and nothing is written."""
    source, text = _read(file)
    with write_session(engine()) as session:
        result = pricebook_csv.import_pricebook(session, source, text, dry_run=dry_run)
    if json_out:
        print_json(result.to_json())
    else:
        info(result.summary())


@app.command("export")
def export_cmd(
    out: Annotated[str | None, typer.Option("--out", "-o", help="File (default: stdout).")] = None,
) -> None:
    """Write the whole price book as CSV (the import format; re-importing changes nothing)."""
    with read_session(engine()) as session:
        text = pricebook_csv.export_csv(session)
        mode = file_mode(session)
    if out is None or is_stdout(out):
        sys.stdout.write(text)
        return
    path = check_target(out, "--out")
    atomic_write(path, lambda fh: fh.write(text), what="--out", mode=mode)
    info(f"price book written to {path}")


def _opt(name: str, text: str):
    return typer.Option(name, help=text)


@app.command("set")
def set_cmd(
    code: Annotated[str, typer.Argument(help="Row code, e.g. LABOR, TUNEUP, TRIP.")],
    type_: Annotated[
        str | None, _opt("--type", "task, fee, labor or markup (required for a new code).")
    ] = None,
    name: Annotated[str | None, _opt("--name", "Name on quotes and invoices.")] = None,
    description: Annotated[str | None, _opt("--description", "Longer text (tasks).")] = None,
    kind: Annotated[str | None, _opt("--kind", "Labor: regular, overtime or emergency.")] = None,
    level: Annotated[str | None, _opt("--level", "Labor: technician level (blank = all).")] = None,
    price: Annotated[str | None, _opt("--price", "Task/fee price, or labor per hour.")] = None,
    cost: Annotated[str | None, _opt("--cost", "Your cost (tasks, fees).")] = None,
    minutes: Annotated[str | None, _opt("--minutes", "Task: estimated minutes.")] = None,
    skill: Annotated[str | None, _opt("--skill", "Task: skill it needs.")] = None,
    taxable: Annotated[str | None, _opt("--taxable", "yes or no.")] = None,
    active: Annotated[str | None, _opt("--active", "yes or no (no retires it).")] = None,
    min_cost: Annotated[str | None, _opt("--min-cost", "Markup: tier starts at this cost.")] = None,
    markup: Annotated[str | None, _opt("--markup", "Markup: percent, e.g. 35.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a price book row or change the values given (same rules as `pricebook import`)."""
    changes = {
        "type": type_, "name": name, "description": description, "kind": kind,
        "level": level, "price": price, "cost": cost, "est_minutes": minutes, "skill": skill,
        "taxable": taxable, "active": active, "min_cost": min_cost, "markup_pct": markup,
    }  # fmt: skip
    with write_session(engine()) as session:
        status = pricebook_csv.save_entry(session, code, changes)
        row = next(
            r for r in pricebook_csv.export_rows(session) if r["code"] == code.strip().upper()
        )
    if json_out:
        print_json({"status": status, **row})
        return
    what = pricebook_csv.TYPE_WORDS.get(row["type"], row["type"])
    price_text = (
        f"{row['markup_pct']}% from ${row['min_cost']}"
        if row["type"] == "markup"
        else (f"${row['price']}" + ("/h" if row["type"] == "labor" else ""))
    )
    info(
        f"{row['code']}: {what} {row.get('name') or ''} {price_text} ({status})".replace("  ", " ")
    )


@app.command("list")
def list_cmd(
    search: Annotated[str | None, typer.Option("--search", "-s")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Tasks and fees, then labor rates and markup tiers."""
    with read_session(engine()) as session:
        items = pricebook.list_items(session, text=search)
        rates = pricebook.labor_rates(session)
        tiers = pricebook.markup_tiers(session)
    if json_out:
        print_json(
            {
                "items": [i.model_dump(exclude={"id", "updated_at"}) for i in items],
                "labor_rates": [r.model_dump(exclude={"id", "updated_at"}) for r in rates],
                "markup_tiers": [t.model_dump(exclude={"id", "updated_at"}) for t in tiers],
            }
        )
        return
    table(
        f"{len(items)} tasks and fees",
        ["Code", "Type", "Name", "Price", "Cost", "Min", "Skill", "Tax", "Active"],
        [
            (
                i.code,
                i.kind,
                i.name,
                fmt_money(i.price_cents),
                fmt_money(i.cost_cents),
                i.est_minutes or "",
                i.skill or "",
                "yes" if i.taxable else "no",
                "yes" if i.active else "no",
            )
            for i in items
        ],
    )
    table(
        "Labor rates (per hour)",
        ["Code", "Kind", "Level", "Name", "Rate"],
        [(r.code, r.kind, r.level or "all", r.name, fmt_money(r.rate_cents)) for r in rates],
    )
    table(
        "Part markup (parts without a list price)",
        ["Code", "From cost", "Markup"],
        [(t.code, fmt_money(t.min_cost_cents), f"{t.markup_bp / 100:g}%") for t in tiers],
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="pricebook")
