"""The quote e-mail carries the approve link and the invoice e-mail a link to see it: made
in the queueing transaction only when a message is really queued and web.public_url is
set; only its hash is stored; retries and the same event again make no second link."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from svcdesk.errors import InvalidInput
from svcdesk.models.portal import CustomerLink
from svcdesk.services.billing import invoices, outgoing, portal, quotes
from svcdesk.services.common.settings import get_setting, set_setting
from svcdesk.services.messages import outbox, templates
from svcdesk.services.orders import lifecycle
from tests.unit.billing import billing_helpers as h
from tests.unit.messages.helpers import consent, draft_invoice, messages, senders_on

URL = "https://desk.lonestar.example"
TOKEN = re.compile(r"/c/([A-Za-z0-9_-]{40,})")


def _quote(session, shop):
    h.seed_pricebook(session)
    o = lifecycle.get_order(session, shop["o1"])
    q = quotes.create_quote(session, customer_id=o.customer_id, title="AC repair", order=o)
    quotes.add_line(session, q, quotes.item_draft(session, "CAP-REPLACE"))
    quotes.send(session, q, actor="ann")
    return q


def _links(session) -> list[CustomerLink]:
    return list(session.exec(select(CustomerLink).order_by(col(CustomerLink.id))))


def _token(body: str) -> str:
    found = TOKEN.search(body)
    assert found, body
    return found.group(1)


def test_quote_email_carries_a_working_approve_link_stored_hashed(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    set_setting(session, "web.public_url", URL + "/")
    q = _quote(session, shop)
    [m] = messages(session, "quote")
    token = _token(m.body)
    assert f"See it and approve it here: {URL}/c/{token}\n" in m.body
    assert "Reply to this e-mail" not in m.body
    [link] = _links(session)
    assert (link.kind, link.quote_id, link.customer_id) == ("quote", q.id, shop["customer"])
    assert link.created_by == "ann" and link.token_hash != token
    assert token not in link.token_hash
    assert portal.open_link(session, token, "quote").id == link.id
    assert portal.quote_page(session, link).can_decide


def test_invoice_email_carries_a_link_to_see_it(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    set_setting(session, "web.public_url", URL)
    inv = draft_invoice(session, shop)
    invoices.issue(session, inv, actor="ann")
    [m] = messages(session, "invoice")
    token = _token(m.body)
    assert f"See it, its payments and the balance here: {URL}/c/{token}" in m.body
    link = portal.open_link(session, token, "invoice")
    assert link.invoice_id == inv.id
    assert portal.invoice_page(session, link).number == inv.number


def test_no_public_url_means_reply_or_call_and_no_link(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    _quote(session, shop)
    [m] = messages(session, "quote")
    assert "Reply to this e-mail or call us to approve it." in m.body
    assert "/c/" not in m.body and _links(session) == []
    assert templates.link_note(session, "quote") == templates.NO_LINK_NOTE
    assert templates.link_note(session, "booking") is None


def test_no_consent_no_message_no_link(session, shop):
    senders_on(session)
    set_setting(session, "web.public_url", URL)
    _quote(session, shop)
    assert messages(session) == [] and _links(session) == []


def test_retry_and_the_same_event_again_make_no_second_link(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    set_setting(session, "web.public_url", URL)
    q = _quote(session, shop)
    [m] = messages(session, "quote")
    body = m.body
    m.status = "failed"
    outbox.retry(session, m, actor="ann")
    outgoing.quote_sent(session, q, [("Standard", 100)], actor="ann")  # the same event
    [again] = messages(session, "quote")
    assert again.body == body and again.status == "queued"
    assert len(_links(session)) == 1


@pytest.mark.parametrize(
    "bad",
    ["desk.example.com", "ftp://desk.example.com", "https://", "https://x.example/?a=1",
     "https://x.example/#top", "https://user@x.example", "https://x.example:99999",
     "https://x .example"],
)  # fmt: skip
def test_public_url_is_an_http_address(session, bad):
    with pytest.raises(InvalidInput, match=r"web.public_url: .* expected an address like https"):
        set_setting(session, "web.public_url", bad)
    assert get_setting(session, "web.public_url") == ""


def test_public_url_is_stored_without_trailing_slash_and_used_by_links(session, shop):
    assert set_setting(session, "web.public_url", "http://10.0.0.5:8000/desk/") == (
        "http://10.0.0.5:8000/desk"
    )
    assert portal.public_base(session) == "http://10.0.0.5:8000/desk"
    assert portal.public_base(session, "https://other.example") == "https://other.example"
    set_setting(session, "web.public_url", "")
    assert portal.public_base(session).startswith("http")  # $SVCDESK_FIELD_URL or local


def test_preview_shows_a_sample_link_when_the_address_is_set(session):
    _, body = templates.preview(session, "quote", "email")
    assert "Reply to this e-mail or call us to approve it." in body
    set_setting(session, "web.public_url", URL)
    _, body = templates.preview(session, "quote", "email")
    assert f"See it and approve it here: {URL}/c/TOKEN-MADE-WHEN-SENT" in body
    _, body = templates.preview(session, "invoice", "email")
    assert f"here: {URL}/c/TOKEN-MADE-WHEN-SENT" in body
