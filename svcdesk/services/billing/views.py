"""Read models for billing (plain dataclasses: the CLI prints them, the TUI shows them, the
documents render them); `to_json()` is the documented `--json` shape (docs/cli.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.models import Customer, OrderStatus, Site, WorkOrder
from svcdesk.models.billing import Invoice, InvoiceLine, InvoiceStatus, Quote
from svcdesk.services.billing import invoices, payments, quotes
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.sqlexpr import containing
from svcdesk.services.common.timefmt import iso


def _plain(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str
    status: str
    customer_id: int
    customer: str
    order: str | None
    total_cents: int
    paid_cents: int
    balance_cents: int
    issued_at: datetime | None
    due_on: date | None
    overdue: bool
    created_at: datetime
    version: int

    def to_json(self) -> dict:
        return {k: _plain(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class LineView:
    position: int
    kind: str
    code: str | None
    description: str
    qty_milli: int
    unit_price_cents: int
    taxable: bool
    source: str
    source_id: int | None
    source_label: str | None
    coverage: str | None
    coverage_bp: int
    coverage_note: str | None
    discount_bp: int
    discount_amount_cents: int
    gross_cents: int
    covered_cents: int
    discount_cents: int
    net_cents: int
    tax_cents: int
    total_cents: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PaymentView:
    id: int
    amount_cents: int
    method: str
    received_on: date
    reference: str | None
    recorded_by: str

    def to_json(self) -> dict:
        return {k: _plain(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class InvoiceDetail:
    row: InvoiceRow
    site: str | None
    billing_address: str | None
    memo: str | None
    tax_rate_bp: int
    tax_exempt: bool
    discount_bp: int
    discount_amount_cents: int
    subtotal_cents: int
    covered_cents: int
    discount_cents: int
    tax_cents: int
    void_reason: str | None
    agreement_id: int | None
    lines: list[LineView]
    payments: list[PaymentView]

    def to_json(self) -> dict:
        data = self.row.to_json()
        data.update(
            {
                k: _plain(getattr(self, k))
                for k in (
                    "site",
                    "billing_address",
                    "memo",
                    "tax_rate_bp",
                    "tax_exempt",
                    "discount_bp",
                    "discount_amount_cents",
                    "subtotal_cents",
                    "covered_cents",
                    "discount_cents",
                    "tax_cents",
                    "void_reason",
                    "agreement_id",
                )
            }
        )
        data["lines"] = [ln.to_json() for ln in self.lines]
        data["payments"] = [p.to_json() for p in self.payments]
        return data


def _today(session: Session) -> date:
    return now().astimezone(shop_zone(session)).date()


def _row(invoice: Invoice, customer: str, order: str | None, today: date) -> InvoiceRow:
    balance = invoices.balance_cents(invoice)
    return InvoiceRow(
        id=invoice.id,
        number=invoice.number,
        status=invoice.status,
        customer_id=invoice.customer_id,
        customer=customer,
        order=order,
        total_cents=invoice.total_cents,
        paid_cents=invoice.paid_cents,
        balance_cents=balance,
        issued_at=invoice.issued_at,
        due_on=invoice.due_on,
        overdue=bool(invoice.status in invoices.OPEN and invoice.due_on and invoice.due_on < today),
        created_at=invoice.created_at,
        version=invoice.version,
    )


def list_invoices(
    session: Session,
    *,
    statuses: list[str] | None = None,
    customer_id: int | None = None,
    overdue: bool = False,
    text: str | None = None,
    limit: int = 500,
) -> list[InvoiceRow]:
    """Newest first. `overdue`: sent/partially paid and past the due date."""
    today = _today(session)
    stmt = (
        select(Invoice, Customer.name, WorkOrder.number)
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .outerjoin(WorkOrder, col(WorkOrder.id) == col(Invoice.order_id))
        .order_by(col(Invoice.id).desc())
        .limit(limit)
    )
    if statuses:
        stmt = stmt.where(col(Invoice.status).in_(statuses))
    if customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == customer_id)
    if overdue:
        stmt = stmt.where(col(Invoice.status).in_(invoices.OPEN), col(Invoice.due_on) < today)
    if text:
        stmt = stmt.where(
            containing(text.strip(), col(Invoice.number), col(Customer.name), col(WorkOrder.number))
        )
    return [_row(inv, name, order, today) for inv, name, order in session.exec(stmt).all()]


def _line_view(line: InvoiceLine) -> LineView:
    return LineView(**{f: getattr(line, f) for f in LineView.__dataclass_fields__})


def invoice_detail(session: Session, number: str) -> InvoiceDetail:
    invoice = invoices.get_invoice(session, number)
    customer = must_get(session, Customer, invoice.customer_id)
    order = session.get(WorkOrder, invoice.order_id) if invoice.order_id else None
    site = session.get(Site, invoice.site_id) if invoice.site_id else None
    site_label = None
    if site is not None:
        site_label = ", ".join(x for x in (site.address, site.city, site.state, site.zip) if x)
    return InvoiceDetail(
        row=_row(invoice, customer.name, order.number if order else None, _today(session)),
        site=site_label,
        billing_address=customer.billing_address,
        memo=invoice.memo,
        tax_rate_bp=invoice.tax_rate_bp,
        tax_exempt=invoice.tax_exempt,
        discount_bp=invoice.discount_bp,
        discount_amount_cents=invoice.discount_amount_cents,
        subtotal_cents=invoice.subtotal_cents,
        covered_cents=invoice.covered_cents,
        discount_cents=invoice.discount_cents,
        tax_cents=invoice.tax_cents,
        void_reason=invoice.void_reason,
        agreement_id=invoice.agreement_id,
        lines=[_line_view(ln) for ln in invoices.invoice_lines(session, invoice.id)],
        payments=[
            PaymentView(p.id, p.amount_cents, p.method, p.received_on, p.reference, p.recorded_by)
            for p in payments.invoice_payments(session, invoice.id)
        ],
    )


@dataclass(frozen=True)
class ReadyOrder:
    """A completed order waiting for its invoice (the "ready to invoice" queue)."""

    number: str
    customer: str
    summary: str
    status: str
    completed_at: datetime | None

    def to_json(self) -> dict:
        return {k: _plain(v) for k, v in asdict(self).items()}


def _ready_stmt():
    live = select(Invoice.order_id).where(
        col(Invoice.order_id).is_not(None), Invoice.status != InvoiceStatus.VOID.value
    )
    return (
        select(WorkOrder)
        .where(
            col(WorkOrder.status).in_([OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value]),
            col(WorkOrder.id).not_in(live),
        )
        .order_by(WorkOrder.completed_at, WorkOrder.id)
    )


def ready_orders(session: Session) -> list[WorkOrder]:
    """Every order of the ready-to-invoice queue (for invoicing them all at once)."""
    return list(session.exec(_ready_stmt()))


def ready_to_invoice(session: Session, limit: int = 200) -> list[ReadyOrder]:
    """Completed orders, and invoiced orders whose invoices were all voided; oldest first."""
    stmt = (
        _ready_stmt()
        .add_columns(Customer.name)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .limit(limit)
    )
    return [
        ReadyOrder(o.number, name, o.summary, o.status, o.completed_at)
        for o, name in session.execute(stmt).all()
    ]


@dataclass(frozen=True)
class QuoteRow:
    number: str
    status: str
    customer: str
    order: str | None
    title: str
    valid_until: date | None
    options: int
    total_cents: int  # the chosen option's total, else the first option's

    def to_json(self) -> dict:
        return {k: _plain(v) for k, v in asdict(self).items()}


def quote_row(session: Session, quote: Quote) -> QuoteRow:
    customer = must_get(session, Customer, quote.customer_id)
    order = session.get(WorkOrder, quote.order_id) if quote.order_id else None
    priced = quotes.totals(session, quote)
    chosen = next((p for p in priced if p.option.id == quote.chosen_option_id), None)
    pick = chosen or (priced[0] if priced else None)
    return QuoteRow(
        number=quote.number,
        status=quote.status,
        customer=customer.name,
        order=order.number if order else None,
        title=quote.title,
        valid_until=quote.valid_until,
        options=len(priced),
        total_cents=pick.totals.total_cents if pick else 0,
    )


def list_quotes(
    session: Session,
    *,
    statuses: list[str] | None = None,
    text: str | None = None,
    limit: int = 200,
) -> list[QuoteRow]:
    """Quotes, newest first; `text` finds a number, title or customer name."""
    stmt = select(Quote).order_by(col(Quote.id).desc()).limit(limit)
    if statuses:
        stmt = stmt.where(col(Quote.status).in_(statuses))
    if text and text.strip():
        stmt = stmt.join(Customer, col(Customer.id) == col(Quote.customer_id)).where(
            containing(text.strip(), col(Quote.number), col(Quote.title), col(Customer.name))
        )
    return [quote_row(session, q) for q in session.exec(stmt).all()]


def quote_json(session: Session, quote: Quote) -> dict:
    data = quote_row(session, quote).to_json()
    data["notes"] = quote.notes
    data["decline_reason"] = quote.decline_reason
    data["options"] = [
        {
            "name": p.option.name,
            "position": p.option.position,
            "chosen": p.option.id == quote.chosen_option_id,
            "subtotal_cents": p.totals.subtotal_cents,
            "discount_cents": p.totals.discount_cents,
            "tax_cents": p.totals.tax_cents,
            "total_cents": p.totals.total_cents,
            "lines": [
                {
                    "position": ln.position,
                    "kind": ln.kind,
                    "code": ln.code,
                    "description": ln.description,
                    "qty_milli": ln.qty_milli,
                    "unit_price_cents": ln.unit_price_cents,
                    "taxable": ln.taxable,
                    "net_cents": out.net_cents,
                    "tax_cents": out.tax_cents,
                    "total_cents": out.total_cents,
                }
                for ln, out in zip(p.lines, p.totals.lines, strict=True)
            ],
        }
        for p in quotes.totals(session, quote)
    ]
    return data


@dataclass(frozen=True)
class InvoiceLists:
    """The console's invoices screen: the invoices (filtered) and the ready-to-invoice queue."""

    invoices: list[InvoiceRow]
    ready: list[ReadyOrder]


def invoice_lists(
    session: Session, status: str = "all", *, overdue: bool = False, text: str = ""
) -> InvoiceLists:
    rows = list_invoices(
        session,
        statuses=None if status == "all" else [status],
        overdue=overdue,
        text=text or None,
    )
    return InvoiceLists(rows, ready_to_invoice(session))
