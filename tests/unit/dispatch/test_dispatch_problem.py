"""The shop day as a routing problem: shifts, time off, locks, windows, locations, lunch."""

from __future__ import annotations

import pytest

from svcdesk.errors import InvalidInput
from svcdesk.routing import LunchBreak
from svcdesk.services.common.settings import set_setting
from svcdesk.services.crm import technicians
from svcdesk.services.dispatch.problem import build_day
from svcdesk.services.dispatch.settings import parse_lunch
from tests.unit.dispatch.dispatch_helpers import THU, at, booked, order, tech


def test_parse_lunch():
    assert parse_lunch("12:00-13:00/30") == LunchBreak(720, 780, 30)
    assert parse_lunch("") is None and parse_lunch("none") is None
    with pytest.raises(InvalidInput, match="dispatch.lunch"):
        parse_lunch("noon")
    with pytest.raises(InvalidInput, match="ends before"):
        parse_lunch("13:00-12:00/30")


def test_day_problem_shifts_time_off_locks_and_windows(session):
    ann = tech(session, "Ann")
    ben = tech(session, "Ben", shifts="tue-sat 10:00-19:00")
    tech(session, "Off", shifts="sat 08:00-12:00")
    technicians.add_time_off(session, ben, at(THU, "15:00"), at(THU, "19:00"), "dentist")
    done = order(session, "booked")
    visit = booked(session, done, ann, at(THU, "09:00"), 60)
    win = order(session, "windowed", window=(at(THU, "13:00"), at(THU, "15:00")))
    later = order(
        session,
        "next week",
        window=(at(THU, "00:00").replace(day=30), at(THU, "23:00").replace(day=30)),
    )
    backlog = order(session, "backlog", priority="high")
    nowhere = order(session, "nowhere", km=None, zip_code="00000")
    set_setting(session, "dispatch.lunch", "11:30-12:30/45")

    ctx = build_day(session, THU)
    techs = {ctx.techs[t.id].name: t for t in ctx.problem.techs}
    assert set(techs) == {"Ann", "Ben"}
    assert ctx.not_working[[k for k, v in ctx.not_working.items()][0]] == "no shift"
    assert (techs["Ann"].shift_start, techs["Ann"].shift_end) == (480, 1020)
    assert (techs["Ben"].shift_start, techs["Ben"].shift_end) == (600, 900)  # time off 15-19
    assert techs["Ann"].lunch == LunchBreak(690, 750, 45)
    jobs = {ctx.jobs[j.id].number: j for j in ctx.problem.jobs}
    assert jobs[done.number].locked_tech == techs["Ann"].id
    assert jobs[done.number].locked_start == 540
    assert ctx.jobs[jobs[done.number].id].visit_id == visit.id
    assert (jobs[win.number].window_start, jobs[win.number].window_end) == (780, 900)
    assert jobs[backlog.number].window_start is None and jobs[backlog.number].priority == "high"
    assert later.number not in jobs
    assert [(i.number, r.split(" (")[0]) for i, r in ctx.unplannable] == [
        (nowhere.number, "no location")
    ]


def test_reoptimize_unlocks_only_scheduled_single_tech_visits(session):
    ann = tech(session, "Ann")
    a = order(session, "a")
    b = order(session, "b")
    va = booked(session, a, ann, at(THU, "09:00"))
    vb = booked(session, b, ann, at(THU, "11:00"))
    vb.status = "dispatched"
    session.flush()
    ctx = build_day(session, THU, reoptimize=True)
    by_visit = {ctx.jobs[j.id].visit_id: j for j in ctx.problem.jobs if ctx.jobs[j.id].visit_id}
    assert by_visit[va.id].locked_tech is None and by_visit[va.id].skills == {"hvac"}
    assert by_visit[vb.id].locked_start == 660


def test_visit_straddling_the_shift_start_moves_it(session):
    ann = tech(session, "Ann")
    early = order(session, "early", km=8)
    booked(session, early, ann, at(THU, "07:00"), 120, force=True)  # forced outside the shift
    ctx = build_day(session, THU)
    t = ctx.problem.techs[0]
    assert t.shift_start == 540 and t.start_location.lat != t.end_location.lat
    assert [j for j in ctx.problem.jobs if j.locked] == []


def test_today_nothing_new_before_now(session):
    tech(session, "Ann")
    o = order(session, "today")
    ctx = build_day(session, THU.replace(day=25))
    assert ctx.now_minute == 480
    assert ctx.problem.job(o.number).window_start == 480
