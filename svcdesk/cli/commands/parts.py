"""`svcdesk parts import|list|add|show`: the parts catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svcdesk.cli.files import read_capped
from svcdesk.cli.options import DryRunOpt, JsonOpt, LimitOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.inventory import parts, stock

app = typer.Typer(
    help="The parts catalog: SKU, prices, reorder point, vendor.", no_args_is_help=True
)


MAX_PARTS_BYTES = 50 * 2**20  # a catalog of 100,000 parts is about 10 MB


class _DryRun(Exception):
    pass


def part_json(p) -> dict:
    return {
        "sku": p.sku,
        "name": p.name,
        "unit": p.unit,
        "cost_cents": p.cost_cents,
        "list_price_cents": p.list_price_cents,
        "reorder_point": fmt_qty(p.reorder_point_milli),
        "reorder_qty": fmt_qty(p.reorder_qty_milli),
        "preferred_vendor": p.preferred_vendor,
        "taxable": p.taxable,
        "active": p.active,
    }


@app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV with sku,name,cost,list_price,... ('-' = stdin)")
    ],
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Import or update parts by SKU (all rows or none; re-running is a no-op)."""
    text = read_capped(str(file), MAX_PARTS_BYTES, "a parts file")
    try:
        with write_session(engine()) as session:
            result = parts.import_csv(session, "stdin" if str(file) == "-" else file, text)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if json_out:
        print_json({**result.to_json(), "dry_run": dry_run})
        return
    info(
        f"{file}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        + (" (dry run, nothing written)" if dry_run else "")
    )


@app.command("list")
def list_cmd(
    search: Annotated[str, typer.Option("--search", "-s", help="SKU or name contains.")] = "",
    limit: LimitOpt = 200,
    json_out: JsonOpt = False,
) -> None:
    """Parts in the catalog, by SKU."""
    with read_session(engine()) as session:
        rows = parts.search_parts(session, search, limit=limit)
    if json_out:
        print_json([part_json(p) for p in rows])
        return
    table(
        f"{len(rows)} parts",
        ["SKU", "Name", "Unit", "Cost", "Price", "Reorder at", "Vendor"],
        [
            (
                p.sku,
                p.name,
                p.unit,
                fmt_money(p.cost_cents),
                fmt_money(p.list_price_cents),
                fmt_qty(p.reorder_point_milli),
                p.preferred_vendor,
            )
            for p in rows
        ],
    )


@app.command("add")
def add(
    sku: str,
    name: Annotated[str, typer.Option("--name")],
    cost: Annotated[str, typer.Option("--cost", help="Unit cost, e.g. 12.50.")],
    price: Annotated[str, typer.Option("--price", help="Unit list price.")],
    unit: Annotated[str, typer.Option("--unit")] = "ea",
    reorder_point: Annotated[str, typer.Option("--reorder-point")] = "0",
    reorder_qty: Annotated[str, typer.Option("--reorder-qty")] = "0",
    vendor: Annotated[str | None, typer.Option("--vendor")] = None,
    taxable: Annotated[bool, typer.Option("--taxable/--not-taxable")] = True,
) -> None:
    """Add a part, or update the one with this SKU."""
    with write_session(engine()) as session:
        fields = parts.fields_from_row(
            {
                "sku": sku,
                "name": name,
                "unit": unit,
                "cost": cost,
                "list_price": price,
                "reorder_point": reorder_point,
                "reorder_qty": reorder_qty,
                "preferred_vendor": vendor or "",
                "taxable": "yes" if taxable else "no",
            }
        )
        part, what = parts.upsert_part(session, fields)
        info(f"part {part.sku}: {what}")


@app.command("show")
def show(sku: str, json_out: JsonOpt = False) -> None:
    """One part with its on-hand per location."""
    with read_session(engine()) as session:
        part = parts.get_part(session, sku)
        data = part_json(part)
        data["on_hand"] = [
            {"location": r.location, "on_hand": fmt_qty(r.on_hand_milli)}
            for r in stock.on_hand_rows(session, text=part.sku)
            if r.sku == part.sku
        ]
    if json_out:
        print_json(data)
        return
    info(f"{data['sku']}  {data['name']}  ({data['unit']})")
    info(
        f"Cost {fmt_money(part.cost_cents)}  Price {fmt_money(part.list_price_cents)}  "
        f"Reorder at {data['reorder_point']} (order {data['reorder_qty']})  "
        f"Vendor {data['preferred_vendor'] or '-'}  {'taxable' if part.taxable else 'not taxable'}"
    )
    table("On hand", ["Location", "Qty"], [(r["location"], r["on_hand"]) for r in data["on_hand"]])


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="parts")
