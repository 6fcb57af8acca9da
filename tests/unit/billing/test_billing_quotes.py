"""Quotes: good/better/best, statuses, expiry, approved quote -> billable lines / new order."""

from __future__ import annotations

from datetime import date

import pytest

from svcdesk import clock
from svcdesk.errors import InvalidInput, InvalidTransition
from svcdesk.services.billing import from_order, invoices, quotes
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.orders import lifecycle
from tests.unit.billing import billing_helpers as h


@pytest.fixture
def gbb(session, shop):
    h.seed_pricebook(session)
    o = lifecycle.get_order(session, shop["o1"])
    h.set_tax(session, o, 825)
    q = quotes.create_quote(session, customer_id=o.customer_id, title="AC repair", order=o)
    quotes.add_line(session, q, quotes.item_draft(session, "CAP-REPLACE"), option="Good")
    quotes.add_line(session, q, quotes.item_draft(session, "CONTACTOR"), option="Better")
    quotes.add_line(session, q, quotes.item_draft(session, "CAP-REPLACE"), option="Better")
    quotes.add_line(session, q, quotes.item_draft(session, "SURGE-WHOLE"), option="Best")
    return o, q


def test_options_priced_with_site_tax(session, gbb):
    _, q = gbb
    priced = {p.option.name: p.totals.total_cents for p in quotes.totals(session, q)}
    assert priced == {"Good": 22500 + 1856, "Better": 47000 + 3878, "Best": 42500 + 3506}
    assert q.number == "Q-000001" and q.valid_until == date(2026, 12, 25)


def test_approved_option_becomes_the_order_lines(session, gbb, shop):
    o, q = gbb
    with pytest.raises(InvalidTransition, match="draft to approved"):
        quotes.approve(session, q, option="Better")
    quotes.send(session, q)
    with pytest.raises(InvalidInput, match="say which one"):
        quotes.approve(session, q)
    quotes.approve(session, q, option="better")
    h.add_time(session, o, shop["alice"], "2026-11-24 10:00", "2026-11-24 11:00")
    h.complete(session, o)
    inv = from_order.invoice_order(session, o)
    lines = invoices.invoice_lines(session, inv.id)
    assert [ln.code for ln in lines] == ["CONTACTOR", "CAP-REPLACE"]  # flat rate: no labor
    assert lines[0].source == "quote_line" and lines[0].source_label == "Q-000001 line 1"
    assert inv.total_cents == 47000 + 3878


def test_decline_expire_and_final_states(session, gbb):
    _, q = gbb
    quotes.send(session, q)
    quotes.decline(session, q, "too expensive")
    assert q.status == "declined" and q.decline_reason == "too expensive"
    with pytest.raises(InvalidTransition, match="final status"):
        quotes.send(session, q)


def test_sent_quote_expires(session, shop):
    with clock.at(clock.now().replace(month=9)):
        q = quotes.create_quote(session, customer_id=shop["customer"], title="Old", valid_days=10)
        quotes.add_line(session, q, LineDraft("Something", 5000))
        quotes.send(session, q)
    with pytest.raises(InvalidTransition, match="expired on"):
        quotes.approve(session, q)
    assert quotes.expire_due(session) == [q.number]
    assert q.status == "expired"


def test_approved_quote_without_order_becomes_new_order(session, shop):
    q = quotes.create_quote(
        session, customer_id=shop["customer"], site_id=shop["site"], title="New furnace"
    )
    quotes.add_line(session, q, LineDraft("Furnace install", 450000, kind="task"))
    quotes.send(session, q)
    quotes.approve(session, q)
    order = quotes.to_order(session, q)
    assert q.order_id == order.id and order.summary == "New furnace (Standard)"
    with pytest.raises(InvalidTransition, match="already belongs"):
        quotes.to_order(session, q)


def test_send_needs_lines(session, shop):
    q = quotes.create_quote(session, customer_id=shop["customer"], title="Empty")
    with pytest.raises(InvalidInput, match="no lines"):
        quotes.send(session, q)
