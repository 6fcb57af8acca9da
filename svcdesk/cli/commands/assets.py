"""`svcdesk assets show ID`: an asset's full service history."""

from __future__ import annotations

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
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
            f"{fmt(v.starts_at, zone, '%Y-%m-%d')} {', '.join(v.technicians)} {v.outcome or v.status}"
            + (f" [{', '.join(v.readings)}]" if v.readings else "")
            for v in o.visits
        )
        rows.append((o.number, fmt(o.created_at, zone, "%Y-%m-%d"), o.kind, o.status, o.summary,
                     visits, "; ".join(o.parts)))  # fmt: skip
    table(
        f"{len(h.orders)} orders",
        ["Order", "Opened", "Kind", "Status", "Summary", "Visits", "Parts"],
        rows,
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="assets")
