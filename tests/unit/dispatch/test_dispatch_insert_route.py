"""Emergency insert into a running day, one technician's route, iCalendar export."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models import OrderEvent, Visit, VisitStatus
from svcdesk.services.dispatch.ics import fold, route_ics
from svcdesk.services.dispatch.insert import apply_insert, insert_emergency
from svcdesk.services.dispatch.route import route_for
from tests.unit.dispatch.dispatch_helpers import ZONE, at, booked, order, tech

WED = date(2026, 11, 25)  # today under the frozen clock (08:00)


def test_emergency_goes_first_and_pushes_later_visits(engine):
    with write_session(engine) as s:
        ann = tech(s, "Ann", km=0)
        tech(s, "Plumber", skills=("plumbing",), km=0)
        started = order(s, "on site now", km=2)
        v0 = booked(s, started, ann, at(WED, "08:00"), 60)
        v0.status = VisitStatus.ON_SITE.value
        later = order(s, "later", km=2)
        v1 = booked(s, later, ann, at(WED, "09:10"), 60)
        em = order(s, "no heat, baby at home", km=2, priority="emergency")
        ids = (v0.id, v1.id, later.number, em.number)
    with read_session(engine) as s:
        p = insert_emergency(s, s.get(type(em), em.id))
    b = p.best
    assert b.tech_name == "Ann" and p.not_possible == {"Plumber": "lacks the skill"}
    assert b.starts_at == at(WED, "09:00")  # right after the visit under way
    assert [(d.number, d.minutes) for d in b.delays] == [(ids[2], 50)]
    # the visit under way is where Ann's day continues from, not a stop to plan
    assert [s.number for s in b.route.stops] == [em.number, later.number]
    with write_session(engine) as s:
        visit = apply_insert(s, p, actor="dana")
    with read_session(engine) as s:
        got = {v.id: v for v in s.exec(select(Visit))}
        assert got[ids[0]].starts_at == at(WED, "08:00")  # under way: not moved
        assert got[ids[1]].starts_at == at(WED, "10:00")
        assert got[visit.id].starts_at == at(WED, "09:00")
        kinds = sorted(e.kind for e in s.exec(select(OrderEvent).where(OrderEvent.actor == "dana")))
        assert kinds == ["assigned", "rescheduled", "status"]


def test_insert_refuses_booked_or_unlocatable_orders(session):
    ann = tech(session, "Ann")
    o = order(session, "booked")
    booked(session, o, ann, at(WED, "10:00"))
    with pytest.raises(InvalidInput, match="already has a booked visit"):
        insert_emergency(session, o)
    lost = order(session, "lost", km=None, zip_code="00000", priority="emergency")
    with pytest.raises(InvalidInput, match="no location"):
        insert_emergency(session, lost)


def test_nobody_free_today(session):
    tech(session, "Ann", shifts="mon 08:00-17:00")
    o = order(session, "em", priority="emergency")
    p = insert_emergency(session, o)
    assert p.best is None and p.not_possible == {"Ann": "no shift"}
    with pytest.raises(InvalidInput, match="nobody can take"):
        apply_insert(session, p)


def test_route_orders_visits_within_windows(session):
    ann = tech(session, "Ann", km=0)
    far = order(session, "far", km=15)
    near = order(session, "near", km=2)
    fixed = order(session, "fixed window", km=8, window=(at(WED, "13:00"), at(WED, "14:00")))
    booked(session, far, ann, at(WED, "09:00"))
    booked(session, near, ann, at(WED, "11:00"))
    booked(session, fixed, ann, at(WED, "13:00"))
    r = route_for(session, ann, WED, 0.2)
    assert r.current_order == [far.number, near.number, fixed.number]
    assert sorted(s.number for s in r.route.stops) == sorted(r.current_order)
    assert r.route.drive_minutes < r.current_drive_minutes
    stop = {s.number: s for s in r.route.stops}[fixed.number]
    assert at(WED, "13:00") <= stop.starts_at <= at(WED, "14:00")
    ics = route_ics(r.route, WED, ZONE)
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and ics.endswith(
        "END:VCALENDAR\r\n"
    )
    assert ics.count("BEGIN:VEVENT") == 4  # three stops and lunch
    assert f"SUMMARY:{near.number} " in ics
    assert "DTSTART:2026" in ics and "\r\n " not in ics.split("LOCATION")[0]
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_route_for_a_day_off(session):
    ann = tech(session, "Ann", shifts="mon 08:00-17:00")
    with pytest.raises(InvalidInput, match="does not work on Wed 2026-11-25: no shift"):
        route_for(session, ann, WED)


def test_ics_fold_and_escape():
    line = "DESCRIPTION:" + "é" * 60
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line and all(len(p.encode()) <= 75 for p in parts)


def test_after_hours_nobody_and_the_reason(session):
    tech(session, "Ann", shifts="wed 06:00-07:30")
    o = order(session, "em", priority="emergency")
    p = insert_emergency(session, o)
    assert p.best is None and p.not_possible == {"Ann": "shift over"}
