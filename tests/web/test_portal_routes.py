"""Customer link pages over HTTP: each route, a wrong token, CSRF, bad input, rate limit."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models import WorkOrder
from svcdesk.models.portal import CustomerLink
from svcdesk.services.billing import portal, quotes
from tests.support.portal import SIGNATURE, sent_invoice, sent_quote

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
IDEM = re.compile(r'name="idem" value="([^"]+)"')


@pytest.fixture
def client(app):
    return TestClient(app)


def _link(engine, shop, kind):
    with write_session(engine) as s:
        if kind == "quote":
            return portal.create_quote_link(s, sent_quote(engine, shop), base_url="http://t",
                                            actor="office")  # fmt: skip
        if kind == "invoice":
            return portal.create_invoice_link(s, sent_invoice(engine, shop), base_url="http://t",
                                              actor="office")  # fmt: skip
        return portal.create_request_link(s, None, base_url="http://t", actor="office")


def _count(engine, model):
    with read_session(engine) as s:
        return len(s.exec(select(model)).all())


def test_quote_page_then_approve(client, engine, shop):
    link = _link(engine, shop, "quote")
    page = client.get(f"/c/{link.token}")
    assert page.status_code == 200 and "Furnace options" in page.text
    assert "Repair" in page.text and "Replace" in page.text and "canvas" in page.text
    assert (
        page.headers["cache-control"] == "no-store"
        and "frame-ancestors 'none'" in (page.headers["content-security-policy"])
    )
    csrf = CSRF.search(page.text).group(1)
    r = client.post(f"/c/{link.token}/approve", follow_redirects=False,
                    data={"csrf": csrf, "option": "Repair", "name": "Jane Porter",
                          "image": SIGNATURE})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/c/{link.token}?done=approved"
    after = client.get(r.headers["location"])
    assert "is approved" in after.text and "Approved (Repair) by Jane Porter" in after.text
    assert "btn-approve" not in after.text


def test_decline(client, engine, shop):
    link = _link(engine, shop, "quote")
    csrf = CSRF.search(client.get(f"/c/{link.token}").text).group(1)
    r = client.post(f"/c/{link.token}/decline",
                    data={"csrf": csrf, "name": "Jane", "reason": "later"})  # fmt: skip
    assert r.status_code == 200 and "is declined" in r.text


def test_bad_approval_keeps_what_was_typed(client, engine, shop):
    link = _link(engine, shop, "quote")
    csrf = CSRF.search(client.get(f"/c/{link.token}").text).group(1)
    r = client.post(f"/c/{link.token}/approve",
                    data={"csrf": csrf, "option": "Repair", "name": "Jane Q", "image": ""})  # fmt: skip
    assert r.status_code == 422 and "signature: draw the signature first" in r.text
    assert 'value="Jane Q"' in r.text
    with read_session(engine) as s:
        assert s.get(CustomerLink, link.id).used_at is None


@pytest.mark.parametrize("csrf", [None, "", "forged"])
def test_a_post_without_the_links_csrf_is_refused(client, engine, shop, csrf):
    link = _link(engine, shop, "quote")
    data = {"option": "Repair", "name": "Jane", "image": SIGNATURE}
    if csrf is not None:
        data["csrf"] = csrf
    r = client.post(f"/c/{link.token}/approve", data=data)
    assert r.status_code == 403
    with read_session(engine) as s:
        assert quotes.get_quote(s, _quote_number(s, link)).status == "sent"


def _quote_number(session, link):
    from svcdesk.models.billing import Quote

    return session.get(Quote, session.get(CustomerLink, link.id).quote_id).number


@pytest.mark.parametrize("path", ["", "/invoice.pdf"])
def test_wrong_expired_or_revoked_tokens_are_a_plain_404(client, engine, shop, path):
    link = _link(engine, shop, "invoice")
    with write_session(engine) as s:
        portal.revoke_link(s, link.id, actor="office")
    for token in (link.token, "x" * 43, "nope"):
        r = client.get(f"/c/{token}{path}")
        assert r.status_code == 404 and "not found" in r.text and "My day" not in r.text


def test_invoice_page_and_pdf(client, engine, shop):
    link = _link(engine, shop, "invoice")
    r = client.get(f"/c/{link.token}")
    assert r.status_code == 200 and "Balance due: $" in r.text and "Diagnostic visit" in r.text
    pdf = client.get(f"/c/{link.token}/invoice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    with read_session(engine) as s:
        assert s.get(CustomerLink, link.id).opened_at is not None


def test_a_quote_link_does_not_open_an_invoice_pdf(client, engine, shop):
    link = _link(engine, shop, "quote")
    assert client.get(f"/c/{link.token}/invoice.pdf").status_code == 404


def _form(client, token, **fields):
    page = client.get(f"/c/{token}").text
    data = {"csrf": CSRF.search(page).group(1), "idem": IDEM.search(page).group(1),
            "problem": "Water heater leaking", "name": "Sam Lee", "phone": "512-555-0177",
            "address": "9 Elm St", "city": "Austin", "state": "TX", "zip": "78701",
            "part": "any"} | fields  # fmt: skip
    return data


def test_service_request_lands_once(client, engine, shop):
    link = _link(engine, shop, "request")
    before = _count(engine, WorkOrder)
    data = _form(client, link.token)
    r = client.post(f"/c/{link.token}/request", data=data, follow_redirects=False)
    assert r.status_code == 303
    number = r.headers["location"].rsplit("=", 1)[1]
    shown = client.get(r.headers["location"])
    assert f"your request {number} is in" in shown.text
    again = client.post(f"/c/{link.token}/request", data=data, follow_redirects=False)
    assert again.headers["location"] == r.headers["location"]  # a resend: the same order
    assert _count(engine, WorkOrder) == before + 1


def test_bad_request_is_one_line_and_keeps_the_form(client, engine, shop):
    link = _link(engine, shop, "request")
    before = _count(engine, WorkOrder)
    r = client.post(f"/c/{link.token}/request", data=_form(client, link.token, phone="12"))
    assert r.status_code == 422 and "phone" in r.text and 'value="Water heater leaking"' in r.text
    assert _count(engine, WorkOrder) == before


def test_guessing_addresses_are_held_off(client, engine, shop):
    link = _link(engine, shop, "quote")
    for n in range(20):
        assert client.get(f"/c/wrong{n}").status_code == 404
    assert client.get(f"/c/{link.token}").status_code == 429


def test_request_submissions_are_rate_limited(client, engine, shop):
    link = _link(engine, shop, "request")
    for n in range(10):
        r = client.post(f"/c/{link.token}/request", data=_form(client, link.token, idem=f"k{n}"),
                        follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
    r = client.post(f"/c/{link.token}/request", data=_form(client, link.token, idem="k99"))
    assert r.status_code == 429
