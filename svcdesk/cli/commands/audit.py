"""`svcdesk audit [SO-…] [--actor NAME] [--kind KIND [--record REF]] [--since WHEN]`: who
did what, with the values before and after."""

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
        str | None,
        typer.Option("--actor", help="Only this person's actions (as themselves or via --as)."),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Only this kind of record: order, customer, setting, tax zone, site, "
            "technician, time entry, staff, price book, part, stock (the ledger's moves), "
            "stock location, stock par, agreement, maintenance plan, follow up, recall, "
            "checklist, checklist answer, attachment, payment, field device, customer link, "
            "message template, message preference.",
        ),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            help="Only this record of --kind (its id, a setting's key, a part's SKU).",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events at or after WHEN.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 500,
    json_out: JsonOpt = False,
) -> None:
    """Who did what, and when: every change to orders and the shop's records, with the
    values before and after."""
    from svcdesk.services.reporting.audit import record_kind

    entity = record_kind(kind) if kind else None
    if record is not None and entity is None:
        raise typer.BadParameter("give --kind with --record (e.g. --kind technician --record 3)")
    if entity == "order" and record is not None:
        number = number or record
    with read_session(engine()) as session:
        zone = shop_zone(session)
        order_id = lifecycle.get_order(session, number).id if number else None
        rows = audit_log(
            session,
            order_id=order_id,
            actor=actor,
            since=parse_when(since, zone, field="since") if since else None,
            limit=limit,
            kind=None if order_id else entity,
            ref=record.strip() if record else None,
        )
    if json_out:
        print_json(
            [
                {
                    "at": iso(r.at),
                    "actor": r.actor,
                    "on_behalf_of": r.on_behalf_of,
                    "order": r.order,
                    "kind": r.kind,
                    "from_status": r.from_status,
                    "to_status": r.to_status,
                    "detail": r.detail,
                    "before": r.before,
                    "after": r.after,
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
                r.who,
                r.order,
                r.kind.replace("_", " "),
                r.change,
                r.detail,
            )
            for r in rows
        ],
    )


def register(root: typer.Typer) -> None:
    root.command("audit")(audit)
