"""The SMTP sender end to end against a real local server (aiosmtpd): headers, body and
the PDF arrive; a refusing or absent server -> retried with a doubling wait, then failed;
kill -9 between sending and marking -> exactly one resend, with the same Message-ID."""

from __future__ import annotations

from datetime import timedelta

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models.messages import Message
from svcdesk.services.billing import invoices
from svcdesk.services.common.settings import set_setting
from svcdesk.services.messages import delivery
from tests.conftest import FROZEN_NOW
from tests.support.smtp import Inbox, SmtpServer, free_port
from tests.unit.messages.helpers import (
    consent,
    draft_invoice,
    send_at_each_retry,
    send_then_kill_9,
    senders_on,
)


def _smtp(session, port: int) -> None:
    senders_on(session, email="smtp", sms="off")
    for key, value in (
        ("messages.smtp.host", "127.0.0.1"),
        ("messages.smtp.port", str(port)),
        ("messages.smtp.security", "none"),
        ("messages.from", "office@lonestar.example"),
    ):
        set_setting(session, key, value)  # fmt: skip


def _issued_invoice(engine, shop, port: int) -> str:
    with write_session(engine) as s:
        _smtp(s, port)
        consent(s, shop["customer"])
        inv = draft_invoice(s, shop)
        invoices.issue(s, inv, actor="ann")
        return inv.number


def _message(engine) -> Message:
    with read_session(engine) as s:
        return s.get(Message, 1)


def test_invoice_email_arrives_with_headers_body_and_pdf(engine, shop):
    with SmtpServer() as server:
        number = _issued_invoice(engine, shop, server.port)
        report = delivery.send_due(engine)
        assert (report.sent, report.failed) == (1, 0)
    [mail] = server.inbox.received
    assert mail["To"] == "jane@example.com"
    assert mail["From"] == "office@lonestar.example"
    assert mail["Subject"] == f"Invoice {number} from Lone Star Comfort & Plumbing"
    m = _message(engine)
    assert mail["Message-ID"] == m.provider_id and mail["Message-ID"].endswith("@lonestar.example>")
    body = mail.get_body(("plain",)).get_content()
    assert "Hello Jane Porter," in body and "Balance due: $" in body
    [pdf] = list(mail.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"{number}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert (m.status, m.attempts) == ("sent", 1)
    assert delivery.send_due(engine).sent == 0  # nothing sent twice


def test_refusing_server_retries_with_backoff_then_fails(engine, shop):
    with SmtpServer(Inbox(refuse="554 5.7.1 not today")) as server:
        _issued_invoice(engine, shop, server.port)
        report = delivery.send_due(engine)
        assert (report.sent, report.retrying) == (0, 1)
        m = _message(engine)
        assert (m.status, m.attempts) == ("queued", 1)
        assert m.next_try_at == FROZEN_NOW + timedelta(minutes=5)
        assert "554" in (m.last_error or "") and "not today" in (m.last_error or "")
        assert delivery.send_due(engine).sent == 0  # not due yet: nothing tried
        assert _message(engine).attempts == 1
        waits = send_at_each_retry(engine)
    m = _message(engine)
    assert (m.status, m.attempts) == ("failed", 5)
    # 5, then 5+10, 5+10+20, 5+10+20+40 minutes after the first try
    assert waits == [timedelta(minutes=n) for n in (5, 15, 35, 75)]


def test_no_server_is_retried_then_delivered(engine, shop):
    port = free_port()  # nobody listens yet
    _issued_invoice(engine, shop, port)
    report = delivery.send_due(engine)
    assert report.retrying == 1 and "127.0.0.1" in report.errors[0]
    inbox = Inbox()
    server = SmtpServer(inbox)
    server.port = port
    server.controller.port = port
    with server, clock.at(FROZEN_NOW + timedelta(minutes=5)):
        assert delivery.send_due(engine).sent == 1
    assert len(inbox.received) == 1 and _message(engine).attempts == 2


def test_kill_9_between_send_and_mark_resends_exactly_once(engine, shop, db_path):
    with SmtpServer() as server:
        _issued_invoice(engine, shop, server.port)
        assert send_then_kill_9(db_path) == -9
        assert server.inbox.count == 1
        m = _message(engine)
        assert (m.status, m.attempts) == ("sending", 1)
        assert delivery.send_due(engine).sent == 0  # another run inside the lease: left alone
        with clock.at(FROZEN_NOW + delivery.LEASE + timedelta(seconds=1)):
            assert delivery.send_due(engine).sent == 1
            assert delivery.send_due(engine).sent == 0
    first, second = server.inbox.received
    assert first["Message-ID"] == second["Message-ID"]
    m = _message(engine)
    assert (m.status, m.attempts) == ("sent", 2)
