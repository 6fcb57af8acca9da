"""`svcdesk export quickbooks-invoices`: issued invoices in the layout of QuickBooks Online's
invoice import (Sales > Invoices > Import invoices; one row per line, rows of one invoice
share `InvoiceNo`). See docs/billing.md "Accounting export".

Every line is exported at its NET amount (after warranty/agreement coverage and discounts)
with quantity 1, so `ItemAmount` = `ItemRate` and the lines of an invoice add up exactly to
its pre-tax total; what was covered or discounted is spelled out in `ItemDescription`.
`Taxable` + `TaxRate` let QuickBooks compute the tax; `LineTax` (our tax share of the line)
and `InvoiceTotal` are there to reconcile to the cent. Drafts and voided invoices are not
exported (importing a void invoice into QuickBooks books the sale; issue 14). The customers
and payments for the same import are `quickbooks-customers` / `quickbooks-payments`
(quickbooks_parties.py)."""

from __future__ import annotations

from sqlalchemy import String, case, cast, literal, select
from sqlmodel import col

from svcdesk.models import Customer
from svcdesk.models.base import table_of
from svcdesk.models.billing import Invoice, InvoiceLine, InvoiceStatus
from svcdesk.services.reporting.export_kinds import ExportKind, register_kind


def money_text(cents):
    """Integer cents -> '1234.05' in SQL (no floats; cents are never negative here)."""
    whole = cast(cents // 100, String)
    rest = cents % 100
    return case(
        (rest < 10, whole + literal(".0") + cast(rest, String)),
        else_=whole + literal(".") + cast(rest, String),
    )


def percent_text(bp):
    """825 -> '8.25%'."""
    return (
        cast(bp // 100, String)
        + literal(".")
        + case((bp % 100 < 10, literal("0") + cast(bp % 100, String)), else_=cast(bp % 100, String))
        + literal("%")
    )


def described(ln):
    """A line's description with what was covered or discounted, e.g. '... (warranty part)'."""
    return case(
        (ln.coverage_note.is_(None), ln.description),
        else_=ln.description + literal(" (") + ln.coverage_note + literal(")"),
    )


def issued_lines(query):
    """`query` over the lines of issued invoices (drafts and voided ones left out) and
    their customers."""
    i, ln = Invoice, InvoiceLine
    return (
        query.select_from(ln)
        .join(i, i.id == ln.invoice_id)
        .join(Customer, Customer.id == i.customer_id)
        .where(i.status.not_in([InvoiceStatus.DRAFT.value, InvoiceStatus.VOID.value]))
    )


def build():
    i, ln = Invoice, InvoiceLine
    return issued_lines(
        select(
            i.number.label("InvoiceNo"),
            Customer.name.label("Customer"),
            cast(i.issued_on, String).label("InvoiceDate"),
            cast(i.due_on, String).label("DueDate"),
            i.memo.label("Memo"),
            case((ln.code.is_(None), ln.kind), else_=ln.code).label("Item(Product/Service)"),
            described(ln).label("ItemDescription"),
            literal(1).label("ItemQuantity"),
            money_text(ln.net_cents).label("ItemRate"),
            money_text(ln.net_cents).label("ItemAmount"),
            case((ln.taxable & ~i.tax_exempt, literal("Y")), else_=literal("N")).label("Taxable"),
            percent_text(i.tax_rate_bp).label("TaxRate"),
            money_text(ln.tax_cents).label("LineTax"),
            money_text(i.total_cents).label("InvoiceTotal"),
            i.status.label("Status"),
            ln.position.label("Line"),
        )
    )


def invoice_line_kind(name: str, help: str, build) -> ExportKind:
    """An export of issued invoices one row per line: a line changes with its invoice."""
    return ExportKind(
        name=name,
        help=help,
        build=build,
        changed_at=lambda: col(Invoice.updated_at),
        key=lambda: col(InvoiceLine.id),
        change_tables=lambda: (table_of(Invoice),),
    )


register_kind(
    invoice_line_kind(
        "quickbooks-invoices",
        "Issued invoices, one row per line, in QuickBooks Online's invoice import columns.",
        build,
    )
)
