"""Service rules of the field app: enrolment links, device sessions, CSRF, the sign-in
limit, idempotency keys, version checks, access to visits, image checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from svcdesk import clock
from svcdesk.errors import Conflict, InvalidInput, NotFound
from svcdesk.models import Note
from svcdesk.models.field import FieldRequest
from svcdesk.services.crm import devices, technicians
from svcdesk.services.execution import field_app
from svcdesk.services.orders import lifecycle, scheduling


@pytest.fixture
def bob_device(session, shop):
    bob = technicians.find_technician(session, "Bob")
    token = devices.create_enrolment(session, bob, actor="dana").token
    device, raw = devices.redeem_enrolment(session, token, label="phone")
    return device, raw


def _visit(session, shop):
    order = lifecycle.get_order(session, shop["o2"])
    return scheduling.active_visits(session, order.id)[0], order


def test_tokens_are_random_and_stored_hashed(session, shop):
    bob = technicians.find_technician(session, "Bob")
    a = devices.create_enrolment(session, bob, actor="dana")
    b = devices.create_enrolment(session, bob, actor="dana")
    assert a.token != b.token and len(a.token) >= 40
    assert devices.enrolment_for_token(session, a.token).token_hash == devices.hash_token(a.token)
    assert a.expires_at - clock.now() == timedelta(minutes=15)


def test_a_link_works_once_and_expires(session, shop):
    bob = technicians.find_technician(session, "Bob")
    token = devices.create_enrolment(session, bob, actor="dana").token
    devices.redeem_enrolment(session, token)
    with pytest.raises(NotFound):
        devices.redeem_enrolment(session, token)
    late = devices.create_enrolment(session, bob, actor="dana").token
    clock.freeze(clock.now() + timedelta(minutes=15))
    with pytest.raises(NotFound):
        devices.redeem_enrolment(session, late)


def test_inactive_technician_cannot_enrol_or_use_a_device(session, shop, bob_device):
    device, raw = bob_device
    bob = technicians.find_technician(session, "Bob")
    assert devices.device_for_token(session, raw).id == device.id
    bob.active = False
    session.add(bob)
    session.flush()
    assert devices.device_for_token(session, raw) is None
    with pytest.raises(InvalidInput):
        devices.create_enrolment(session, bob, actor="dana")


def test_revoked_device_and_unknown_tokens_are_signed_out(session, shop, bob_device):
    device, raw = bob_device
    assert devices.device_for_token(session, None) is None
    assert devices.device_for_token(session, "nope") is None
    devices.revoke_device(session, device.id, actor="dana")
    assert devices.device_for_token(session, raw) is None
    with pytest.raises(InvalidInput):
        devices.revoke_device(session, device.id, actor="dana")


def test_csrf_token_is_bound_to_the_session():
    a, b = devices.new_token(), devices.new_token()
    assert devices.check_csrf(a, devices.csrf_token(a))
    assert not devices.check_csrf(a, devices.csrf_token(b))
    assert not devices.check_csrf(a, None) and not devices.check_csrf(a, "")


@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), max_size=60))
def test_limiter_never_allows_more_than_the_limit_in_any_window(gaps):
    now = [0.0]
    limiter = devices.SignInLimiter(limit=5, window=60.0, clock=lambda: now[0])
    allowed = []
    for gap in gaps:
        now[0] += gap
        if limiter.allow("1.2.3.4"):
            allowed.append(now[0])
    for i, t in enumerate(allowed):
        assert sum(1 for u in allowed[i:] if u < t + 60.0) <= 5
    # and a quiet address is never blocked by a busy one
    assert limiter.allow("5.6.7.8")


def test_limiter_lets_attempts_through_again_after_the_window():
    now = [0.0]
    limiter = devices.SignInLimiter(limit=2, window=10.0, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    now[0] = 10.0
    assert limiter.allow("a")


def test_an_idempotency_key_applies_once(session, shop, bob_device):
    device, _ = bob_device
    visit, order = _visit(session, shop)
    first = field_app.add_note(
        session, device, visit.id, idem_key="k1", version=order.version, text="a"
    )
    again = field_app.add_note(
        session, device, visit.id, idem_key="k1", version=order.version, text="a"
    )
    assert not first.replayed and again.replayed
    assert len(session.exec(select(Note)).all()) == 1
    assert session.exec(select(FieldRequest)).one().idem_key == "k1"
    with pytest.raises(InvalidInput, match="idempotency key"):
        field_app.add_note(session, device, visit.id, idem_key="", version=order.version, text="b")


def test_a_stale_version_is_refused(session, shop, bob_device):
    device, _ = bob_device
    visit, order = _visit(session, shop)
    with pytest.raises(Conflict, match="changed by the office"):
        field_app.change_status(
            session, device, visit.id, idem_key="k", version=order.version - 1, step="arrived"
        )
    assert order.status == "scheduled"
    with pytest.raises(InvalidInput, match="version"):
        field_app.add_note(session, device, visit.id, idem_key="k", version=None, text="a")


def test_only_my_visits(session, shop, bob_device):
    device, _ = bob_device
    alice = technicians.find_technician(session, "Alice")
    o1 = lifecycle.get_order(session, shop["o1"])
    other = scheduling.book_visit(session, o1, [alice], clock.now() + timedelta(hours=3), 60)
    with pytest.raises(NotFound):
        field_app.job(session, device.technician_id, other.id)
    with pytest.raises(NotFound):
        field_app.add_note(session, device, other.id, idem_key="k", version=o1.version, text="x")
    visit, _ = _visit(session, shop)
    assert field_app.job(session, device.technician_id, visit.id).number == shop["o2"]
    day = field_app.my_day(session, device.technician_id)
    assert [v.number for v in day.today] == [shop["o2"]]


def test_eta_parsing(session, shop):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    assert field_app._parse_eta("30", zone) == clock.now() + timedelta(minutes=30)
    at = field_app._parse_eta("09:15", zone)
    assert at.astimezone(zone).strftime("%H:%M") == "09:15" and at > clock.now()
    assert field_app._parse_eta("07:00", zone) - clock.now() == timedelta(hours=23)
    assert field_app._parse_eta("", zone) is None
    for bad in ("0", "601", "soon", "25:99"):
        with pytest.raises(InvalidInput):
            field_app._parse_eta(bad, zone)


def test_image_checks():
    assert field_app.sniff_image(b"\xff\xd8\xff\xe0rest") == ("jpg", "image/jpeg")
    assert field_app.sniff_image(b"\x89PNG\r\n\x1a\nrest")[0] == "png"
    for bad in (b"", b"GIF89a", b"<svg>", b"%PDF-1.7"):
        with pytest.raises(InvalidInput):
            field_app.sniff_image(bad)
    with pytest.raises(InvalidInput):
        field_app.decode_signature("data:image/png;base64,not base64!")
    with pytest.raises(InvalidInput):
        field_app.decode_signature("data:image/svg+xml;base64,PHN2Zz4=")


def test_the_same_key_sent_twice_at_once_applies_once(engine, shop):
    import threading

    from svcdesk.db import read_session, write_session

    with write_session(engine) as s:
        bob = technicians.find_technician(s, "Bob")
        token = devices.create_enrolment(s, bob, actor="dana").token
        device, _ = devices.redeem_enrolment(s, token)
        visit, order = _visit(s, shop)
        version = order.version
    barrier = threading.Barrier(2)
    results = []

    def send():
        barrier.wait()
        try:
            with write_session(engine) as s:
                results.append(field_app.add_note(s, device, visit.id, idem_key="same",
                                                  version=version, text="once"))  # fmt: skip
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2
    applied = [r for r in results if isinstance(r, field_app.Done) and not r.replayed]
    assert len(applied) == 1
    with read_session(engine) as s:
        assert [n.text for n in s.exec(select(Note))] == ["once"]
