"""Customer links: tokens, expiry, revocation, quote approval, invoice view, requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput, InvalidTransition, NotFound
from svcdesk.models import OrderSource, WorkOrder
from svcdesk.models.billing import Quote, QuoteStatus
from svcdesk.models.portal import CustomerLink
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.billing import portal, quotes
from tests.support.portal import SIGNATURE, sent_invoice, sent_quote

BASE = "https://shop.example"


def _quote_link(engine, shop, **kw):
    number = sent_quote(engine, shop)
    with write_session(engine) as s:
        return number, portal.create_quote_link(s, number, base_url=BASE, actor="office", **kw)


def test_only_the_hash_of_a_token_is_stored(engine, shop):
    _, link = _quote_link(engine, shop)
    assert link.url == f"{BASE}/c/{link.token}" and len(link.token) >= 43
    with read_session(engine) as s:
        row = s.get(CustomerLink, link.id)
        assert row.token_hash == portal.hash_token(link.token) != link.token
        assert link.token not in repr(row.model_dump())
        assert s.exec(select(ChangeEvent).where(ChangeEvent.entity == "customer_link")).first()


@pytest.mark.parametrize("how", ["unknown", "expired", "revoked", "other kind", "empty"])
def test_a_dead_link_is_not_found_whatever_the_reason(engine, shop, how):
    _, link = _quote_link(engine, shop, days=1)
    token, kind = link.token, "quote"
    with write_session(engine) as s:
        if how == "unknown":
            token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        elif how == "expired":
            clock.freeze(clock.now() + timedelta(days=1, seconds=1))
        elif how == "revoked":
            portal.revoke_link(s, link.id, actor="office")
        elif how == "other kind":
            kind = "invoice"
        else:
            token = ""
    with read_session(engine) as s, pytest.raises(NotFound, match="^not found$"):
        portal.open_link(s, token, kind)


def test_draft_quotes_and_void_invoices_get_no_link(engine, shop):
    with write_session(engine) as s:
        q = quotes.create_quote(s, customer_id=shop["customer"], title="Draft")
        with pytest.raises(InvalidTransition, match="send it first"):
            portal.create_quote_link(s, q.number, base_url=BASE, actor="office")
        with pytest.raises(InvalidInput, match="days: 400"):
            portal.create_request_link(s, None, base_url=BASE, days=400, actor="office")


def test_customer_approves_one_option_with_name_and_signature(engine, shop):
    number, link = _quote_link(engine, shop)
    with write_session(engine) as s:
        row = portal.open_link(s, link.token, "quote")
        page = portal.quote_page(s, row)
        assert page.can_decide and [n for n, _ in page.options] == ["Repair", "Replace"]
        portal.approve_quote(s, row, option="Replace", name="  Jane   Porter ",
                             signature=SIGNATURE, client="10.0.0.9")  # fmt: skip
    with read_session(engine) as s:
        q = quotes.get_quote(s, number)
        assert q.status == QuoteStatus.APPROVED.value
        row = s.get(CustomerLink, link.id)
        assert row.signer == "Jane Porter" and row.signature_png.startswith(b"\x89PNG")
        assert row.client == "10.0.0.9" and row.used_at is not None
        page = portal.quote_page(s, row)
        assert not page.can_decide and page.decided.startswith("Approved (Replace) by Jane Porter")
        audit = s.exec(select(ChangeEvent).where(ChangeEvent.entity == "quote")).all()
        assert audit[-1].actor == "Jane Porter (customer link)"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"option": "Replace", "name": "", "signature": SIGNATURE}, "name: type your name"),
        (
            {"option": "Replace", "name": "Jane", "signature": ""},
            "signature: draw the signature first",
        ),
        (
            {"option": "Replace", "name": "Jane", "signature": "data:image/png;base64,AAAA"},
            "signature: not a PNG",
        ),  # fmt: skip
        ({"option": None, "name": "Jane", "signature": SIGNATURE}, "say which one"),
        ({"option": "Gold", "name": "Jane", "signature": SIGNATURE}, "no option 'Gold'"),
        ({"option": "Replace", "name": "J" * 121, "signature": SIGNATURE}, "at most 120"),
    ],
)
def test_a_bad_approval_is_refused_and_writes_nothing(engine, shop, fields, message):
    number, link = _quote_link(engine, shop)
    with pytest.raises(InvalidInput, match=message), write_session(engine) as s:
        portal.approve_quote(s, portal.open_link(s, link.token), **fields)
    with read_session(engine) as s:
        assert quotes.get_quote(s, number).status == QuoteStatus.SENT.value
        assert s.get(CustomerLink, link.id).used_at is None


def test_an_approved_or_expired_quote_cannot_be_decided_again(engine, shop):
    number, link = _quote_link(engine, shop)
    with write_session(engine) as s:
        portal.approve_quote(s, portal.open_link(s, link.token), option="Repair", name="Jane",
                             signature=SIGNATURE)  # fmt: skip
    with pytest.raises(InvalidTransition, match="is approved"), write_session(engine) as s:
        portal.decline_quote(s, portal.open_link(s, link.token), name="Jane", reason="no")
    number2, link2 = _quote_link(engine, shop)
    with write_session(engine) as s:
        q = quotes.get_quote(s, number2)
        q.valid_until = quotes.today(s) - timedelta(days=1)
        s.add(q)
    with read_session(engine) as s:
        page = portal.quote_page(s, portal.open_link(s, link2.token))
        assert not page.can_decide and page.status == "expired"


def test_decline_keeps_the_reason(engine, shop):
    number, link = _quote_link(engine, shop)
    with write_session(engine) as s:
        portal.decline_quote(s, portal.open_link(s, link.token), name="Jane Porter",
                             reason="  too  expensive ")  # fmt: skip
    with read_session(engine) as s:
        q = s.exec(select(Quote).where(Quote.number == number)).one()
        assert q.status == "declined" and q.decline_reason == "too expensive"


def test_invoice_page_shows_balance_and_the_pdf(engine, shop):
    number = sent_invoice(engine, shop)
    with write_session(engine) as s:
        link = portal.create_invoice_link(s, number, base_url=BASE, actor="office")
    with read_session(engine) as s:
        row = portal.open_link(s, link.token, "invoice")
        page = portal.invoice_page(s, row)
        assert page.number == number and page.status == "sent" and page.balance.startswith("$")
        name, data = portal.invoice_pdf(s, row)
        assert name == f"{number}.pdf" and data.startswith(b"%PDF")


def _request(engine, link_token, **fields):
    form = {"problem": "Water heater leaking", "name": "Sam Lee", "phone": "512-555-0177",
            "address": "9 Elm St", "city": "Austin", "state": "TX", "zip": "78701",
            "idem": "abc123"} | fields  # fmt: skip
    with write_session(engine) as s:
        return portal.submit_request(s, portal.open_link(s, link_token, "request"), form).number


def test_a_request_lands_as_a_portal_order_once(engine, shop):
    with write_session(engine) as s:
        link = portal.create_request_link(s, None, base_url=BASE, actor="office")
    first = _request(engine, link.token, day=str(clock.now().date() + timedelta(days=2)),
                     part="morning")  # fmt: skip
    again = _request(engine, link.token)  # the same form sent twice (a lost answer)
    assert first == again
    with read_session(engine) as s:
        order = s.exec(select(WorkOrder).where(WorkOrder.number == first)).one()
        assert order.source == OrderSource.PORTAL.value and order.summary == "Water heater leaking"
        assert order.window_start is not None and "morning" in order.description
        assert s.get(CustomerLink, link.id).uses == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"problem": ""}, "summary|problem"),
        ({"phone": "12"}, "phone"),
        ({"address": ""}, "address"),
        ({"day": "2020-01-01"}, "day: choose a day"),
        ({"day": "soon"}, "day: 'soon' is not a date"),
        ({"part": "night"}, "time: choose"),
    ],
)
def test_a_bad_request_is_one_line_and_writes_nothing(engine, shop, fields, message):
    with write_session(engine) as s:
        link = portal.create_request_link(s, None, base_url=BASE, actor="office")
    with read_session(engine) as s:
        before = len(s.exec(select(WorkOrder)).all())
    with pytest.raises(InvalidInput, match=message):
        _request(engine, link.token, **fields)
    with read_session(engine) as s:
        assert len(s.exec(select(WorkOrder)).all()) == before


def test_a_customers_request_link_files_under_them_at_their_site(engine, shop):
    with write_session(engine) as s:
        link = portal.create_request_link(s, "Jane Porter", base_url=BASE, actor="office")
        prefill = portal.request_prefill(s, portal.open_link(s, link.token))
    assert prefill.name == "Jane Porter" and prefill.sites and prefill.sites[0][0] == shop["site"]
    number = _request(engine, link.token, site=str(shop["site"]), name="Jane Porter")
    with read_session(engine) as s:
        order = s.exec(select(WorkOrder).where(WorkOrder.number == number)).one()
        assert order.customer_id == shop["customer"] and order.site_id == shop["site"]
    with pytest.raises(InvalidInput, match="site: choose one of your"):
        _request(engine, link.token, site="999999", idem="other")


def test_links_list_and_revoke(engine, shop):
    _, link = _quote_link(engine, shop)
    with write_session(engine) as s:
        rows = portal.list_links(s, "Jane Porter")
        assert [(r.id, r.state) for r in rows] == [(link.id, "active")]
        portal.revoke_link(s, link.id, actor="office")
        with pytest.raises(InvalidTransition):
            portal.revoke_link(s, link.id, actor="office")
    with read_session(engine) as s:
        assert portal.list_links(s) == []
        assert [r.state for r in portal.list_links(s, include_ended=True)] == ["revoked"]
