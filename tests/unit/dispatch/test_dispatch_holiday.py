"""Shop holidays (`shop.holidays`) in dispatch: the crew is off unless the dispatcher forces
the day (docs/dispatch.md, "Shop holidays")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from svcdesk.errors import InvalidInput
from svcdesk.services.common.settings import set_setting
from svcdesk.services.dispatch.holidays import next_plan_day
from svcdesk.services.dispatch.insert import insert_emergency
from svcdesk.services.dispatch.plan import diff, plan_day
from svcdesk.services.dispatch.problem import build_day
from svcdesk.services.dispatch.route import route_for
from svcdesk.services.dispatch.schedule_view import day_schedule
from svcdesk.services.dispatch.suggest import Span, suggest
from tests.unit.dispatch.dispatch_helpers import THU, at, booked, order, tech

WED = THU - timedelta(days=1)
LIMIT = 0.1


def holidays(session, *days: date) -> None:
    set_setting(session, "shop.holidays", ",".join(d.isoformat() for d in days))


def test_day_problem_on_a_holiday_has_everyone_off(session):
    ann = tech(session, "Ann")
    promised = order(session, "promised", window=(at(THU, "09:00"), at(THU, "12:00")))
    order(session, "backlog")
    holidays(session, THU)
    ctx = build_day(session, THU)
    assert ctx.holiday == "off" and ctx.problem.techs == [] and ctx.problem.jobs == []
    assert ctx.not_working[ann.id].startswith("shop holiday Thu 2026-11-26 (shop.holidays)")
    # the promised order says why; the backlog simply waits for a working day
    assert [(i.number, r[:12]) for i, r in ctx.unplannable] == [(promised.number, "shop holiday")]
    forced = build_day(session, THU, holiday_ok=True)
    assert forced.holiday == "worked" and [t.id for t in forced.problem.techs] == [f"T{ann.id}"]
    assert len(forced.problem.jobs) == 2


def test_plan_on_a_holiday_plans_nobody_and_keeps_bookings_unless_forced(session):
    ann = tech(session, "Ann")
    kept = order(session, "booked before the holiday was set")
    visit = booked(session, kept, ann, at(THU, "10:00"))
    new = order(session, "promised", window=(at(THU, "09:00"), at(THU, "12:00")))
    holidays(session, THU)
    p = plan_day(session, THU, LIMIT)
    assert p.holiday == "off" and p.routes == [] and p.violations == []
    changes = {c.number: c for c in diff(p, day_schedule(session, THU))}
    assert changes[kept.number].kind == "keep"
    assert changes[kept.number].reason == "shop holiday: left as booked"
    assert changes[new.number].kind == "unplanned"
    assert "technicians are off" in changes[new.number].reason
    assert visit.starts_at == at(THU, "10:00")
    forced = plan_day(session, THU, LIMIT, force=True)
    assert forced.holiday == "worked" and forced.violations == []
    assert {s.number for _, s in forced.stops} == {kept.number, new.number}


def test_suggest_skips_a_holiday_and_says_why(session):
    tech(session, "Ann")
    o = order(session, "fix it")
    holidays(session, THU)
    (s,) = suggest(session, o, THU)
    assert not s.eligible
    assert s.why_not == [
        "shop holiday Thu 2026-11-26 (shop.holidays): technicians are off; force to work it"
    ]
    # a span over the holiday and the next day: the next day is offered
    (s,) = suggest(session, o, window=Span(at(THU, "08:00"), at(THU, "17:00") + timedelta(1)))
    assert s.eligible and s.starts_at.date() == date(2026, 11, 27)
    (s,) = suggest(session, o, THU, force=True)
    assert s.eligible and s.starts_at.date() == THU


def test_insert_on_a_holiday_finds_everyone_off_unless_forced(session):
    tech(session, "Ann")
    em = order(session, "burst pipe", priority="emergency")
    holidays(session, WED)  # today
    p = insert_emergency(session, em)
    assert p.best is None
    assert p.not_possible["Ann"].startswith("shop holiday Wed 2026-11-25")
    p = insert_emergency(session, em, force=True)
    assert p.best is not None and p.best.tech_name == "Ann"


def test_route_on_a_holiday_is_a_day_off_unless_forced(session):
    ann = tech(session, "Ann")
    booked(session, order(session, "x"), ann, at(THU, "10:00"))
    holidays(session, THU)
    with pytest.raises(InvalidInput, match="Ann does not work on Thu 2026-11-26: shop holiday"):
        route_for(session, ann, THU, LIMIT)
    assert len(route_for(session, ann, THU, LIMIT, force=True).route.stops) == 1


def test_next_plan_day_skips_holidays(session):
    holidays(session, THU, THU + timedelta(days=1))
    assert next_plan_day(session, WED) == date(2026, 11, 28)
    holidays(session)
    assert next_plan_day(session, WED) == THU
