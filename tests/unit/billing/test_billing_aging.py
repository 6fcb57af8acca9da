"""Receivables aging buckets, and payments never exceeding the balance (property)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from svcdesk import clock
from svcdesk.db import make_engine, write_session
from svcdesk.errors import InvalidInput
from svcdesk.services.billing import aging, invoices, payments
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.crm.customers import create_customer


def test_buckets():
    as_of = date(2026, 11, 25)
    assert aging.bucket_for(date(2026, 11, 25), as_of) == "current"
    assert aging.bucket_for(date(2026, 11, 24), as_of) == "1-30"
    assert aging.bucket_for(date(2026, 10, 26), as_of) == "1-30"
    assert aging.bucket_for(date(2026, 10, 25), as_of) == "31-60"
    assert aging.bucket_for(as_of - timedelta(days=61), as_of) == "61-90"
    assert aging.bucket_for(as_of - timedelta(days=90), as_of) == "61-90"
    assert aging.bucket_for(as_of - timedelta(days=91), as_of) == "90+"


def test_aging_per_customer(session):
    ann = create_customer(session, name="Ann")
    bo = create_customer(session, name="Bo")
    for cust, month, amount in ((ann, 11, 1000), (ann, 8, 5000), (bo, 10, 700)):
        with clock.at(clock.now().replace(month=month, day=1)):
            inv = invoices.create_invoice(
                session, customer_id=cust.id, lines=[LineDraft("Work", amount)]
            )
            invoices.issue(session, inv)
    payments.add_payment(session, inv, 200)  # Bo pays part
    rows, total = aging.aging(session, date(2026, 11, 25))
    assert [(r.customer, r.buckets) for r in rows] == [
        ("Ann", {"current": 1000, "1-30": 0, "31-60": 0, "61-90": 5000, "90+": 0}),
        ("Bo", {"current": 0, "1-30": 500, "31-60": 0, "61-90": 0, "90+": 0}),
    ]
    assert total.total_cents == 6500 and total.invoices == 3


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10**7), st.lists(st.integers(1, 10**7), max_size=8))
def test_payments_never_exceed_the_balance(total, attempts):
    engine = make_engine("sqlite://")
    with write_session(engine) as s:
        cust = create_customer(s, name="P")
        inv = invoices.create_invoice(s, customer_id=cust.id, lines=[LineDraft("X", total)])
        invoices.issue(s, inv)
        for amount in attempts:
            before = inv.paid_cents
            try:
                payments.add_payment(s, inv, amount)
            except Exception as exc:  # refused: over the balance, or already paid
                assert inv.paid_cents == before
                assert isinstance(exc, (InvalidInput, invoices.InvalidTransition))
            assert 0 <= inv.paid_cents <= inv.total_cents
        assert (inv.status == "paid") == (inv.paid_cents == inv.total_cents)
    engine.dispose()
