"""The demo's outbox: the open quote's e-mail with its approve link and the latest
invoices' e-mails with theirs (web.public_url is the local web app)."""

from __future__ import annotations

from sqlmodel import col, select

from svcdesk.db import read_session
from svcdesk.demo import build_demo
from svcdesk.models.messages import Message
from svcdesk.services.billing import portal
from svcdesk.services.common.settings import get_setting


def test_demo_queues_document_emails_with_working_links(engine):
    build_demo(engine, orders=40, seed=3)
    with read_session(engine) as s:
        base = get_setting(s, "web.public_url")
        assert base and base.startswith("http")
        docs = s.exec(select(Message).where(col(Message.trigger).in_(["quote", "invoice"]))).all()
        assert {m.trigger for m in docs} == {"quote", "invoice"}
        for m in docs:
            token = m.body.split(f"{base}/c/", 1)[1].split()[0]
            assert portal.open_link(s, token, m.trigger).customer_id == m.customer_id
