"""Browser test: a customer on a phone-sized headless Chromium (Debian's chromium through
Playwright, as for the technician app) approves a quote with a drawn signature, then asks
for service through a request link; the request is an open order on the board's list."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models import OrderSource, WorkOrder
from svcdesk.models.portal import CustomerLink
from svcdesk.services.billing import portal, quotes
from svcdesk.services.orders import queries
from tests.support.portal import sent_quote
from tests.web.test_field_browser import (  # noqa: F401 (phone and server are fixtures)
    _keep,
    _tap,
    draw_signature,
    phone,
    server,
)


def test_a_customer_approves_a_quote_and_asks_for_service(server, phone, engine, shop, tmp_path):  # noqa: F811
    page = phone
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    number = sent_quote(engine, shop)
    with write_session(engine) as s:
        quote_link = portal.create_quote_link(s, number, base_url=server, actor="office")
        request_link = portal.create_request_link(s, None, base_url=server, actor="office")

    page.goto(quote_link.url)
    assert "Furnace options" in page.inner_text("main")
    _keep(page, tmp_path, "customer-quote")
    page.check("input[name=option][value=Replace]")
    page.fill("#form-approve input[name=name]", "Jane Porter")
    draw_signature(page)
    _tap(page, "#btn-approve")
    assert "is approved" in page.inner_text("main")
    assert "Approved (Replace) by Jane Porter" in page.inner_text("#decided")
    with read_session(engine) as s:
        assert quotes.get_quote(s, number).status == "approved"
        link = s.get(CustomerLink, quote_link.id)
        assert link.signer == "Jane Porter" and link.signature_png.startswith(b"\x89PNG")
        assert len(link.signature_png) > 200  # the drawing, not an empty canvas

    page.goto(request_link.url)
    page.fill("input[name=problem]", "Water heater leaking")
    page.fill("input[name=name]", "Sam Lee")
    page.fill("input[name=phone]", "512-555-0177")
    page.fill("input[name=address]", "9 Elm St")
    page.fill("input[name=city]", "Austin")
    page.fill("input[name=state]", "TX")
    page.fill("input[name=zip]", "78701")
    page.check("input[name=part][value=morning]")
    _keep(page, tmp_path, "customer-request")
    _tap(page, "#btn-request")
    sent = page.inner_text("#sent")
    assert "your request SO-" in sent
    order_number = sent.split("request ", 1)[1].split(" ", 1)[0]
    with read_session(engine) as s:
        order = s.exec(select(WorkOrder).where(WorkOrder.number == order_number)).one()
        assert order.source == OrderSource.PORTAL.value and order.status == "new"
        board = [row.number for row in queries.list_orders(s)]  # what the board lists
    assert order_number in board
    assert problems == []
