"""`svcdesk sla [--at-risk] [--breached]` and `svcdesk sla compliance`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.agreements import sla_state
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import day_bounds, fmt, parse_day
from svcdesk.services.common.words import status_words

app = typer.Typer(help="SLA clocks: open orders at risk or breached, compliance.")


@app.callback(invoke_without_command=True)
def sla(
    ctx: typer.Context,
    at_risk: Annotated[
        bool, typer.Option("--at-risk", help="Less than sla.at_risk_percent left.")
    ] = False,
    breached: Annotated[bool, typer.Option("--breached", help="Past the due time.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Open orders with their SLA time left (active target: response, then resolution)."""
    if ctx.invoked_subcommand is not None:
        return
    with read_session(engine()) as session:
        rows = sla_state.open_states(session, at_risk=at_risk, breached=breached)
        zone = shop_zone(session)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(f"{len(rows)} orders", ["Number", "Pri", "Status", "Customer", "Target", "Due", "Left", "State", "Policy"],
          [(r.number, r.priority, status_words(r.status), r.customer, r.sla.target, fmt(r.sla.due, zone, "%m-%d %H:%M"),
            r.sla.label(), r.sla.state, r.sla.policy) for r in rows])  # fmt: skip


@app.command("compliance")
def compliance_cmd(
    from_: Annotated[
        str | None, typer.Option("--from", help="First day (default 30 days ago).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (default today).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """SLA compliance of orders resolved in a date range, per priority."""
    from datetime import timedelta

    with read_session(engine()) as session:
        zone = shop_zone(session)
        last = parse_day(to, zone)
        first = parse_day(from_, zone) if from_ else last - timedelta(days=29)
        start, _ = day_bounds(first, zone)
        _, end = day_bounds(last, zone)
        rows = sla_state.compliance(session, start, end)
    if json_out:
        print_json(
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "priorities": [r.to_json() for r in rows],
            }
        )
        return
    table(f"SLA compliance {first} - {last}", ["Priority", "Resolved", "Response met", "Resolution met"],
          [(r.priority, r.resolved, f"{r.response_met} ({r.to_json()['response_pct'] or 0:g} %)",
            f"{r.resolution_met} ({r.to_json()['resolution_pct'] or 0:g} %)") for r in rows])  # fmt: skip


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sla")
