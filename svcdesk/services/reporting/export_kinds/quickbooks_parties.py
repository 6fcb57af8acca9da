"""`svcdesk export quickbooks-customers` and `quickbooks-payments`: the other two files a
bookkeeper imports next to `quickbooks-invoices` (issue 14), in the columns of QuickBooks
Online's spreadsheet imports.

- Customers (Sales > Customers > Import customers): `Name, Company, Email, Phone, Street,
  City, State, ZIP, Country, Taxable`. Street..ZIP come from the customer's billing address
  when set, else from its first site. `Name` is the name invoices carry in `Customer`, so
  QuickBooks matches them.
- Payments (one row per payment; QuickBooks' receive-payment import columns): `Payment
  Date, Customer, Invoice No, Amount, Payment Method, Reference No, Memo`. Amounts are
  dollars with two decimals. Payments on voided invoices are left out, like the invoices.
"""

from __future__ import annotations

from sqlalchemy import String, case, cast, func, literal, select
from sqlmodel import col

from svcdesk.models import Customer, Site
from svcdesk.models.base import table_of
from svcdesk.models.billing import Invoice, InvoiceStatus, Payment
from svcdesk.services.reporting.export_kinds import ExportKind, register_kind, register_table_kind
from svcdesk.services.reporting.export_kinds.quickbooks_invoices import money_text


def _first_site(column):
    return (
        select(column)
        .where(Site.customer_id == Customer.id)
        .order_by(Site.id)
        .limit(1)
        .scalar_subquery()
    )


def build_customers():
    c = Customer
    has_billing = func.coalesce(c.billing_address, "") != ""
    return select(
        c.name.label("Name"),
        case((c.kind == "commercial", c.name), else_=literal("")).label("Company"),
        func.coalesce(c.email, "").label("Email"),
        func.coalesce(c.phone, "").label("Phone"),
        case((has_billing, c.billing_address), else_=_first_site(Site.address)).label("Street"),
        case((has_billing, literal("")), else_=_first_site(Site.city)).label("City"),
        case((has_billing, literal("")), else_=_first_site(Site.state)).label("State"),
        case((has_billing, literal("")), else_=_first_site(Site.zip)).label("ZIP"),
        literal("USA").label("Country"),
        case((c.tax_exempt, literal("N")), else_=literal("Y")).label("Taxable"),
    ).select_from(c)


def build_payments():
    p = Payment
    return (
        select(
            cast(p.received_on, String).label("Payment Date"),
            Customer.name.label("Customer"),
            Invoice.number.label("Invoice No"),
            money_text(p.amount_cents).label("Amount"),
            p.method.label("Payment Method"),
            func.coalesce(p.reference, "").label("Reference No"),
            (literal("svcdesk payment ") + cast(p.id, String)).label("Memo"),
        )
        .select_from(p)
        .join(Invoice, Invoice.id == p.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.status != InvoiceStatus.VOID.value)
    )


register_table_kind(
    "quickbooks-customers",
    "Customers in QuickBooks Online's customer import columns.",
    build_customers,
    Customer,
    "created_at",
)

register_kind(
    ExportKind(
        name="quickbooks-payments",
        help="Payments (not on voided invoices) in QuickBooks Online's payment import columns.",
        build=build_payments,
        changed_at=lambda: col(Payment.created_at),
        key=lambda: col(Payment.id),
        change_tables=lambda: (table_of(Payment), table_of(Invoice)),
    )
)
