"""Xero import files (issue 20): read back with the columns Xero's import templates
document, the lines add up to the books, drafts and voids left out."""

from __future__ import annotations

import csv
from decimal import Decimal

from svcdesk.db import write_session
from svcdesk.services.billing import invoices
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.reporting import exports
from tests.unit.billing import billing_helpers as h

# Xero's sales invoice import template: the required columns (marked * by Xero)
XERO_INVOICE_REQUIRED = [
    "*ContactName",
    "*InvoiceNumber",
    "*InvoiceDate",
    "*DueDate",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "*AccountCode",
    "*TaxType",
]
# Xero's contact import template: the one required column and the address/phone ones used
XERO_CONTACT_COLUMNS = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "PhoneNumber",
]


def test_xero_invoices_match_the_books(engine, shop, tmp_path):
    with write_session(engine) as s:
        inv = h.issued_with_parts(s, shop)
        total, number = inv.total_cents, inv.number
        invoices.create_invoice(s, customer_id=shop["customer"], lines=[LineDraft("Not yet", 100)])
        gone = invoices.create_invoice(s, customer_id=shop["customer"], lines=[LineDraft("B", 700)])
        invoices.issue(s, gone)
        invoices.void(s, gone, "typo")
    out = tmp_path / "xero.csv"
    result = exports.run_export(engine, "xero-invoices", "csv", out)
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        header = reader.fieldnames or []
    assert set(XERO_INVOICE_REQUIRED) <= set(header)
    assert result.rows == len(rows) == 4  # the draft and the voided invoice are left out
    assert {r["*InvoiceNumber"] for r in rows} == {number}
    for r in rows:
        assert all(r[c] != "" for c in XERO_INVOICE_REQUIRED), r
        assert Decimal(r["*UnitAmount"]) * int(r["*Quantity"]) >= 0
    net = sum(Decimal(r["*UnitAmount"]) for r in rows)
    tax = sum(Decimal(r["TaxAmount"]) for r in rows)
    assert net + tax == Decimal(rows[0]["Total"]) == Decimal(total) / 100
    assert rows[0]["*InvoiceDate"] == "11/25/2026"  # MM/DD/YYYY
    assert [r["*TaxType"] for r in rows].count("Tax on Sales") == 2
    cap = next(r for r in rows if r["InventoryItemCode"] == "CAP-45")
    assert cap["*UnitAmount"] == "0.00" and "(warranty part" in cap["*Description"]


def test_xero_contacts_match_the_invoices_contact_names(engine, shop, tmp_path):
    with write_session(engine) as s:
        kept = invoices.create_invoice(
            s, customer_id=shop["customer"], lines=[LineDraft("A", 5000)]
        )
        invoices.issue(s, kept)
    out = tmp_path / "contacts.csv"
    exports.run_export(engine, "xero-contacts", "csv", out)
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        people = list(reader)
        assert set(XERO_CONTACT_COLUMNS) <= set(reader.fieldnames or [])
    assert len(people) == 2 and all(p["*ContactName"] for p in people)
    assert all(p["POAddressLine1"] and p["POCountry"] == "USA" for p in people)
    exports.run_export(engine, "xero-invoices", "csv", out)
    with out.open(newline="", encoding="utf-8") as fh:
        names = {r["*ContactName"] for r in csv.DictReader(fh)}
    assert names and names <= {p["*ContactName"] for p in people}
