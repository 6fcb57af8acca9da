"""The demo database has quotes and invoices in every status, payments, a ready queue."""

from __future__ import annotations

from sqlalchemy import func, select

from svcdesk.db import read_session
from svcdesk.demo import build_demo
from svcdesk.models.billing import Invoice, InvoiceLine, Payment, Quote
from svcdesk.services.billing import views


def test_demo_billing(engine):
    build_demo(engine, orders=40, seed=3)
    with read_session(engine) as s:
        inv = dict(s.execute(select(Invoice.status, func.count()).group_by(Invoice.status)).all())
        quotes = set(s.execute(select(Quote.status)).scalars())
        assert set(inv) == {"draft", "sent", "partially_paid", "paid", "void"}
        assert quotes == {"draft", "sent", "approved", "declined", "expired"}
        assert s.execute(select(func.count()).select_from(Payment)).scalar_one() > 5
        sums = s.execute(
            select(Invoice.total_cents, func.sum(InvoiceLine.total_cents))
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .group_by(Invoice.id)
        ).all()
        assert all(total == lines for total, lines in sums)
        assert views.ready_to_invoice(s)
