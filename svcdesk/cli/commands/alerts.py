"""`svcdesk alerts`: stale orders, possible recalls, overdue follow-ups."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.reporting import alerts as svc


def alerts(
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="stale, recall or followup (repeatable).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Orders sitting in limbo (no event for longer than stale.hours.<status>) and more."""
    with read_session(engine()) as session:
        rows = svc.all_alerts(session, tuple(kind) if kind else svc.KINDS)
        zone = shop_zone(session)
    if json_out:
        print_json([a.to_json() for a in rows])
        return
    table(f"{len(rows)} alerts", ["Kind", "Number", "Status", "Customer", "Since", "What"],
          [(a.kind, a.number, status_words(a.status), a.customer, fmt(a.since, zone, "%m-%d %H:%M"), a.message)
           for a in rows])  # fmt: skip


def register(root: typer.Typer) -> None:
    root.command("alerts")(alerts)
