"""`svcdesk followups list|add|done` and `svcdesk recalls list|confirm|dismiss`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.agreements import followups as svc
from svcdesk.services.agreements import recalls
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, parse_when
from svcdesk.services.common.words import status_words
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Follow-up tasks after completion (callback, inspection, review).", no_args_is_help=True
)
recall_app = typer.Typer(
    help="Possible recalls: confirm (links callback_of) or dismiss.", no_args_is_help=True
)


@app.command("list")
def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Include done tasks.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tasks.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Open follow-ups, soonest due first."""
    with read_session(engine()) as session:
        rows = svc.list_followups(session, include_done=all_, overdue_only=overdue)
        zone = shop_zone(session)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(f"{len(rows)} follow-ups", ["Id", "Order", "Customer", "Kind", "Due", "Done", "Note"],
          [(r.id, r.number, r.customer, r.kind, fmt(r.due_at, zone, "%m-%d %H:%M") + (" !" if r.overdue else ""),
            fmt(r.done_at, zone, "%m-%d %H:%M"), r.note) for r in rows])  # fmt: skip


@app.command("add")
def add(
    number: str,
    kind: Annotated[str, typer.Argument(help="callback, inspection or review_request")],
    due: Annotated[str, typer.Option("--due", help="e.g. 'tomorrow 10:00'.")],
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Add a follow-up task to an order."""
    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        row = svc.add_followup(session, order, kind, parse_when(due, shop_zone(session), field="due"),
                               note=note, actor=actor())  # fmt: skip
        info(f"follow-up {row.id}: {row.kind} for {order.number}")


@app.command("done")
def done(followup_id: int, note: Annotated[str | None, typer.Option("--note")] = None) -> None:
    """Mark a follow-up done."""
    with write_session(engine()) as session:
        row = svc.complete(session, followup_id, note=note, actor=actor())
        info(f"follow-up {row.id}: done")


@recall_app.command("list")
def recall_list(
    status: Annotated[
        str, typer.Option("--status", help="possible, confirmed, dismissed or all.")
    ] = "possible",
    json_out: JsonOpt = False,
) -> None:
    """Orders flagged as possible recalls (same asset/site soon after a completed job)."""
    with read_session(engine()) as session:
        rows = recalls.list_recalls(session, None if status == "all" else status)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(f"{len(rows)} recalls", ["Order", "Original", "Match", "Days after", "Status"],
          [(r.number, r.original, r.match, r.days_after, status_words(r.status)) for r in rows])  # fmt: skip


@recall_app.command("confirm")
def recall_confirm(number: str) -> None:
    """Confirm: the order becomes a callback of the original job."""
    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        recalls.confirm(session, order, actor=actor())
        info(f"{order.number}: recall confirmed")


@recall_app.command("dismiss")
def recall_dismiss(number: str) -> None:
    """Not a recall."""
    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        recalls.dismiss(session, order, actor=actor())
        info(f"{order.number}: recall dismissed")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="followups")
    root.add_typer(recall_app, name="recalls")
