"""`svcdesk export xero-invoices` and `xero-contacts`: the two files a bookkeeper imports into
Xero (Business > Invoices > Import; Contacts > Import), in the columns of Xero's own CSV
templates (issue 20). Required columns keep Xero's leading `*` as its templates spell them.

- Invoices: one row per line; rows of one invoice share `*InvoiceNumber`. Like the
  QuickBooks file, each line is exported at its NET amount (after coverage and discounts)
  with `*Quantity` 1, so the lines add up to the pre-tax total; `*TaxType` is `Tax on
  Sales` for a taxable line, `Tax Exempt` otherwise (Xero's default US rate names: rename
  to the organisation's own rates if they differ), `*AccountCode` 200 (Xero's default
  Sales account). Dates are MM/DD/YYYY (a US organisation's import format). Drafts and
  voided invoices are left out. `TaxAmount` (our tax share of the line) and `Total` are
  there to reconcile to the cent; Xero recalculates them.
- Contacts: one row per customer, `*ContactName` equal to the invoices' contact name (so
  Xero matches them); the postal address is the billing address when set, else the first
  site's; the street address is the first site's.
"""

from __future__ import annotations

from sqlalchemy import String, case, cast, func, literal, select

from svcdesk.models import Customer, Site
from svcdesk.models.billing import Invoice, InvoiceLine
from svcdesk.services.reporting.export_kinds import register_kind, register_table_kind
from svcdesk.services.reporting.export_kinds.quickbooks_invoices import (
    described,
    invoice_line_kind,
    issued_lines,
    money_text,
)
from svcdesk.services.reporting.export_kinds.quickbooks_parties import _first_site

SALES_ACCOUNT = "200"  # Xero's default chart: 200 Sales
TAXED, EXEMPT = "Tax on Sales", "Tax Exempt"


def us_date(day):
    """A date column ('YYYY-MM-DD' as text) -> 'MM/DD/YYYY' in SQL."""
    text = cast(day, String)
    return (
        func.substr(text, 6, 2)
        + literal("/")
        + func.substr(text, 9, 2)
        + literal("/")
        + func.substr(text, 1, 4)
    )


def build_invoices():
    i, ln = Invoice, InvoiceLine
    return issued_lines(
        select(
            Customer.name.label("*ContactName"),
            func.coalesce(Customer.email, "").label("EmailAddress"),
            i.number.label("*InvoiceNumber"),
            func.coalesce(i.memo, "").label("Reference"),
            us_date(i.issued_on).label("*InvoiceDate"),
            us_date(i.due_on).label("*DueDate"),
            case((ln.code.is_(None), literal("")), else_=ln.code).label("InventoryItemCode"),
            described(ln).label("*Description"),
            literal(1).label("*Quantity"),
            money_text(ln.net_cents).label("*UnitAmount"),
            literal(SALES_ACCOUNT).label("*AccountCode"),
            case((ln.taxable & ~i.tax_exempt, literal(TAXED)), else_=literal(EXEMPT)).label(
                "*TaxType"
            ),
            money_text(ln.tax_cents).label("TaxAmount"),
            money_text(i.total_cents).label("Total"),
            literal("USD").label("Currency"),
        )
    )


def build_contacts():
    c = Customer
    has_billing = func.coalesce(c.billing_address, "") != ""
    return select(
        c.name.label("*ContactName"),
        cast(c.id, String).label("AccountNumber"),
        func.coalesce(c.email, "").label("EmailAddress"),
        case((has_billing, c.billing_address), else_=_first_site(Site.address)).label(
            "POAddressLine1"
        ),
        case((has_billing, literal("")), else_=_first_site(Site.city)).label("POCity"),
        case((has_billing, literal("")), else_=_first_site(Site.state)).label("PORegion"),
        case((has_billing, literal("")), else_=_first_site(Site.zip)).label("POPostalCode"),
        literal("USA").label("POCountry"),
        func.coalesce(_first_site(Site.address), "").label("SAAddressLine1"),
        func.coalesce(_first_site(Site.city), "").label("SACity"),
        func.coalesce(_first_site(Site.state), "").label("SARegion"),
        func.coalesce(_first_site(Site.zip), "").label("SAPostalCode"),
        literal("USA").label("SACountry"),
        func.coalesce(c.phone, "").label("PhoneNumber"),
        case((c.tax_exempt, literal(EXEMPT)), else_=literal(TAXED)).label("SalesTaxType"),
    ).select_from(c)


register_kind(
    invoice_line_kind(
        "xero-invoices",
        "Issued invoices, one row per line, in Xero's sales invoice import columns.",
        build_invoices,
    )
)

register_table_kind(
    "xero-contacts",
    "Customers in Xero's contact import columns.",
    build_contacts,
    Customer,
    "created_at",
)
