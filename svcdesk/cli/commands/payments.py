"""`svcdesk payments add|list` and `svcdesk receivables aging`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.commands.invoices import pay
from svcdesk.cli.options import JsonOpt, LimitOpt
from svcdesk.cli.output import print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.billing import aging as aging_service
from svcdesk.services.billing import payments
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_day

app = typer.Typer(help="Payments received against invoices.", no_args_is_help=True)
receivables = typer.Typer(help="What customers owe.", no_args_is_help=True)


# the same command as `invoices pay`
app.command("add", help="Record a payment on a sent invoice; more than the balance is refused.")(
    pay
)


@app.command("list")
def list_cmd(
    since: Annotated[str | None, typer.Option("--since", help="Received on or after.")] = None,
    limit: LimitOpt = 200,
    json_out: JsonOpt = False,
) -> None:
    """Payments, newest first."""
    with read_session(engine()) as session:
        day = parse_day(since, shop_zone(session)) if since else None
        data = [p.to_json() for p in payments.list_payments(session, since=day, limit=limit)]
    if json_out:
        print_json(data)
        return
    table(
        f"{len(data)} payments",
        ["Received", "Invoice", "Customer", "Method", "Amount", "Reference"],
        [
            (
                d["received_on"],
                d["invoice"],
                d["customer"],
                d["method"],
                fmt_money(d["amount_cents"]),
                d["reference"] or "",
            )
            for d in data
        ],
    )


@receivables.command("aging")
def aging(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day (default today).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Open balances per customer: current, 1-30, 31-60, 61-90, 90+ days past due."""
    with read_session(engine()) as session:
        day = parse_day(as_of, shop_zone(session))
        rows, total = aging_service.aging(session, day)
    if json_out:
        print_json(
            {
                "as_of": day.isoformat(),
                "customers": [r.to_json() for r in rows],
                "total": total.to_json(),
            }
        )
        return
    table(
        f"Receivables aging as of {day}",
        ["Customer", "Invoices", *aging_service.BUCKETS, "Total"],
        [
            (
                r.customer,
                r.invoices,
                *(fmt_money(r.buckets[b]) for b in aging_service.BUCKETS),
                fmt_money(r.total_cents),
            )
            for r in [*rows, total]
        ],
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="payments")
    root.add_typer(receivables, name="receivables")
