"""`svcdesk pricebook import|export|list`: the price book as a CSV file."""

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
