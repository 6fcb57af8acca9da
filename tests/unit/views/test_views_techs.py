"""tech_view: technician status now, today's and tomorrow's work, detail."""

from __future__ import annotations

from datetime import UTC, datetime

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models import Technician, Visit
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm import technicians
from svcdesk.services.dispatch.tech_view import tech_detail, tech_statuses
from svcdesk.services.orders import lifecycle, scheduling


def _statuses(engine, **kw):
    with read_session(engine) as s:
        return {t.name: t for t in tech_statuses(s, **kw)}


def test_status_at_eight_wednesday(engine, shop):
    st = _statuses(engine)
    assert st["Alice Ng"].status == "free" and st["Alice Ng"].detail == "nothing booked"
    assert st["Bob Ruiz"].status == "free"
    assert st["Bob Ruiz"].detail == f"next {shop['o2']} 10:00"
    assert st["Cara Diaz"].status == "off"
    assert st["Cara Diaz"].detail == "shift starts 10:00"
    assert st["Alice Ng"].skills == ["electrical", "hvac"]


def test_hours_today_and_tomorrow(engine, shop):
    with write_session(engine) as s:
        zone = shop_zone(s)
        order = lifecycle.get_order(s, shop["o1"])
        cara = technicians.find_technician(s, "Cara")
        scheduling.book_visit(s, order, [cara], parse_when("2026-11-26 10:00", zone))
    st = _statuses(engine)
    bob, cara = st["Bob Ruiz"], st["Cara Diaz"]
    assert (bob.today.booked_minutes, bob.today.shift_minutes) == (60, 540)
    assert bob.today.load_text == "1.0/9.0h"
    assert [v.number for v in bob.today.visits] == [shop["o2"]]
    assert bob.tomorrow.visits == []
    assert [v.number for v in cara.tomorrow.visits] == [shop["o1"]]
    assert cara.tomorrow.booked_minutes == 90


def _move_visit(engine, number, **values):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, number)
        visit = scheduling.active_visits(s, order.id)[0]
        for k, v in values.items():
            setattr(visit, k, v)


def test_en_route_and_on_site(engine, shop):
    left = datetime(2026, 11, 25, 15, 40, tzinfo=UTC)
    _move_visit(engine, shop["o2"], status="en_route", en_route_at=left)
    bob = _statuses(engine)["Bob Ruiz"]
    assert (bob.status, bob.detail, bob.current) == (
        "en_route",
        f"to {shop['o2']} since 09:40",
        shop["o2"],
    )
    _move_visit(
        engine, shop["o2"], status="on_site", arrived_at=datetime(2026, 11, 25, 16, 5, tzinfo=UTC)
    )
    bob = _statuses(engine)["Bob Ruiz"]
    assert (bob.status, bob.detail) == ("on_site", f"{shop['o2']} since 10:05")


def test_time_off_and_evening(engine, shop):
    with write_session(engine) as s:
        zone = shop_zone(s)
        alice = technicians.find_technician(s, "Alice")
        technicians.add_time_off(
            s, alice, parse_when("today 07:00", zone), parse_when("today 12:00", zone), "doctor"
        )
    st = _statuses(engine)
    assert (st["Alice Ng"].status, st["Alice Ng"].detail) == ("off", "time off (doctor)")
    assert st["Alice Ng"].today.shift_minutes == 300  # 12:00-17:00
    clock.freeze(datetime(2026, 11, 26, 0, 30, tzinfo=UTC))  # 18:30 Wed local
    st = _statuses(engine)
    assert (st["Bob Ruiz"].status, st["Bob Ruiz"].detail) == ("off", "off shift")
    assert st["Cara Diaz"].status == "free"


def test_inactive_and_detail(engine, shop):
    with write_session(engine) as s:
        s.get(Technician, shop["cara"]).active = False
        zone = shop_zone(s)
        technicians.add_time_off(
            s,
            s.get(Technician, shop["alice"]),
            parse_when("2026-12-01 08:00", zone),
            parse_when("2026-12-02 17:00", zone),
            "vacation",
        )
    assert "Cara Diaz" not in _statuses(engine)
    cara = _statuses(engine, include_inactive=True)["Cara Diaz"]
    assert (cara.status, cara.detail, cara.skills) == ("off", "inactive", ["hvac"])
    with read_session(engine) as s:
        d = tech_detail(s, shop["alice"])
    assert d.phone == "512-555-0201" and d.hourly_cost_cents == 4200
    assert d.shifts_text.startswith("mon 08:00-17:00")
    assert [r for _, _, r in d.time_off] == ["vacation"]
    assert d.status.name == "Alice Ng"


def test_completed_visit_is_not_next(engine, shop):
    _move_visit(engine, shop["o2"], status="completed")
    with read_session(engine) as s:
        assert s.exec(__import__("sqlmodel").select(Visit)).first().status == "completed"
    bob = _statuses(engine)["Bob Ruiz"]
    assert (bob.status, bob.detail) == ("free", "nothing booked")
    assert bob.today.booked_minutes == 60


def test_visit_due_but_not_started_is_late(engine, shop):
    clock.freeze(datetime(2026, 11, 25, 16, 20, tzinfo=UTC))  # 10:20 local
    bob = _statuses(engine)["Bob Ruiz"]
    assert (bob.status, bob.detail) == ("free", f"late: {shop['o2']} was due 10:00")
