"""Text messages through Apprise end to end, without the internet: Apprise's `json://`
webhook against a local HTTP server the test starts. The text arrives with its body and
the message's idempotency key as a header; a 500 -> retried with a doubling wait, then
failed; kill -9 between sending and marking -> one resend, with the same key."""

from __future__ import annotations

from datetime import timedelta

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models import Technician
from svcdesk.models.messages import Message
from svcdesk.services.common.settings import set_setting, shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.messages import delivery
from svcdesk.services.messages.senders import Outgoing, apprise_url, key_digest
from svcdesk.services.orders import lifecycle, scheduling
from tests.conftest import FROZEN_NOW
from tests.support.webhook import WebhookServer
from tests.unit.messages.helpers import consent, send_at_each_retry, send_then_kill_9, senders_on

KEY = "X-Idempotency-Key"


def _booked_text(engine, shop, port: int, url: str = "json://127.0.0.1:{port}/sms/{{to}}"):
    with write_session(engine) as s:
        senders_on(s, email="off", sms="apprise")
        set_setting(s, "messages.sms.url", url.format(port=port))
        customer = consent(s, shop["customer"], channel="sms")
        order = lifecycle.get_order(s, shop["o1"])
        alice = s.get(Technician, shop["alice"])
        when = parse_when("2026-11-26 09:00", shop_zone(s))
        scheduling.book_visit(s, order, [alice], when, 120)
        return customer.phone


def _message(engine) -> Message:
    with read_session(engine) as s:
        m = s.get(Message, 1)
        assert m is not None and m.channel == "sms"
        return m


def test_text_arrives_with_body_and_idempotency_key(engine, shop):
    with WebhookServer() as server:
        phone = _booked_text(engine, shop, server.port)
        report = delivery.send_due(engine)
        assert (report.sent, report.failed) == (1, 0), report.errors
        assert delivery.send_due(engine).sent == 0  # nothing sent twice
    m = _message(engine)
    [hit] = server.hits
    assert hit.method == "POST" and hit.path == f"/sms/{phone.lstrip('+')}"
    assert hit.json()["message"] == m.body
    assert "your visit is booked for Thursday, November 26" in m.body
    assert hit.headers[KEY] == key_digest(m.idem_key)
    assert (m.status, m.attempts, m.provider_id) == ("sent", 1, f"apprise:{hit.headers[KEY]}")


def test_server_error_retries_with_backoff_then_fails(engine, shop):
    with WebhookServer(status=500) as server:
        _booked_text(engine, shop, server.port)
        report = delivery.send_due(engine)
        assert (report.sent, report.retrying) == (0, 1)
        assert report.errors == ["sms: the provider did not take the message"]
        m = _message(engine)
        assert (m.status, m.attempts) == ("queued", 1)
        assert m.next_try_at == FROZEN_NOW + timedelta(minutes=5)
        waits = send_at_each_retry(engine)
    m = _message(engine)
    assert (m.status, m.attempts) == ("failed", 5)
    assert waits == [timedelta(minutes=n) for n in (5, 15, 35, 75)]
    assert len(server.hits) == 5
    assert len({h.headers[KEY] for h in server.hits}) == 1  # one key for every try


def test_kill_9_between_send_and_mark_resends_once_with_the_same_key(engine, shop, db_path):
    with WebhookServer() as server:
        _booked_text(engine, shop, server.port)
        assert send_then_kill_9(db_path) == -9
        assert len(server.hits) == 1
        assert (_message(engine).status, _message(engine).attempts) == ("sending", 1)
        assert delivery.send_due(engine).sent == 0  # inside the lease: left alone
        with clock.at(FROZEN_NOW + delivery.LEASE + timedelta(seconds=1)):
            assert delivery.send_due(engine).sent == 1
            assert delivery.send_due(engine).sent == 0
    first, second = server.hits
    assert first.headers[KEY] == second.headers[KEY] == key_digest(_message(engine).idem_key)
    assert first.json()["message"] == second.json()["message"]
    assert (_message(engine).status, _message(engine).attempts) == ("sent", 2)


def _out(key: str = "booking:visit:1:sms:+15125550123") -> Outgoing:
    return Outgoing(1, key, "sms", "+15125550123", "", "hi", "office@example.com")


def test_provider_url_for_one_message():
    digest = key_digest(_out().idem_key)
    assert (
        apprise_url("json://h:8/sms/{to}", _out()) == f"json://h:8/sms/15125550123?+{KEY}={digest}"
    )
    assert apprise_url("forms://h/hook?token=abc", _out()) == (
        f"forms://h/hook/+15125550123?token=abc&+{KEY}={digest}"
    )
    # the shop's own header wins; other providers get no header (Apprise has none for them)
    assert (
        apprise_url(f"json://h/{{to}}?+{KEY}=mine", _out()) == f"json://h/15125550123?+{KEY}=mine"
    )
    assert apprise_url("twilio://SID:TOKEN@15125550100/{to}", _out()) == (
        "twilio://SID:TOKEN@15125550100/15125550123"
    )
