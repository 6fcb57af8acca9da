"""Documents: the PDF's text read back (pypdf) and the plain-text body."""

from __future__ import annotations

import io

from pypdf import PdfReader

from svcdesk.services.billing import documents, from_order, invoices, payments, pdf, quotes
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.orders import lifecycle
from tests.unit.billing import billing_helpers as h


def _invoice(session, shop):
    o = lifecycle.get_order(session, shop["o1"])
    h.seed_pricebook(session)
    h.set_tax(session, o, 825)
    h.add_time(session, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30")
    h.use_part(session, o, "CAP-45", 1000, price=4000, cost=1500, warranty=True)
    h.complete(session, o)
    inv = from_order.invoice_order(session, o)
    invoices.issue(session, inv)
    payments.add_payment(session, inv, 5000, method="card", reference="AUTH77")
    return inv


def test_invoice_pdf_text(session, shop):
    inv = _invoice(session, shop)
    data = pdf.render_pdf(documents.invoice_document(session, inv.number))
    assert data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for expected in (
        "INVOICE INV-000001",
        "Lone Star Comfort & Plumbing",
        "Jane Porter",
        "SO-000001",
        "Labor, Regular: Alice Ng",
        "warranty part (recorded on the visit): -$40.00",
        "Balance due",
        "$137.50",  # 1.5 h x $125 - $50 paid
        "AUTH77",
    ):
        assert expected in text, expected


def test_invoice_text_body(session, shop):
    inv = _invoice(session, shop)
    body = documents.render_text(documents.invoice_document(session, inv.number))
    assert body.startswith("# INVOICE INV-000001\n")
    assert "| Labor, Regular: Alice Ng 11-24 09:00-10:30 | 1.5 | $125.00 | $187.50 |" in body
    assert "Balance due" in body and "$137.50" in body
    assert "Payment 2026-11-25 card $50.00 ref AUTH77" in body


def test_quote_documents(session, shop, tmp_path):
    q = quotes.create_quote(session, customer_id=shop["customer"], title="Water heater")
    quotes.add_line(session, q, LineDraft("40 gal tank, installed", 180000), option="Good")
    quotes.add_line(session, q, LineDraft("50 gal tank \u2014 installed", 245000), option="Best")
    doc = documents.quote_document(session, q.number)
    body = documents.render_text(doc)
    assert "## Option 1: Good" in body and "$2,450.00" in body
    out = pdf.write_pdf(doc, tmp_path / "q.pdf")
    text = PdfReader(out).pages[0].extract_text()
    assert "QUOTE Q-000001" in text and "50 gal tank - installed" in text
