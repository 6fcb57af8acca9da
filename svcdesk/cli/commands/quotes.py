"""`svcdesk quotes create|add-line|send|approve|decline|expire|to-order|list|show|pdf|text`
(also reachable as `svcdesk quote ...`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from svcdesk.cli.billing_opts import (
    DescOpt,
    DiscountOpt,
    ItemOpt,
    KindOpt,
    PriceOpt,
    QtyOpt,
    TaxOpt,
    line_from_options,
)
from svcdesk.cli.files import say
from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models.billing import QuoteStatus
from svcdesk.services.billing import documents, pdf, quotes, views
from svcdesk.services.common.files import file_mode
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.words import status_words

app = typer.Typer(help="Quotes (estimates) with good/better/best options.", no_args_is_help=True)


def _done(number: str, json_out: bool, message: str) -> None:
    with read_session(engine()) as session:
        data = views.quote_json(session, quotes.get_quote(session, number))
    if json_out:
        print_json(data)
    else:
        info(f"{message}; status {data['status']}")


@app.command("create")
def create(
    title: Annotated[str, typer.Argument(help="What the quote is for.")],
    order: Annotated[str | None, typer.Option("--order", help="For this order.")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Or for a customer.")] = None,
    site: Annotated[int | None, typer.Option("--site", help="Customer's site id.")] = None,
    valid_days: Annotated[int | None, typer.Option("--valid-days")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    json_out: JsonOpt = False,
) -> None:
    """A draft quote for an order or a customer."""
    if bool(order) == bool(customer):
        raise InvalidInput("create: give --order SO-... or --customer NAME")
    with write_session(engine()) as session:
        key = quotes.draft_quote(
            session, title, order=order, customer=customer, site_id=site, valid_days=valid_days,
            notes=notes, actor=actor(),
        ).number  # fmt: skip
    _done(key, json_out, f"{key} drafted")


@app.command("add-line")
def add_line(
    number: str,
    option: Annotated[
        str | None, typer.Option("--option", help="Option name (Good/Better/Best...).")
    ] = None,
    item: ItemOpt = None,
    desc: DescOpt = None,
    price: PriceOpt = None,
    qty: QtyOpt = "1",
    kind: KindOpt = "task",
    taxable: TaxOpt = True,
    discount: DiscountOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a line to a draft quote's option (created when new)."""
    with write_session(engine()) as session:
        q = quotes.get_quote(session, number)
        draft = line_from_options(session, item, desc, price, qty, kind, taxable, discount)
        quotes.add_line(session, q, draft, option=option)
        key = q.number
    _done(key, json_out, f"{key}: line added")


@app.command("send")
def send(number: str, json_out: JsonOpt = False) -> None:
    """draft -> sent."""
    with write_session(engine()) as session:
        quote = quotes.get_quote(session, number)
        words = quotes.send_quote(session, quote, actor=actor())
        key = quote.number
    _done(key, json_out, f"{key} sent")
    if not json_out:
        info(f"customer: {words}")


@app.command("approve")
def approve(
    number: str,
    option: Annotated[str | None, typer.Option("--option", help="The option chosen.")] = None,
    new_order: Annotated[
        bool, typer.Option("--new-order", help="Also create an order from it (no order yet).")
    ] = False,
    site: Annotated[
        str | None,
        typer.Option("--site", help="The new order's site (id or address) when there are several."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """sent -> approved: the chosen option becomes the order's billable lines."""
    if site is not None and not new_order:
        raise typer.BadParameter("--site goes with --new-order", param_hint="--site")
    with write_session(engine()) as session:
        q = quotes.approve(session, quotes.get_quote(session, number), option=option, actor=actor())
        extra = ""
        if new_order:
            made = quotes.to_order(session, q, site=site, actor=actor())
            extra = f"; order {made.number} created"
        key = q.number
    _done(key, json_out, f"{key} approved{extra}")


@app.command("decline")
def decline(
    number: str,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    json_out: JsonOpt = False,
) -> None:
    """sent -> declined."""
    with write_session(engine()) as session:
        key = quotes.decline(
            session, quotes.get_quote(session, number), reason, actor=actor()
        ).number
    _done(key, json_out, f"{key} declined")


@app.command("to-order")
def to_order(
    number: str,
    site: Annotated[
        str | None, typer.Option("--site", help="Site (id or address) when there are several.")
    ] = None,
) -> None:
    """An approved quote without an order becomes a new order at its site."""
    with write_session(engine()) as session:
        order = quotes.to_order(
            session, quotes.get_quote(session, number), site=site, actor=actor()
        )
        info(f"{order.number} created from {number.upper()}")


@app.command("expire")
def expire() -> None:
    """Mark sent quotes past their valid-until day as expired (run daily)."""
    with write_session(engine()) as session:
        numbers = quotes.expire_due(session, actor=actor())
    info(f"{len(numbers)} quotes expired" + (f": {', '.join(numbers)}" if numbers else ""))


@app.command("list")
def list_cmd(
    status: Annotated[list[str] | None, typer.Option("--status")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Quotes, newest first."""
    statuses = None
    if status:
        valid = {s.value for s in QuoteStatus}
        bad = [s for s in status if s.lower() not in valid]
        if bad:
            raise InvalidInput(f"status: {bad[0]!r} is not one of {', '.join(sorted(valid))}")
        statuses = [s.lower() for s in status]
    with read_session(engine()) as session:
        rows = views.list_quotes(session, statuses=statuses)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(
        f"{len(rows)} quotes",
        ["Number", "Status", "Customer", "Order", "Title", "Options", "Total", "Valid until"],
        [
            (
                r.number,
                status_words(r.status),
                r.customer,
                r.order or "",
                r.title[:40],
                r.options,
                fmt_money(r.total_cents),
                r.valid_until or "",
            )
            for r in rows
        ],
    )


@app.command("show")
def show(number: str, json_out: JsonOpt = False) -> None:
    """A quote with each option's lines and totals."""
    with read_session(engine()) as session:
        data = views.quote_json(session, quotes.get_quote(session, number))
    if json_out:
        print_json(data)
        return
    info(f"{data['number']}  {data['status']}  {data['customer']}  {data['title']}")
    for opt in data["options"]:
        table(
            f"{opt['name']}"
            + (" (chosen)" if opt["chosen"] else "")
            + f": total {fmt_money(opt['total_cents'])}",
            ["#", "Code", "Description", "Qty", "Unit", "Amount"],
            [
                (
                    ln["position"],
                    ln["code"] or "",
                    ln["description"],
                    fmt_qty(ln["qty_milli"]),
                    fmt_money(ln["unit_price_cents"]),
                    fmt_money(ln["net_cents"]),
                )
                for ln in opt["lines"]
            ],
        )


@app.command("pdf")
def pdf_cmd(
    number: str,
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write ('-' = stdout).")],
) -> None:
    """Write the quote (every option) as a PDF."""
    with read_session(engine()) as session:
        doc = documents.quote_document(session, number)
        mode = file_mode(session)
    say(f"{doc.number} written to {pdf.write_pdf(doc, out, mode)}", out)


@app.command("text")
def text_cmd(number: str) -> None:
    """The quote as plain text / Markdown."""
    with read_session(engine()) as session:
        sys.stdout.write(documents.render_text(documents.quote_document(session, number)))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="quotes")
    root.add_typer(app, name="quote", hidden=True)
