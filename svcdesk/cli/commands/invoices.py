"""`svcdesk invoices create|list|show|add-line|remove-line|discount|send|void|pay|pdf|text|
ready` (also reachable as `svcdesk invoice ...`)."""

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
from svcdesk.cli.options import JsonOpt, LimitOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models.billing import InvoiceStatus
from svcdesk.services.billing import documents, from_order, invoices, payments, pdf, views
from svcdesk.services.billing.arith import parse_discount
from svcdesk.services.common.files import file_mode
from svcdesk.services.common.money import fmt_money, parse_money
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, parse_day
from svcdesk.services.common.words import status_words
from svcdesk.services.crm.customers import get_customer
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Invoices: build from an order, edit drafts, send, pay, void, PDF.", no_args_is_help=True
)


def _status(value: str) -> str:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in {s.value for s in InvoiceStatus}:
        names = ", ".join(s.value for s in InvoiceStatus)
        raise InvalidInput(f"status: {value!r} is not one of {names}")
    return key


def _done(number: str, json_out: bool, message: str) -> None:
    with read_session(engine()) as session:
        detail = views.invoice_detail(session, number)
    if json_out:
        print_json(detail.to_json())
    else:
        info(
            f"{message}; total {fmt_money(detail.row.total_cents)}, "
            f"balance {fmt_money(detail.row.balance_cents)}, status {status_words(detail.row.status)}"
        )


@app.command("create")
def create(
    order: Annotated[str | None, typer.Argument(help="Completed order SO-... to invoice.")] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Blank draft for a customer instead.")
    ] = None,
    memo: Annotated[str | None, typer.Option("--memo")] = None,
    ready: Annotated[
        bool,
        typer.Option(
            "--ready",
            help="Invoice every order in the ready-to-invoice queue at once (one "
            "transaction); orders with nothing to bill are skipped and listed.",
        ),
    ] = False,
    skip_unapproved: Annotated[
        bool,
        typer.Option(
            "--skip-unapproved",
            help="Invoice even though time on the order is unapproved (that time is left off).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """One action: a completed order's draft invoice (quote lines or labor, parts, trip
    charge; coverage applied); the order moves to invoiced."""
    if ready:
        if order or customer or memo:
            raise InvalidInput("create: --ready takes no order number, --customer or --memo")
        _create_ready(json_out)
        return
    if bool(order) == bool(customer):
        raise InvalidInput("create: give an order number, or --customer for a blank draft")
    with write_session(engine()) as session:
        if order:
            o = lifecycle.get_order(session, order)
            inv = from_order.invoice_order(
                session, o, actor=actor(), skip_unapproved=skip_unapproved
            )
            if memo:
                inv.memo = memo
        else:
            c = get_customer(session, customer)
            inv = invoices.create_invoice(
                session, customer_id=c.id, lines=[], memo=memo, actor=actor()
            )
        number = inv.number
    _done(number, json_out, f"{number} drafted")


def _create_ready(json_out: bool) -> None:
    with write_session(engine()) as session:
        run = from_order.invoice_ready(session, actor=actor())
    rows, skipped_numbers, waiting = run.made, run.skipped, run.waiting
    if json_out:
        print_json({
            "invoices": [{"number": n, "order": o, "total_cents": t} for n, o, t in rows],
            "skipped": skipped_numbers,
            "unapproved_time": waiting,
        })  # fmt: skip
        return
    if rows:
        info(
            f"{len(rows)} invoices drafted ({rows[0][0]}..{rows[-1][0]}), "
            f"total {fmt_money(sum(t for _, _, t in rows))}"
        )
    else:
        info("no orders ready to invoice")
    if skipped_numbers:
        info(f"skipped (nothing to bill): {', '.join(skipped_numbers)}")
    if waiting:
        info(
            f"left in the queue (time not approved; svcdesk time card --week ...): "
            f"{', '.join(waiting)}"
        )


@app.command("list")
def list_cmd(
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Only these statuses (repeatable).")
    ] = None,
    customer: Annotated[str | None, typer.Option("--customer")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Sent and past due.")] = False,
    search: Annotated[str | None, typer.Option("--search", "-s")] = None,
    limit: LimitOpt = 200,
    json_out: JsonOpt = False,
) -> None:
    """Invoices, newest first."""
    with read_session(engine()) as session:
        statuses = [_status(s) for s in status] if status else None
        cust = get_customer(session, customer).id if customer else None
        rows = views.list_invoices(
            session,
            statuses=statuses,
            customer_id=cust,
            overdue=overdue,
            text=search,
            limit=limit,
        )
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(
        f"{len(rows)} invoices",
        ["Number", "Status", "Customer", "Order", "Total", "Balance", "Due"],
        [
            (
                r.number,
                status_words(r.status) + (" (overdue)" if r.overdue else ""),
                r.customer,
                r.order or "",
                fmt_money(r.total_cents),
                fmt_money(r.balance_cents),
                r.due_on or "",
            )
            for r in rows
        ],
    )


@app.command("show")
def show(number: str, json_out: JsonOpt = False) -> None:
    """One invoice: every line with its source and coverage, totals, payments."""
    with read_session(engine()) as session:
        d = views.invoice_detail(session, number)
        zone = shop_zone(session)
    if json_out:
        print_json(d.to_json())
        return
    r = d.row
    info(
        f"{r.number}  {status_words(r.status)}  {r.customer}"
        + (f"  ({r.order})" if r.order else "")
    )
    if r.issued_at:
        info(f"Issued {fmt(r.issued_at, zone, '%Y-%m-%d')}, due {r.due_on}")
    if d.void_reason:
        info(f"Void: {d.void_reason}")
    table(
        None,
        ["#", "Kind", "Description", "Qty", "Unit", "Covered", "Disc", "Net", "Tax", "Source"],
        [
            (
                ln.position,
                ln.kind,
                ln.description,
                fmt_qty(ln.qty_milli),
                fmt_money(ln.unit_price_cents),
                fmt_money(ln.covered_cents) + (f" {ln.coverage}" if ln.coverage else "")
                if ln.covered_cents
                else "",
                fmt_money(ln.discount_cents) if ln.discount_cents else "",
                fmt_money(ln.net_cents),
                fmt_money(ln.tax_cents),
                "; ".join(x for x in (ln.source_label or ln.source, ln.coverage_note) if x),
            )
            for ln in d.lines
        ],
    )
    tax = "exempt" if d.tax_exempt else f"{d.tax_rate_bp / 100:g}%"
    info(
        f"Subtotal {fmt_money(d.subtotal_cents)}  coverage -{fmt_money(d.covered_cents)}  "
        f"discounts -{fmt_money(d.discount_cents)}  tax ({tax}) {fmt_money(d.tax_cents)}"
    )
    info(
        f"Total {fmt_money(r.total_cents)}  paid {fmt_money(r.paid_cents)}  "
        f"balance {fmt_money(r.balance_cents)}"
    )
    for p in d.payments:
        info(
            f"  payment {p.received_on} {p.method} {fmt_money(p.amount_cents)} {p.reference or ''}"
        )


@app.command("add-line")
def add_line(
    number: str,
    item: ItemOpt = None,
    desc: DescOpt = None,
    price: PriceOpt = None,
    qty: QtyOpt = "1",
    kind: KindOpt = "other",
    taxable: TaxOpt = True,
    discount: DiscountOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a line to a draft (price book item or free-form)."""
    with write_session(engine()) as session:
        inv = invoices.get_invoice(session, number)
        draft = line_from_options(session, item, desc, price, qty, kind, taxable, discount)
        invoices.add_line(session, inv, draft)
        key = inv.number
    _done(key, json_out, f"{key}: line added")


@app.command("remove-line")
def remove_line(number: str, position: int, json_out: JsonOpt = False) -> None:
    """Remove line POSITION from a draft (the rest are renumbered)."""
    with write_session(engine()) as session:
        inv = invoices.get_invoice(session, number)
        invoices.remove_line(session, inv, position)
        key = inv.number
    _done(key, json_out, f"{key}: line {position} removed")


@app.command("discount")
def discount(
    number: str,
    value: Annotated[str, typer.Argument(help="'10%' or an amount '25.00'; '0' removes it.")],
    line: Annotated[int | None, typer.Option("--line", help="On this line only.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Discount a draft: on the whole invoice (spread over its lines) or on one line."""
    bp, amount = parse_discount(value)
    with write_session(engine()) as session:
        inv = invoices.get_invoice(session, number)
        if line is None:
            invoices.set_invoice_discount(session, inv, bp=bp, amount_cents=amount)
        else:
            invoices.set_line_discount(session, inv, line, bp=bp, amount_cents=amount)
        key = inv.number
    _done(key, json_out, f"{key}: discount set")


@app.command("send")
def send(number: str, json_out: JsonOpt = False) -> None:
    """Issue a draft (draft -> sent): final from here on; due date = today + terms."""
    with write_session(engine()) as session:
        inv = invoices.get_invoice(session, number)
        words = invoices.send_invoice(session, inv, actor=actor())
        key = inv.number
    _done(key, json_out, f"{key} sent")
    if not json_out:
        info(f"customer: {words}")


@app.command("void")
def void(
    number: str,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Void a draft or unpaid invoice; its number is never reused."""
    with write_session(engine()) as session:
        inv = invoices.void(session, invoices.get_invoice(session, number), reason, actor=actor())
        key = inv.number
    _done(key, json_out, f"{key} void")


MethodOpt = Annotated[str, typer.Option("--method", help="cash, check, card or ach.")]
AmountOpt = Annotated[str, typer.Option("--amount", help="Amount, e.g. 125.00.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="Received on (default today).")]
RefOpt = Annotated[str | None, typer.Option("--ref", help="Check number, card auth, ...")]


def record_payment(number, amount, method, date, ref, json_out) -> None:
    with write_session(engine()) as session:
        inv = invoices.get_invoice(session, number)
        day = parse_day(date, shop_zone(session)) if date else None
        payments.add_payment(
            session,
            inv,
            parse_money(amount),
            method=method,
            received_on=day,
            reference=ref,
            actor=actor(),
        )
        key = inv.number
    _done(key, json_out, f"{key}: payment recorded")


@app.command("pay")
def pay(
    number: str,
    amount: AmountOpt,
    method: MethodOpt = "check",
    date: DateOpt = None,
    ref: RefOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record a payment (same as `svcdesk payments add`)."""
    record_payment(number, amount, method, date, ref, json_out)


@app.command("pdf")
def pdf_cmd(
    number: str,
    out: Annotated[Path, typer.Option("--out", "-o", help="PDF file to write ('-' = stdout).")],
) -> None:
    """Write the invoice as a PDF with the company's details."""
    with read_session(engine()) as session:
        doc = documents.invoice_document(session, number)
        mode = file_mode(session)
    path = pdf.write_pdf(doc, out, mode)
    say(f"{doc.number} written to {path}", out)


@app.command("text")
def text_cmd(number: str) -> None:
    """The invoice as plain text / Markdown (an e-mail body)."""
    with read_session(engine()) as session:
        doc = documents.invoice_document(session, number)
    sys.stdout.write(documents.render_text(doc))


@app.command("ready")
def ready(json_out: JsonOpt = False) -> None:
    """Completed orders waiting for an invoice, oldest first."""
    with read_session(engine()) as session:
        rows = views.ready_to_invoice(session)
        zone = shop_zone(session)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(
        f"{len(rows)} orders ready to invoice",
        ["Order", "Customer", "Summary", "Completed"],
        [(r.number, r.customer, r.summary[:50], fmt(r.completed_at, zone)) for r in rows],
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="invoices")
    root.add_typer(app, name="invoice", hidden=True)
