"""Technician suggestions: ranking, the proposed start, why and why not, booking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from svcdesk import clock
from svcdesk.errors import InvalidInput
from svcdesk.models import VisitStatus
from svcdesk.services.crm import technicians
from svcdesk.services.dispatch.suggest import best, book, explain, suggest
from svcdesk.services.orders import scheduling
from tests.unit.dispatch.dispatch_helpers import THU, ZONE, at, booked, order, tech


def by_name(ranked):
    return {s.tech_name: s for s in ranked}


def test_nearest_free_qualified_first_and_why_not_per_rule(session):
    near = tech(session, "Near", km=4)
    tech(session, "Far", km=30)
    tech(session, "Plumber", skills=("plumbing",), km=5)
    off = tech(session, "Away", km=5)
    technicians.add_time_off(session, off, at(THU, "00:00"), at(THU, "23:59"), "vacation")
    o = order(session, "no heat", km=5)
    ranked = suggest(session, o, THU)
    assert [s.tech_name for s in ranked][:2] == ["Near", "Far"]
    assert [s.rank for s in ranked] == [1, 2, 3, 4]
    first = ranked[0]
    assert first.eligible and first.tech_id == near.id
    assert first.travel_minutes == 2 and first.travel_from == "home"
    assert first.starts_at == at(THU, "08:05")  # 08:00 + 2 min drive, on a 5-minute mark
    assert ranked[1].travel_minutes > 30
    names = by_name(ranked)
    assert not names["Plumber"].eligible
    assert names["Plumber"].why_not == ["at Thu 08:00: Plumber lacks the required skill hvac"]
    away = names["Away"].why_not
    assert any("time off" in r and "vacation" in r for r in away)
    assert all("lacks" not in r for r in away)
    assert explain(first, ZONE) == "start Thu 08:05 · 2 min from home · load 0.0/9.0h"


def test_proposed_start_after_booked_visit_with_travel(session):
    ann = tech(session, "Ann", km=0)
    busy = order(session, "busy", km=10, minutes=120)
    booked(session, busy, ann, at(THU, "08:00"), 120)
    o = order(session, "next", km=12)
    s = by_name(suggest(session, o, THU))["Ann"]
    assert s.travel_from == busy.number
    assert s.starts_at >= at(THU, "10:00") + timedelta(minutes=s.travel_minutes)
    assert s.load_minutes == 120 and s.shift_minutes == 540
    assert not scheduling.booking_problems(session, o, ann, s.starts_at, s.ends_at)


def test_history_with_customer_breaks_a_tie(session):
    a = tech(session, "Ann", km=0)
    tech(session, "Abe", km=0)
    past = order(session, "last month", km=5, customer="Jane Porter")
    with clock.at(at(THU, "08:00") - timedelta(days=9)):
        v = booked(session, past, a, at(THU, "10:00") - timedelta(days=8))
    v.status = VisitStatus.COMPLETED.value
    o = order(session, "again", km=5, same_site_as=past)
    ranked = suggest(session, o, THU)
    assert ranked[0].tech_name == "Ann" and ranked[0].history_customer == 1
    assert ranked[1].history_customer == 0


def test_overtime_risk_and_no_room(session):
    ann = tech(session, "Ann", km=0, shifts="thu 08:00-10:00")
    o = order(session, "long", km=20, minutes=100)
    s = suggest(session, o, THU)[0]
    assert not s.eligible
    assert s.why_not  # no slot leaves room for the drive and the job
    o2 = order(session, "short", km=20, minutes=60)
    s2 = suggest(session, o2, THU)[0]
    assert s2.eligible and s2.overtime_risk
    assert s2.tech_id == ann.id


def test_book_first_and_refuse_when_nobody(session):
    tech(session, "Ann")
    o = order(session, "book me")
    ranked = suggest(session, o, THU)
    visit = book(session, o, best(ranked), actor="dana")
    assert visit.starts_at == ranked[0].starts_at
    assert o.status == "scheduled"
    # A second suggestion for the same order moves its visit rather than booking another.
    again = suggest(session, o, THU.replace(day=27))
    moved = book(session, o, best(again))
    assert moved.id == visit.id and len(scheduling.active_visits(session, o.id)) == 1
    technicians.ensure_skill(session, "plumbing")
    nobody = order(session, "plumbing", skill="plumbing")
    ranked = suggest(session, nobody, THU)
    assert best(ranked) is None
    with pytest.raises(InvalidInput, match="cannot take"):
        book(session, nobody, ranked[0])
