"""QuickBooks invoice export: issued invoices only, net lines that add up to the books."""

from __future__ import annotations

import csv
from decimal import Decimal

from svcdesk.db import write_session
from svcdesk.services.billing import invoices
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.reporting import exports
from tests.unit.billing import billing_helpers as h


def test_quickbooks_invoices_match_the_books(engine, shop, tmp_path):
    with write_session(engine) as s:
        inv = h.issued_with_parts(s, shop)
        total = inv.total_cents
        draft = invoices.create_invoice(
            s, customer_id=shop["customer"], lines=[LineDraft("Not yet", 100)]
        )
        assert draft.status == "draft"
    out = tmp_path / "qb.csv"
    result = exports.run_export(engine, "quickbooks-invoices", "csv", out)
    rows = list(csv.DictReader(out.open()))
    assert result.rows == len(rows) == 4  # the draft is not exported
    assert {r["InvoiceNo"] for r in rows} == {"INV-000001"}
    net = sum(Decimal(r["ItemAmount"]) for r in rows)
    tax = sum(Decimal(r["LineTax"]) for r in rows)
    assert net + tax == Decimal(rows[0]["InvoiceTotal"]) == Decimal(total) / 100
    cap = next(r for r in rows if r["Item(Product/Service)"] == "CAP-45")
    assert cap["ItemAmount"] == "0.00" and "(warranty part" in cap["ItemDescription"]
    assert rows[0]["InvoiceDate"] == "2026-11-25" and rows[0]["TaxRate"] == "8.25%"
    assert [r["Taxable"] for r in rows] == ["N", "N", "Y", "Y"]


def test_quickbooks_leaves_voided_invoices_out_and_exports_customers_and_payments(
    engine, shop, tmp_path
):
    """Issue 14: a voided invoice imported into QuickBooks books the sale; the customers
    and payments files come in QuickBooks Online's import columns."""
    from datetime import date

    from svcdesk.services.billing.payments import add_payment

    with write_session(engine) as s:
        kept = invoices.create_invoice(
            s, customer_id=shop["customer"], lines=[LineDraft("A", 5000)]
        )
        gone = invoices.create_invoice(s, customer_id=shop["customer"], lines=[LineDraft("B", 700)])
        invoices.issue(s, kept)
        invoices.issue(s, gone)
        add_payment(s, kept, 2500, method="check", received_on=date(2026, 11, 25), reference="1042")
        invoices.void(s, gone, "typo")
        kept_no = kept.number
    out = tmp_path / "qb.csv"
    exports.run_export(engine, "quickbooks-invoices", "csv", out)
    assert {r["InvoiceNo"] for r in csv.DictReader(out.open())} == {kept_no}
    exports.run_export(engine, "quickbooks-payments", "csv", out)
    pays = list(csv.DictReader(out.open()))
    assert [
        (p["Invoice No"], p["Amount"], p["Payment Method"], p["Reference No"]) for p in pays
    ] == [(kept_no, "25.00", "check", "1042")]
    assert list(pays[0]) == [
        "Payment Date",
        "Customer",
        "Invoice No",
        "Amount",
        "Payment Method",
        "Reference No",
        "Memo",
    ]
    exports.run_export(engine, "quickbooks-customers", "csv", out)
    people = list(csv.DictReader(out.open()))
    assert list(people[0])[:4] == ["Name", "Company", "Email", "Phone"]
    assert pays[0]["Customer"] in {p["Name"] for p in people}
    assert all(p["Street"] for p in people)
