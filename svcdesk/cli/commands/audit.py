"""`svcdesk audit [SO-…] [--actor NAME] [--since WHEN]`: who did what."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso, parse_when
from svcdesk.services.orders import lifecycle
from svcdesk.services.reporting.audit import audit_log


def audit(
    number: Annotated[
        str | None, typer.Argument(help="One order (else all orders, newest events).")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only this person's actions.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events at or after WHEN.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 500,
    json_out: JsonOpt = False,
) -> None:
    """Who did what, and when: the order history as an audit trail."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        order_id = lifecycle.get_order(session, number).id if number else None
        rows = audit_log(
            session,
            order_id=order_id,
            actor=actor,
            since=parse_when(since, zone, field="since") if since else None,
            limit=limit,
        )
    if json_out:
        print_json(
            [
                {
                    "at": iso(r.at),
                    "actor": r.actor,
                    "order": r.order,
                    "kind": r.kind,
                    "from_status": r.from_status,
                    "to_status": r.to_status,
                    "detail": r.detail,
                }
                for r in rows
            ]
        )
        return
    table(
        f"{len(rows)} events",
        ["When", "Who", "Order or record", "Event", "Change", "Detail"],
        [
            (
                fmt(r.at, zone),
                r.actor,
                r.order,
                r.kind,
                f"{r.from_status or ''} -> {r.to_status}" if r.to_status else "",
                r.detail,
            )
            for r in rows
        ],
    )


def register(root: typer.Typer) -> None:
    root.command("audit")(audit)
