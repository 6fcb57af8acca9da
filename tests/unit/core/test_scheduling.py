"""Booking rules: double-booking, shifts, time off, skills, force with override event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from svcdesk.db import write_session
from svcdesk.errors import BookingRefused, InvalidInput
from svcdesk.models import OrderEvent, Technician, VisitTechnician
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm import technicians
from svcdesk.services.orders import lifecycle, scheduling


def _book(s, number, tech_ids, when, minutes=None, force=False):
    order = lifecycle.get_order(s, number)
    techs = [s.get(Technician, t) for t in tech_ids]
    return order, scheduling.book_visit(
        s, order, techs, parse_when(when, shop_zone(s)), minutes, force=force
    )


def test_book_a_qualified_free_technician(engine, shop):
    with write_session(engine) as s:
        order, visit = _book(s, shop["o1"], [shop["alice"]], "2026-11-25 13:00")
        assert order.status == "scheduled"
        assert visit.ends_at - visit.starts_at == timedelta(minutes=90)
        kinds = [e.kind for e in s.exec(select(OrderEvent).where(OrderEvent.order_id == order.id))]
        assert kinds == ["created", "status", "assigned"]


def test_double_booking_is_refused(engine, shop):
    with write_session(engine) as s:
        _book(s, shop["o1"], [shop["alice"]], "2026-11-25 13:00")
    with pytest.raises(BookingRefused, match="Alice Ng is double-booked: SO-000001 13:00-14:30"):
        with write_session(engine) as s:
            _book(s, shop["o3"], [shop["alice"]], "2026-11-25 14:00")


def test_touching_visits_do_not_overlap(engine, shop):
    with write_session(engine) as s:
        _book(s, shop["o1"], [shop["alice"]], "2026-11-25 13:00")
        _book(s, shop["o3"], [shop["alice"]], "2026-11-25 14:30")


def test_off_shift_is_refused(engine, shop):
    with (
        pytest.raises(BookingRefused, match="off shift Wed 16:30-18:00"),
        write_session(engine) as s,
    ):
        _book(s, shop["o1"], [shop["alice"]], "2026-11-25 16:30")
    with pytest.raises(BookingRefused, match="off shift"), write_session(engine) as s:
        _book(s, shop["o1"], [shop["alice"]], "2026-11-28 09:00")  # Saturday


def test_time_off_is_refused(engine, shop):
    with write_session(engine) as s:
        zone = shop_zone(s)
        tech = s.get(Technician, shop["alice"])
        technicians.add_time_off(
            s,
            tech,
            parse_when("2026-11-26 00:00", zone),
            parse_when("2026-11-27 00:00", zone),
            "doctor",
        )
    with pytest.raises(BookingRefused, match=r"time off .*\(doctor\)"), write_session(engine) as s:
        _book(s, shop["o1"], [shop["alice"]], "2026-11-26 09:00")


def test_missing_skill_is_refused_for_the_lead_only(engine, shop):
    with (
        pytest.raises(BookingRefused, match="Bob Ruiz lacks the required skill hvac"),
        write_session(engine) as s,
    ):
        _book(s, shop["o1"], [shop["bob"]], "2026-11-25 13:00")
    with write_session(engine) as s:  # Bob as helper is fine
        _, visit = _book(s, shop["o1"], [shop["alice"], shop["bob"]], "2026-11-25 13:00")
        roles = s.exec(
            select(VisitTechnician.role).where(VisitTechnician.visit_id == visit.id)
        ).all()
        assert sorted(roles) == ["helper", "lead"]


def test_all_reasons_listed_together(engine, shop):
    with pytest.raises(BookingRefused) as err, write_session(engine) as s:
        _book(s, shop["o1"], [shop["bob"]], "2026-11-25 09:30")
    assert len(err.value.reasons) == 2  # skill + double-booked with o2 at 10:00


def test_force_books_and_records_override(engine, shop):
    with write_session(engine) as s:
        order, _ = _book(s, shop["o1"], [shop["bob"]], "2026-11-25 10:00", force=True)
        ev = s.exec(select(OrderEvent).where(OrderEvent.kind == "override")).one()
        assert "lacks the required skill" in ev.detail and "double-booked" in ev.detail


def test_reschedule_ignores_its_own_visit_and_records_event(engine, shop):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o2"])
        visit = scheduling.active_visits(s, order.id)[0]
        scheduling.reschedule_visit(s, visit, visit.starts_at + timedelta(minutes=30))
        ev = s.exec(select(OrderEvent).where(OrderEvent.kind == "rescheduled")).one()
        assert "10:00" in ev.detail and "10:30" in ev.detail


def test_cancel_last_visit_returns_order_to_new(engine, shop):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o2"])
        scheduling.cancel_visit(s, scheduling.active_visits(s, order.id)[0], reason="customer away")
        assert order.status == "new"
    with write_session(engine) as s:  # the slot is free again
        _book(s, shop["o2"], [shop["bob"]], "2026-11-25 10:00")


def test_closed_orders_cannot_be_booked(engine, shop):
    with pytest.raises(InvalidInput, match="only open orders"), write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o3"])
        lifecycle.change_status(s, order, "cancelled", reason="dup")
        scheduling.book_visit(s, order, [s.get(Technician, shop["alice"])], order.created_at)
