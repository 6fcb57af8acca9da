"""`svcdesk closeout`: completed orders missing something before billing."""

from __future__ import annotations

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.execution.closeout import LABELS, closeout_queue


def closeout(json_out: JsonOpt = False) -> None:
    """The closeout queue: each completed order with what it lacks and the command to fix it."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        rows = closeout_queue(session)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(
        f"{len(rows)} orders to close out",
        ["Order", "Completed", "Customer", "Missing", "Fix"],
        [
            (
                r.number,
                fmt(r.completed_at, zone, "%m-%d %H:%M"),
                r.customer,
                ", ".join(LABELS[p] for p in r.problems),
                r.fix_hint(r.problems[0]),
            )
            for r in rows
        ],
    )


def register(root: typer.Typer) -> None:
    root.command("closeout")(closeout)
