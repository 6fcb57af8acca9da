"""`svcdesk stock on-hand|receive|move|adjust|use|unuse|usage|reorder|restock|par|...`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt, LimitOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models.inventory import MoveKind
from svcdesk.services.common.quantity import fmt_qty, parse_qty
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.execution import entry_forms
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.inventory import part_usage, parts, restock, stock
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Stock: the move ledger, on-hand per warehouse/truck, parts used, reorder, restock.",
    no_args_is_help=True,
)


@app.command("on-hand")
def on_hand(
    location: Annotated[
        str | None, typer.Option("--location", "-l", help="Location, or a technician's name.")
    ] = None,
    search: Annotated[str | None, typer.Option("--search", "-s")] = None,
    json_out: JsonOpt = False,
) -> None:
    """On-hand per location and part (non-zero only)."""
    with read_session(engine()) as session:
        loc_id = stock.get_location(session, location).id if location else None
        rows = stock.on_hand_rows(session, loc_id, text=search)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(
        f"{len(rows)} stock lines",
        ["Location", "SKU", "Name", "On hand", "Unit"],
        [(r.location, r.sku, r.name, fmt_qty(r.on_hand_milli), r.unit) for r in rows],
    )


@app.command("receive")
def receive(
    sku: str,
    qty: str,
    to: Annotated[str | None, typer.Option("--to", help="Default: the first warehouse.")] = None,
    reference: Annotated[str | None, typer.Option("--ref", help="PO / receipt number.")] = None,
) -> None:
    """Purchase receipt: stock in."""
    with write_session(engine()) as session:
        part = parts.get_part(session, sku)
        loc = stock.get_location(session, to) if to else stock.default_warehouse(session)
        amount = parse_qty(qty)
        stock.post_move(
            session,
            part=part,
            qty_milli=amount,
            kind=MoveKind.RECEIVE,
            to_loc=loc,
            reference=reference,
            actor=actor(),
        )
        info(
            f"{part.sku}: received {fmt_qty(amount)} at {loc.name}; on hand {fmt_qty(stock.on_hand(session, loc.id, part.id))}"
        )


@app.command("move")
def move(
    sku: str,
    qty: str,
    from_: Annotated[str, typer.Option("--from", help="Source location.")],
    to: Annotated[str, typer.Option("--to", help="Destination location.")],
) -> None:
    """Transfer between locations (refused when the source hasn't enough)."""
    with write_session(engine()) as session:
        part = parts.get_part(session, sku)
        src, dst = stock.get_location(session, from_), stock.get_location(session, to)
        amount = parse_qty(qty)
        stock.post_move(
            session,
            part=part,
            qty_milli=amount,
            kind=MoveKind.TRANSFER,
            from_loc=src,
            to_loc=dst,
            actor=actor(),
        )
        info(f"{part.sku}: moved {fmt_qty(amount)} {src.name} -> {dst.name}")


@app.command("adjust")
def adjust(
    sku: str,
    by: Annotated[str, typer.Option("--by", help="Signed change, e.g. -2 or +1.5.")],
    location: Annotated[str, typer.Option("--location", "-l")],
    reason: Annotated[str, typer.Option("--reason", help="Why (required), e.g. 'cycle count'.")],
) -> None:
    """Correct a count. The only move that may take stock below zero (it says why)."""
    text = by.strip()
    negative = text.startswith("-")
    amount = parse_qty(text.lstrip("+-"), field="--by")
    with write_session(engine()) as session:
        part = parts.get_part(session, sku)
        loc = stock.get_location(session, location)
        stock.post_move(
            session,
            part=part,
            qty_milli=amount,
            kind=MoveKind.ADJUST,
            from_loc=loc if negative else None,
            to_loc=None if negative else loc,
            reason=reason,
            actor=actor(),
        )
        info(
            f"{part.sku} at {loc.name}: {'-' if negative else '+'}{fmt_qty(amount)}; on hand {fmt_qty(stock.on_hand(session, loc.id, part.id))}"
        )


@app.command("use")
def use(
    number: str,
    sku: Annotated[str | None, typer.Argument(help="Part SKU.")] = None,
    qty: Annotated[str | None, typer.Argument(help="Quantity, e.g. 1 or 2.5.")] = None,
    visit_id: Annotated[int | None, typer.Option("--visit")] = None,
    tech: Annotated[str | None, typer.Option("--tech", help="Whose truck (default: lead).")] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="Take from this location instead.")
    ] = None,
    warranty: Annotated[
        bool, typer.Option("--warranty", help="Covered by warranty (not billed).")
    ] = False,
    none: Annotated[bool, typer.Option("--none", help="Declare that no parts were used.")] = False,
) -> None:
    """Record a part used on an order's visit: consumed from the truck in one transaction."""
    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        if none:
            if sku or qty:
                raise InvalidInput("--none takes no SKU or quantity")
            vp.declare_no_parts(session, order, actor=actor())
            info(f"{order.number}: recorded that no parts were used")
            return
        if not sku or not qty:
            raise InvalidInput("give SKU and QTY (or --none)")
        usage, part, amount = entry_forms.use_part_from_text(
            session, order.number, sku, qty, visit_id=visit_id, pick_visit=True, tech=tech,
            location=from_, warranty=warranty, actor=actor(),
        )  # fmt: skip
        info(f"{order.number}: used {fmt_qty(amount)} {part.sku} (usage {usage.id})")


@app.command("unuse")
def unuse(usage_id: int) -> None:
    """Remove a part usage; the stock goes back where it came from."""
    with write_session(engine()) as session:
        usage = part_usage.remove_usage(session, usage_id, actor=actor())
        info(f"usage {usage_id} removed; {fmt_qty(usage.qty_milli)} returned")


@app.command("usage")
def usage(number: str, json_out: JsonOpt = False) -> None:
    """Parts used on an order."""
    with read_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        rows = part_usage.order_usages(session, order.id)
        data = [
            {
                "id": u.id,
                "visit_id": u.visit_id,
                "sku": p.sku,
                "name": p.name,
                "qty": fmt_qty(u.qty_milli),
                "qty_milli": u.qty_milli,
                "location": loc,
                "unit_cost_cents": u.unit_cost_cents,
                "unit_price_cents": u.unit_price_cents,
                "warranty": u.warranty,
            }
            for u, p, loc in rows
        ]
    if json_out:
        print_json(data)
        return
    table(
        f"{order.number}: {len(data)} parts",
        ["Id", "SKU", "Name", "Qty", "From", "Warranty"],
        [
            (d["id"], d["sku"], d["name"], d["qty"], d["location"], "yes" if d["warranty"] else "")
            for d in data
        ],
    )


@app.command("reorder")
def reorder(json_out: JsonOpt = False) -> None:
    """What to buy (warehouse at/below reorder point) and which trucks are below minimum."""
    with read_session(engine()) as session:
        lines = restock.reorder_report(session)
    if json_out:
        print_json([ln.to_json() for ln in lines])
        return
    table(
        f"{len(lines)} reorder lines",
        ["Location", "SKU", "Name", "On hand", "Point/min", "Suggest", "Vendor"],
        [
            (
                ln.location,
                ln.sku,
                ln.name,
                fmt_qty(ln.on_hand_milli),
                fmt_qty(ln.point_milli),
                fmt_qty(ln.suggest_milli),
                ln.vendor,
            )
            for ln in lines
        ],
    )


@app.command("restock")
def restock_cmd(
    from_: Annotated[
        str | None, typer.Option("--from", help="Warehouse (default: the first).")
    ] = None,
    truck: Annotated[
        str | None, typer.Option("--truck", help="Only this truck (or technician).")
    ] = None,
    accept: Annotated[
        bool, typer.Option("--accept", help="Post the transfers now (one step).")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Propose (or with --accept, post) transfers bringing trucks back to par."""
    with write_session(engine()) as session:
        run = restock.restock_to_par(
            session, warehouse=from_, truck=truck, accept=accept, actor=actor()
        )
    wh_name, lines, posted = run.warehouse, run.lines, run.moves
    if json_out:
        print_json(
            {
                "from": wh_name,
                "accepted": accept,
                "moves": posted,
                "lines": [ln.to_json() for ln in lines],
            }
        )
        return
    table(
        f"Restock from {wh_name}"
        + (f": {posted} transfers posted" if accept else " (proposal; --accept to post)"),
        ["Truck", "SKU", "On hand", "Par", "Transfer", "Short"],
        [
            (
                ln.truck,
                ln.sku,
                fmt_qty(ln.on_hand_milli),
                fmt_qty(ln.par_milli),
                fmt_qty(ln.qty_milli),
                fmt_qty(ln.short_milli) if ln.short_milli else "",
            )
            for ln in lines
        ],
    )


@app.command("par")
def par(
    location: str,
    sku: str,
    min_: Annotated[
        str, typer.Option("--min", help="Below this, the location is listed to restock.")
    ],
    par_: Annotated[str, typer.Option("--par", help="Restock brings it back to this.")],
) -> None:
    """Set a location's (truck's) minimum and par level for a part."""
    with write_session(engine()) as session:
        loc = stock.get_location(session, location)
        part = parts.get_part(session, sku)
        row = restock.set_par(
            session,
            loc,
            part,
            min_milli=parse_qty(min_, field="--min", allow_zero=True),
            par_milli=parse_qty(par_, field="--par", allow_zero=True),
        )
        info(f"{loc.name} {part.sku}: min {fmt_qty(row.min_milli)}, par {fmt_qty(row.par_milli)}")


@app.command("locations")
def locations(json_out: JsonOpt = False) -> None:
    """Warehouses and trucks."""
    with read_session(engine()) as session:
        data = [
            {"id": loc.id, "name": loc.name, "kind": loc.kind, "technician_id": loc.technician_id}
            for loc in stock.list_locations(session)
        ]
    if json_out:
        print_json(data)
        return
    table(
        f"{len(data)} locations",
        ["Id", "Name", "Kind"],
        [(d["id"], d["name"], d["kind"]) for d in data],
    )


@app.command("location-add")
def location_add(
    name: str,
    kind: Annotated[str, typer.Option("--kind", help="warehouse or truck.")] = "warehouse",
    tech: Annotated[str | None, typer.Option("--tech", help="The truck's technician.")] = None,
) -> None:
    """Add a warehouse (or a truck for a technician)."""
    with write_session(engine()) as session:
        tech_id = find_technician(session, tech).id if tech else None
        loc = stock.add_location(session, name, kind, tech_id)
        info(f"location {loc.id}: {loc.name} ({loc.kind})")


@app.command("trucks")
def trucks() -> None:
    """Create a truck location for every active technician that has none."""
    with write_session(engine()) as session:
        made = stock.ensure_trucks(session)
        info(
            f"{len(made)} trucks created" + (": " + ", ".join(m.name for m in made) if made else "")
        )


@app.command("ledger")
def ledger(
    sku: Annotated[str | None, typer.Option("--sku")] = None,
    location: Annotated[str | None, typer.Option("--location", "-l")] = None,
    limit: LimitOpt = 50,
    json_out: JsonOpt = False,
) -> None:
    """The latest ledger moves (newest first)."""
    from svcdesk.services.common.timefmt import iso

    with read_session(engine()) as session:
        part_id = parts.get_part(session, sku).id if sku else None
        loc_id = stock.get_location(session, location).id if location else None
        names = {loc.id: loc.name for loc in stock.list_locations(session)}
        skus = {
            p.id: p.sku for p in parts.search_parts(session, limit=100000, include_inactive=True)
        }
        data = [
            {
                "id": m.id,
                "at": iso(m.at),
                "kind": m.kind,
                "sku": skus.get(m.part_id),
                "qty": fmt_qty(m.qty_milli),
                "from": names.get(m.from_location_id),
                "to": names.get(m.to_location_id),
                "reason": m.reason,
                "reference": m.reference,
                "actor": m.actor,
            }
            for m in stock.moves_for(session, part_id=part_id, location_id=loc_id, limit=limit)
        ]
    if json_out:
        print_json(data)
        return
    table(
        f"{len(data)} moves",
        ["Id", "At (UTC)", "Kind", "SKU", "Qty", "From", "To", "Reason"],
        [
            (d["id"], d["at"], d["kind"], d["sku"], d["qty"], d["from"], d["to"], d["reason"])
            for d in data
        ],
    )


@app.command("verify")
def verify(
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild balances from the ledger.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Check every cached on-hand against the ledger sums (exit 1 on drift)."""
    with write_session(engine()) as session:
        drift = stock.verify(session)
        if drift and repair:
            stock.rebuild_balances(session)
    data = [
        {
            "location_id": d.location_id,
            "part_id": d.part_id,
            "cached": fmt_qty(d.cached_milli),
            "ledger": fmt_qty(d.ledger_milli),
        }
        for d in drift
    ]
    if json_out:
        print_json({"drift": data, "repaired": bool(drift and repair)})
    elif drift:
        info(f"{len(drift)} balances differ from the ledger" + ("; rebuilt" if repair else ""))
    else:
        info("stock balances match the ledger")
    if drift and not repair:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="stock")
