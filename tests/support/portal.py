"""A sent two-option quote and a sent invoice for the shop fixture's customer (Jane Porter)."""

from __future__ import annotations

import base64

from svcdesk.db import write_session
from svcdesk.services.billing import invoices, quotes
from svcdesk.services.billing.invoices import LineDraft

# a 1x1 PNG: what a drawn signature is to the server (a PNG data URL)
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()


def sent_quote(engine, shop) -> str:
    with write_session(engine) as s:
        q = quotes.create_quote(s, customer_id=shop["customer"], title="Furnace options",
                                site_id=shop["site"])  # fmt: skip
        quotes.add_line(s, q, LineDraft("Repair the igniter", 25000), option="Repair")
        quotes.add_line(s, q, LineDraft("New furnace, installed", 380000), option="Replace")
        quotes.send(s, q)
        return q.number


def sent_invoice(engine, shop) -> str:
    with write_session(engine) as s:
        inv = invoices.create_invoice(s, customer_id=shop["customer"], site_id=shop["site"],
                                      lines=[LineDraft("Diagnostic visit", 8900)])  # fmt: skip
        invoices.issue(s, inv)
        return inv.number
