"""schedule_view: the grid's read model and booking a slot."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.errors import BookingRefused
from svcdesk.models import OrderEvent, Visit
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm import technicians
from svcdesk.services.dispatch.schedule_view import (
    SLOT_MINUTES,
    book_slot,
    day_schedule,
    local_instant,
    unassigned_orders,
)
from svcdesk.services.orders import lifecycle, scheduling

WED = date(2026, 11, 25)


def _schedule(engine, day=WED):
    with read_session(engine) as s:
        return day_schedule(s, day)


def test_lanes_shifts_and_column_range(engine, shop):
    sched = _schedule(engine)
    assert [lane.name for lane in sched.lanes] == ["Alice Ng", "Bob Ruiz", "Cara Diaz"]
    alice = sched.lane(shop["alice"])
    assert alice.skills == ["electrical", "hvac"]
    assert [(s.start, s.end) for s in alice.shifts] == [(480, 1020)]
    # Alice/Bob 08:00-17:00, Cara 10:00-19:00: columns 08:00..19:00 in 30-minute steps.
    assert (sched.start_minute, sched.end_minute) == (480, 1140)
    assert sched.slots[:3] == [480, 510, 540] and len(sched.slots) == 22
    assert all(m % SLOT_MINUTES == 0 for m in sched.slots)


def test_visit_block_is_local_minutes(engine, shop):
    sched = _schedule(engine)
    bob = sched.lane(shop["bob"])
    (block,) = bob.visits
    assert block.number == shop["o2"]
    assert (block.start, block.end) == (600, 660)  # 10:00-11:00 Chicago
    assert block.status == "scheduled" and block.role == "lead"
    assert block.customer == "Riverside Cafe" and block.city == "Austin"
    assert bob.booked_minutes == 60 and bob.shift_minutes == 540
    assert sched.lane(shop["alice"]).visits == []


def test_other_days_weekend_and_time_off(engine, shop):
    sun = _schedule(engine, date(2026, 11, 29))
    assert all(not lane.shifts for lane in sun.lanes)
    assert (sun.start_minute, sun.end_minute) == (480, 1020)  # default hours
    assert sun.lane(shop["bob"]).visits == []
    with write_session(engine) as s:
        zone = scheduling.shop_zone(s)
        alice = technicians.find_technician(s, "Alice")
        technicians.add_time_off(
            s,
            alice,
            parse_when("2026-11-26 12:00", zone),
            parse_when("2026-11-27 09:00", zone),
            "dentist",
        )
    thu = _schedule(engine, date(2026, 11, 26))
    (off,) = thu.lane(shop["alice"]).time_off
    assert (off.start, off.end, off.reason) == (720, 1440, "dentist")
    assert thu.lane(shop["alice"]).shift_minutes == 240  # 08:00-12:00
    fri = _schedule(engine, date(2026, 11, 27))
    assert [(t.start, t.end) for t in fri.lane(shop["alice"]).time_off] == [(0, 540)]
    assert fri.lane(shop["alice"]).time_off_at(500, 530) is not None
    assert fri.lane(shop["alice"]).time_off_at(540, 570) is None


def test_cancelled_visits_are_not_drawn_and_forced_visit_widens_range(engine, shop):
    with write_session(engine) as s:
        visit = scheduling.active_visits(s, lifecycle.get_order(s, shop["o2"]).id)[0]
        scheduling.cancel_visit(s, visit, reason="customer away")
        zone = scheduling.shop_zone(s)
        order = lifecycle.get_order(s, shop["o1"])
        alice = technicians.find_technician(s, "Alice")
        scheduling.book_visit(s, order, [alice], parse_when("2026-11-25 19:30", zone), force=True)
    sched = _schedule(engine)
    assert sched.lane(shop["bob"]).visits == []
    assert sched.end_minute == 21 * 60  # 19:30 + 90 min
    assert sched.lane(shop["alice"]).visits[0].start == 19 * 60 + 30


def test_inactive_technician_with_visit_keeps_lane(engine, shop):
    from svcdesk.models import Technician

    with write_session(engine) as s:
        s.get(Technician, shop["bob"]).active = False
    names = [lane.name for lane in _schedule(engine).lanes]
    assert "Bob Ruiz" in names
    names = [lane.name for lane in _schedule(engine, date(2026, 11, 26)).lanes]
    assert "Bob Ruiz" not in names


def test_unassigned_orders_have_estimates(engine, shop):
    with read_session(engine) as s:
        rows = unassigned_orders(s)
    assert [r.number for r in rows] == [shop["o3"], shop["o1"]]  # emergency first
    assert [r.est_minutes for r in rows] == [60, 90]
    assert rows[1].skill == "hvac"


def test_local_instant_crosses_dst():
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    assert local_instant(WED, 600, zone).isoformat() == "2026-11-25T16:00:00+00:00"
    assert local_instant(date(2026, 7, 1), 600, zone).isoformat() == "2026-07-01T15:00:00+00:00"
    assert local_instant(WED, 1440, zone).isoformat() == "2026-11-26T06:00:00+00:00"


def test_book_slot_books_lead_for_estimate(engine, shop):
    with write_session(engine) as s:
        visit = book_slot(s, shop["o1"], shop["alice"], WED, 9 * 60)
        assert visit.starts_at.isoformat() == "2026-11-25T15:00:00+00:00"
        assert (visit.ends_at - visit.starts_at).total_seconds() == 90 * 60
    sched = _schedule(engine)
    assert [v.number for v in sched.lane(shop["alice"]).visits] == [shop["o1"]]
    with read_session(engine) as s:
        assert lifecycle.get_order(s, shop["o1"]).status == "scheduled"


def test_book_slot_refusals_write_nothing_and_force_records_override(engine, shop):
    with pytest.raises(BookingRefused) as err, write_session(engine) as s:
        book_slot(s, shop["o1"], shop["bob"], WED, 10 * 60)
    reasons = err.value.reasons
    assert any("lacks the required skill hvac" in r for r in reasons)
    assert any("double-booked" in r for r in reasons)
    with read_session(engine) as s:
        assert len(s.exec(select(Visit)).all()) == 1
    with write_session(engine) as s:
        book_slot(s, shop["o1"], shop["bob"], WED, 10 * 60, force=True, actor="dana")
    with read_session(engine) as s:
        kinds = [(e.kind, e.actor) for e in s.exec(select(OrderEvent).order_by(OrderEvent.id))]
    assert ("override", "dana") in kinds


def test_book_slot_off_shift(engine, shop):
    with pytest.raises(BookingRefused) as err, write_session(engine) as s:
        book_slot(s, shop["o1"], shop["cara"], WED, 8 * 60)
    assert err.value.reasons == ["Cara Diaz is off shift Wed 08:00-09:30"]
