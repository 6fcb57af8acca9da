"""Invoices: create (from any lines), edit while draft, issue, void; totals from the lines.

`create_invoice(session, customer_id=..., lines=[LineDraft(...)], ...)` is the public entry
for other areas (the agreements issue bills its periods through it). Invoicing a completed
order in one action is `from_order.invoice_order`.

Statuses: draft -> sent -> partially_paid -> paid, and draft/sent -> void (with a reason).
Only a draft's lines and discounts can change. The number is taken from the gap-free `INV`
sequence when the invoice is created and is never reused, not even after a void."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from svcdesk.models import Customer, OrderStatus, Site, WorkOrder
from svcdesk.models.base import table_of
from svcdesk.models.billing import Coverage, Invoice, InvoiceLine, InvoiceStatus, LineKind
from svcdesk.services.billing import arith
from svcdesk.services.common import events, sequences
from svcdesk.services.common.settings import get_setting, shop_zone
from svcdesk.services.common.words import status_words
from svcdesk.services.crm.tax import site_rates, site_tax
from svcdesk.services.orders import lifecycle

EDITABLE = (InvoiceStatus.DRAFT.value,)
OPEN = (InvoiceStatus.SENT.value, InvoiceStatus.PARTIALLY_PAID.value)


@dataclass(frozen=True)
class LineDraft:
    """A line to put on an invoice; prices are copied (later price changes don't apply)."""

    description: str
    unit_price_cents: int
    qty_milli: int = 1000
    kind: str = LineKind.OTHER.value
    code: str | None = None
    taxable: bool = True
    source: str = "manual"
    source_id: int | None = None
    source_label: str | None = None
    coverage: str | None = None
    coverage_bp: int = 0
    coverage_note: str | None = None
    discount_bp: int = 0
    discount_amount_cents: int = 0

    def arith_line(self) -> arith.LineIn:
        return arith.LineIn(
            qty_milli=self.qty_milli,
            unit_price_cents=self.unit_price_cents,
            taxable=self.taxable,
            coverage_bp=self.coverage_bp,
            discount_bp=self.discount_bp,
            discount_amount_cents=self.discount_amount_cents,
        )


def parse_invoice_number(text: str) -> str:
    key = text.strip().upper()
    if key.isdigit():
        return sequences.format_number("INV", int(key))
    return key


def get_invoice(session: Session, number: str, expected_version: int | None = None) -> Invoice:
    """The invoice `number`; Conflict when it is no longer at `expected_version` (the
    version the user was looking at), when given."""
    key = parse_invoice_number(number)
    invoice = session.exec(select(Invoice).where(Invoice.number == key)).first()
    if invoice is None:
        raise NotFound(f"invoice {number!r} not found")
    check_version(invoice, expected_version)
    return invoice


def invoice_lines(session: Session, invoice_id: int) -> list[InvoiceLine]:
    return list(
        session.exec(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(col(InvoiceLine.position))
        )
    )


_KINDS = frozenset(k.value for k in LineKind)
_COVERAGES = frozenset(c.value for c in Coverage)


def _validate(draft: LineDraft) -> None:
    if not draft.description.strip():
        raise InvalidInput("description: a line needs a description")
    if draft.kind not in _KINDS:
        raise InvalidInput(f"kind: {draft.kind!r} is not a line kind")
    if draft.coverage is not None and draft.coverage not in _COVERAGES:
        raise InvalidInput(f"coverage: {draft.coverage!r} is not warranty or agreement")
    arith.check_line(draft.arith_line())


@dataclass(frozen=True)
class InvoiceSpec:
    """One invoice for `create_invoices` (the arguments of `create_invoice`)."""

    customer_id: int
    lines: list[LineDraft]
    site_id: int | None = None
    order: WorkOrder | None = None
    agreement_id: int | None = None
    memo: str | None = None
    discount_bp: int = 0
    discount_amount_cents: int = 0


def create_invoice(
    session: Session,
    *,
    customer_id: int,
    lines: list[LineDraft],
    site_id: int | None = None,
    order: WorkOrder | None = None,
    agreement_id: int | None = None,
    memo: str | None = None,
    discount_bp: int = 0,
    discount_amount_cents: int = 0,
    actor: str = "dispatcher",
) -> Invoice:
    """A draft invoice with `lines`, tax from the site's rate (unless the customer is tax
    exempt), totals computed. Returns it flushed (it has an id and a number)."""
    spec = InvoiceSpec(
        customer_id, lines, site_id, order, agreement_id, memo, discount_bp, discount_amount_cents
    )
    return create_invoices(session, [spec], actor=actor)[0]


def create_invoices(
    session: Session, specs: list[InvoiceSpec], *, actor: str = "dispatcher"
) -> list[Invoice]:
    """`create_invoice` for many invoices at once (bulk invoicing): every spec is checked
    before anything is written; numbers are consecutive in the order given; the invoices,
    their lines and the orders' `invoice` events are inserted with one statement each."""
    if not specs:
        return []
    customers = rows_by_id(
        session,
        Customer,
        {s.customer_id for s in specs},
        (Customer.id, Customer.name, Customer.tax_exempt),
    )
    sites = rows_by_id(
        session,
        Site,
        {s.site_id for s in specs if s.site_id is not None},
        (Site.id, Site.customer_id),
    )
    rates = site_rates(session, set(sites))
    stamp = now()
    rows, all_totals = [], []
    for spec in specs:
        customer = customers.get(spec.customer_id)
        if customer is None:
            raise NotFound(f"customer {spec.customer_id} not found")
        site = sites.get(spec.site_id) if spec.site_id is not None else None
        if spec.site_id is not None and (site is None or site.customer_id != spec.customer_id):
            raise InvalidInput(f"site: site {spec.site_id} does not belong to {customer.name}")
        for draft in spec.lines:
            _validate(draft)
        tax_rate_bp = rates[site.id] if site else site_tax(session, None).rate_bp
        totals = arith.compute(
            [d.arith_line() for d in spec.lines],
            tax_rate_bp=tax_rate_bp,
            tax_exempt=customer.tax_exempt,
            discount_bp=spec.discount_bp,
            discount_amount_cents=spec.discount_amount_cents,
        )
        all_totals.append(totals)
        rows.append({
            "customer_id": spec.customer_id, "site_id": spec.site_id,
            "order_id": spec.order.id if spec.order else None,
            "agreement_id": spec.agreement_id, "memo": spec.memo,
            "tax_rate_bp": tax_rate_bp, "tax_exempt": customer.tax_exempt,
            "discount_bp": spec.discount_bp, "discount_amount_cents": spec.discount_amount_cents,
            "subtotal_cents": totals.subtotal_cents, "covered_cents": totals.covered_cents,
            "discount_cents": totals.discount_cents, "tax_cents": totals.tax_cents,
            "total_cents": totals.total_cents, "created_at": stamp, "updated_at": stamp,
            "created_by": actor,
        })  # fmt: skip
    first = sequences.next_value(session, "INV", len(specs))
    for offset, row in enumerate(rows):
        row["number"] = sequences.format_number("INV", first + offset)
    table = table_of(Invoice)
    ids = list(
        session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    loaded = rows_by_id(session, Invoice, set(ids))
    invoices = [loaded[i] for i in ids]
    line_rows = [
        _line_values(invoice.id, position, draft, out)
        for invoice, spec, totals in zip(invoices, specs, all_totals, strict=True)
        for position, (draft, out) in enumerate(zip(spec.lines, totals.lines, strict=True), 1)
    ]
    if line_rows:  # one executemany: many invoices a second (tests/bench/billing.py)
        session.execute(insert(table_of(InvoiceLine)), line_rows)
    events.record_many(
        session,
        [
            {
                "order_id": spec.order.id,
                "kind": "invoice",
                "detail": f"{invoice.number} drafted",
                "data": {"invoice": invoice.number, "total_cents": invoice.total_cents},
            }
            for invoice, spec in zip(invoices, specs, strict=True)
            if spec.order is not None
        ],
        actor=actor,
    )
    return invoices


def rows_by_id(session: Session, model, ids: set[int], columns: tuple = ()) -> dict:
    """Rows of `model` by primary key, one query per 900 ids: ORM objects (they join the
    session), or plain rows of `columns` (the first one the id) when given."""
    found: dict[int, Any] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        rows: Iterable[Any]
        if columns:
            rows = session.execute(select(*columns).where(model.id.in_(chunk)))
        else:
            rows = session.exec(select(model).where(model.id.in_(chunk)))
        found.update((row.id, row) for row in rows)
    return found


def _line_values(invoice_id: int, position: int, d: LineDraft, out: arith.LineOut) -> dict:
    values = _line_row(invoice_id, position, d, model=dict)
    values.update(vars(out))
    return values


def _line_row(invoice_id: int, position: int, d: LineDraft, model=InvoiceLine):
    return model(
        invoice_id=invoice_id,
        position=position,
        kind=d.kind,
        code=d.code,
        description=d.description.strip(),
        qty_milli=d.qty_milli,
        unit_price_cents=d.unit_price_cents,
        taxable=d.taxable,
        source=d.source,
        source_id=d.source_id,
        source_label=d.source_label,
        coverage=d.coverage,
        coverage_bp=d.coverage_bp,
        coverage_note=d.coverage_note,
        discount_bp=d.discount_bp,
        discount_amount_cents=d.discount_amount_cents,
    )


def recompute(session: Session, invoice: Invoice) -> arith.Totals:
    """Recompute every line and the totals (the lines always add up to the total)."""
    lines = invoice_lines(session, invoice.id)
    totals = arith.compute(
        [_as_arith(line) for line in lines],
        tax_rate_bp=invoice.tax_rate_bp,
        tax_exempt=invoice.tax_exempt,
        discount_bp=invoice.discount_bp,
        discount_amount_cents=invoice.discount_amount_cents,
    )
    for line, out in zip(lines, totals.lines, strict=True):
        line.gross_cents = out.gross_cents
        line.covered_cents = out.covered_cents
        line.discount_cents = out.discount_cents
        line.net_cents = out.net_cents
        line.tax_cents = out.tax_cents
        line.total_cents = out.total_cents
    invoice.subtotal_cents = totals.subtotal_cents
    invoice.covered_cents = totals.covered_cents
    invoice.discount_cents = totals.discount_cents
    invoice.tax_cents = totals.tax_cents
    invoice.total_cents = totals.total_cents
    bump_version(invoice)
    session.flush()
    return totals


def _as_arith(line: InvoiceLine) -> arith.LineIn:
    return arith.LineIn(
        qty_milli=line.qty_milli,
        unit_price_cents=line.unit_price_cents,
        taxable=line.taxable,
        coverage_bp=line.coverage_bp,
        discount_bp=line.discount_bp,
        discount_amount_cents=line.discount_amount_cents,
    )


def bump_version(invoice: Invoice) -> None:
    invoice.updated_at = now()
    invoice.version += 1


def check_version(invoice: Invoice, expected_version: int | None) -> None:
    if expected_version is not None and invoice.version != expected_version:
        raise Conflict(
            f"{invoice.number} was changed by someone else since you opened it; reload and retry"
        )


def _require_draft(invoice: Invoice) -> None:
    if invoice.status not in EDITABLE:
        raise InvalidTransition(
            f"{invoice.number} is {status_words(invoice.status)}; only a draft's lines can change "
            "(void it and invoice again)"
        )


def add_line(session: Session, invoice: Invoice, draft: LineDraft) -> InvoiceLine:
    _require_draft(invoice)
    _validate(draft)
    lines = invoice_lines(session, invoice.id)
    row = _line_row(invoice.id, (lines[-1].position + 1) if lines else 1, draft)
    session.add(row)
    session.flush()
    recompute(session, invoice)
    return row


def _line_at(session: Session, invoice: Invoice, position: int) -> InvoiceLine:
    for line in invoice_lines(session, invoice.id):
        if line.position == position:
            return line
    raise NotFound(f"{invoice.number} has no line {position}")


def remove_line(session: Session, invoice: Invoice, position: int) -> None:
    _require_draft(invoice)
    session.delete(_line_at(session, invoice, position))
    session.flush()
    for i, line in enumerate(invoice_lines(session, invoice.id), start=1):
        line.position = i
    recompute(session, invoice)


def set_line_discount(
    session: Session, invoice: Invoice, position: int, *, bp: int = 0, amount_cents: int = 0
) -> None:
    _require_draft(invoice)
    line = _line_at(session, invoice, position)
    draft = replace(
        LineDraft(line.description, line.unit_price_cents, line.qty_milli),
        discount_bp=bp,
        discount_amount_cents=amount_cents,
    )
    arith.check_line(draft.arith_line())
    line.discount_bp, line.discount_amount_cents = bp, amount_cents
    recompute(session, invoice)


def set_invoice_discount(
    session: Session, invoice: Invoice, *, bp: int = 0, amount_cents: int = 0
) -> None:
    _require_draft(invoice)
    arith.compute([], discount_bp=bp, discount_amount_cents=amount_cents)  # validates
    invoice.discount_bp, invoice.discount_amount_cents = bp, amount_cents
    recompute(session, invoice)


def _order_of(session: Session, invoice: Invoice) -> WorkOrder | None:
    return session.get(WorkOrder, invoice.order_id) if invoice.order_id else None


def record_event(session: Session, invoice: Invoice, detail: str, actor: str) -> None:
    order = _order_of(session, invoice)
    if order is not None:
        events.record(
            session,
            order,
            "invoice",
            detail,
            actor=actor,
            data={"invoice": invoice.number, "status": invoice.status},
        )


def terms_days(session: Session) -> int:
    raw = get_setting(session, "billing.terms_days") or "30"
    if not raw.isdigit():
        raise InvalidInput(f"billing.terms_days: {raw!r} is not a number of days")
    return int(raw)


def issue(session: Session, invoice: Invoice, *, actor: str = "dispatcher") -> Invoice:
    """draft -> sent: the invoice is final from here on; due date = today + terms. A zero
    total (everything covered) is paid at once."""
    if invoice.status != InvoiceStatus.DRAFT.value:
        raise InvalidTransition(
            f"{invoice.number} is {status_words(invoice.status)}; only a draft can be sent"
        )
    if not invoice_lines(session, invoice.id):
        raise InvalidInput(f"{invoice.number} has no lines; add a line before sending it")
    stamp = now()
    invoice.status = InvoiceStatus.SENT.value
    invoice.issued_at = stamp
    invoice.issued_on = stamp.astimezone(shop_zone(session)).date()
    invoice.due_on = invoice.issued_on + timedelta(days=terms_days(session))
    bump_version(invoice)
    record_event(session, invoice, f"{invoice.number} sent", actor)
    if invoice.total_cents == 0:
        settle(session, invoice, actor=actor)
    session.flush()
    from svcdesk.services.billing.outgoing import invoice_sent

    invoice_sent(session, invoice, actor=actor)
    return invoice


def void(session: Session, invoice: Invoice, reason: str, *, actor: str = "dispatcher") -> Invoice:
    """draft/sent -> void with a reason. The number stays taken; the order may be invoiced
    again. An invoice with payments can't be voided."""
    if not (reason or "").strip():
        raise InvalidInput(f"{invoice.number}: a reason is required to void an invoice")
    if invoice.status == InvoiceStatus.VOID.value:
        raise InvalidTransition(f"{invoice.number} is already void")
    if invoice.paid_cents > 0:
        raise InvalidTransition(
            f"{invoice.number} has payments of ${invoice.paid_cents / 100:,.2f}; "
            "an invoice with payments can't be voided"
        )
    invoice.status = InvoiceStatus.VOID.value
    invoice.void_reason = reason.strip()
    invoice.voided_at = now()
    bump_version(invoice)
    record_event(session, invoice, f"{invoice.number} void: {reason.strip()}", actor)
    session.flush()
    return invoice


def settle(session: Session, invoice: Invoice, *, actor: str) -> None:
    """Mark paid and close the order when it is waiting in `invoiced`."""
    invoice.status = InvoiceStatus.PAID.value
    invoice.paid_at = now()
    order = session.get(WorkOrder, invoice.order_id) if invoice.order_id else None
    if order is not None and order.status == OrderStatus.INVOICED.value:
        lifecycle.change_status(
            session, order, OrderStatus.CLOSED, actor=actor, note=f"{invoice.number} paid"
        )


def balance_cents(invoice: Invoice) -> int:
    if invoice.status in (InvoiceStatus.VOID.value,):
        return 0
    return invoice.total_cents - invoice.paid_cents


def send_invoice(session: Session, invoice: Invoice, *, actor: str = "dispatcher") -> str:
    """Issue it (`issue`) and say what became of the customer's e-mail ('e-mail to
    jane@example.com queued (...)', or why none was: `outbox.delivery_words`)."""
    from svcdesk.services.messages.outbox import delivery_words

    issue(session, invoice, actor=actor)
    return delivery_words(session, "invoice", invoice.customer_id, invoice_id=invoice.id or 0)
