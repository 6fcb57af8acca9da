"""`svcdesk assets add|edit|retire|show`: equipment at a site and its service history."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt, nothing_to_change
from svcdesk.cli.output import info, print_json, show_changes, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.crm import asset_forms
from svcdesk.services.crm import customers as crm
from svcdesk.services.reporting.asset_history import asset_history

app = typer.Typer(
    help="Equipment: service history, warranty, covering plans.", no_args_is_help=True
)


@app.command("show")
def show(asset_id: int, json_out: JsonOpt = False) -> None:
    """Orders, visits, parts and readings on one asset; warranty; agreements and plans."""
    with read_session(engine()) as session:
        h = asset_history(session, asset_id)
        zone = shop_zone(session)
    if json_out:
        print_json(h.to_json())
        return
    info(f"Asset {h.id}: {h.label}   {h.customer}, {h.site}")
    info(f"Warranty: {h.warranty}" + (f"   installed {h.installed_on}" if h.installed_on else ""))
    info(f"Covered by: {'; '.join(h.agreements) or 'no agreement'}")
    if h.plans:
        table("Plans", ["Id", "Summary", "Rule", "Next"],
              [(p["id"], p["summary"], p["rrule"], ", ".join(p["next"])) for p in h.plans])  # fmt: skip
    rows = []
    for o in h.orders:
        visits = "; ".join(
            f"{fmt(v.starts_at, zone, '%Y-%m-%d')} {', '.join(v.technicians)} {status_words(v.outcome or v.status)}"
            + (f" [{', '.join(v.readings)}]" if v.readings else "")
            for v in o.visits
        )
        rows.append((o.number, fmt(o.created_at, zone, "%Y-%m-%d"), o.kind, status_words(o.status), o.summary,
                     visits, "; ".join(o.parts)))  # fmt: skip
    table(
        f"{len(h.orders)} orders",
        ["Order", "Opened", "Kind", "Status", "Summary", "Visits", "Parts"],
        rows,
    )


@app.command("add")
def add(
    site: Annotated[str, typer.Option("--site", help="Site id (customers show lists them).")],
    kind: Annotated[str, typer.Option("--kind", help="e.g. furnace, ac_condenser, water_heater")],
    make: Annotated[str | None, typer.Option("--make")] = None,
    model: Annotated[str | None, typer.Option("--model")] = None,
    serial: Annotated[str | None, typer.Option("--serial")] = None,
    installed: Annotated[str | None, typer.Option("--installed", help="Install date.")] = None,
    warranty: Annotated[str | None, typer.Option("--warranty", help="Warranty end date.")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a piece of equipment at a site."""
    values = {"site": site, "kind": kind, "make": make, "model": model, "serial": serial,
              "installed": installed, "warranty": warranty, "notes": notes}  # fmt: skip
    with write_session(engine()) as session:
        a = asset_forms.add_asset_from_text(session, values, actor=actor())
        result = asset_forms.asset_dict(a)
        label = crm.describe_asset(a)
    if json_out:
        print_json(result)
    else:
        info(f"asset #{result['id']} {label} added at site #{result['site_id']}")


@app.command("edit")
def edit(
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    site: Annotated[str | None, typer.Option("--site", help="Move to this site.")] = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    make: Annotated[str | None, typer.Option("--make", help="(blank clears it)")] = None,
    model: Annotated[str | None, typer.Option("--model", help="(blank clears it)")] = None,
    serial: Annotated[str | None, typer.Option("--serial", help="(blank clears it)")] = None,
    installed: Annotated[str | None, typer.Option("--installed", help="(blank clears it)")] = None,
    warranty: Annotated[str | None, typer.Option("--warranty", help="(blank clears it)")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="(blank clears it)")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Change an asset's site, kind, make, model, serial, install date or warranty end."""
    values = {"site": site, "kind": kind, "make": make, "model": model, "serial": serial,
              "installed": installed, "warranty": warranty, "notes": notes}  # fmt: skip
    if all(v is None for v in values.values()):
        nothing_to_change(
            "--site, --kind, --make, --model, --serial, --installed, --warranty or --notes"
        )
    with write_session(engine()) as session:
        a = crm.get_asset(session, asset_id)
        changes = asset_forms.edit_asset_from_text(session, a, values, actor=actor())
        result = asset_forms.asset_dict(a)
    show_changes(f"asset #{result['id']}", result, changes, json_out)


@app.command("retire")
def retire(
    asset_id: Annotated[str, typer.Argument(help="Asset id.")],
    on: Annotated[str | None, typer.Option("--on", help="Day retired (default today).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="e.g. 'replaced'")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Take an asset out of service: kept with its history, no new orders on it."""
    with write_session(engine()) as session:
        a = asset_forms.retire_asset_from_text(session, asset_id, on, reason, actor=actor())
        result = asset_forms.asset_dict(a)
    if json_out:
        print_json(result)
    else:
        info(f"asset #{result['id']} retired on {result['retired_on']}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="assets")
