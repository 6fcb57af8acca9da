"""The link in a quote e-mail opens the quote page and approves it (TestClient): the
customer's way from the message to the decision."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models.billing import Quote
from svcdesk.models.messages import Message
from svcdesk.services.common.settings import set_setting
from tests.support.portal import SIGNATURE, sent_quote
from tests.unit.messages.helpers import consent, senders_on

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_the_emailed_link_opens_and_approves_the_quote(app, engine, shop):
    with write_session(engine) as s:
        senders_on(s)
        consent(s, shop["customer"])
        set_setting(s, "web.public_url", "https://desk.example.com")
    number = sent_quote(engine, shop)
    with read_session(engine) as s:
        body = s.exec(select(Message.body)).one()
    path = re.search(r"https://desk\.example\.com(/c/[A-Za-z0-9_-]+)", body).group(1)
    client = TestClient(app)
    page = client.get(path)
    assert page.status_code == 200 and "Furnace options" in page.text
    csrf = CSRF.search(page.text).group(1)
    r = client.post(f"{path}/approve", follow_redirects=False,
                    data={"csrf": csrf, "option": "Repair", "name": "Jane Porter",
                          "image": SIGNATURE})  # fmt: skip
    assert r.status_code == 303
    with read_session(engine) as s:
        assert s.exec(select(Quote.status).where(Quote.number == number)).one() == "approved"
    assert client.get(path.replace("/c/", "/c/x")).status_code == 404
