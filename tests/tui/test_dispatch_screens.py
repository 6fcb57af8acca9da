"""Smart dispatch in the console: suggestion panel (`a` on the board), emergency insert
(`E`), day plan diff (`D` on the schedule grid, `A` applies). Pilot tests + snapshots."""

from __future__ import annotations

import pytest
from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models import Visit
from svcdesk.services.common.settings import set_setting
from svcdesk.services.orders import lifecycle, scheduling
from svcdesk.tui.screens.dayplan import DayPlanScreen
from svcdesk.tui.screens.emergency import InsertModal
from svcdesk.tui.screens.suggest import SuggestModal
from tests.tui.helpers import SIZE, console_app, press, run_app, settle, table_keys
from tests.unit.dispatch.dispatch_helpers import (  # noqa: F401
    full_day,
    order,
    thursday_is_a_working_day,
)

# Thursday 2026-11-26 (tomorrow) is Thanksgiving in the default shop.holidays; the plan
# tests below plan it as a working day (`working`); the holiday itself: test_holiday_*.
working = pytest.mark.usefixtures("thursday_is_a_working_day")


def crew(engine, number):
    with read_session(engine) as s:
        order = lifecycle.get_order(s, number)
        return [
            (v.starts_at.isoformat(), [t.name for t in scheduling.visit_technicians(s, v.id)])
            for v in scheduling.active_visits(s, order.id)
        ]


def fast_plans(engine):
    with write_session(engine) as s:
        set_setting(s, "dispatch.time_limit", "0.2")


def text(app, selector):
    return str(app.screen.query_one(selector).render())


async def to_order(app, pilot, number):
    keys = table_keys(app)
    for _ in range(keys.index(number)):
        await pilot.press("j")
    await settle(pilot)


async def test_a_opens_suggestions_and_1_books_the_first(engine, shop):
    async with run_app(engine) as (app, pilot):
        await to_order(app, pilot, shop["o1"])
        await press(pilot, "a")
        assert isinstance(app.screen, SuggestModal)
        assert table_keys(app, "#suggestions") == [
            str(shop["alice"]),
            str(shop["cara"]),
            str(shop["bob"]),
        ]
        assert "Alice Ng: has the skill" in text(app, "#why")
        await press(pilot, "1")
        assert not isinstance(app.screen, SuggestModal)
        assert crew(engine, shop["o1"]) == [("2026-11-25T14:10:00+00:00", ["Alice Ng"])]
        assert any("booked: Alice Ng" in n.message for n in app._notifications)


async def test_enter_on_a_technician_who_cannot_says_why_then_books_another(engine, shop):
    async with run_app(engine) as (app, pilot):
        await to_order(app, pilot, shop["o1"])
        await press(pilot, "a", "j", "j")  # Bob: no hvac
        assert "cannot: at Wed 08:00: Bob Ruiz lacks the required skill hvac" in text(app, "#why")
        await press(pilot, "enter")
        assert isinstance(app.screen, SuggestModal)
        assert "Bob Ruiz cannot take it" in text(app, "#error")
        assert crew(engine, shop["o1"]) == []
        await press(pilot, "k", "enter")  # Cara
        assert crew(engine, shop["o1"]) == [("2026-11-25T16:10:00+00:00", ["Cara Diaz"])]


async def test_m_falls_back_to_the_manual_assign_dialog(engine, shop):
    from svcdesk.tui.order_actions import AssignModal

    async with run_app(engine) as (app, pilot):
        await press(pilot, "a", "m")
        assert isinstance(app.screen, AssignModal)
        await press(pilot, "escape", "A")  # and A on the board opens it directly
        assert isinstance(app.screen, AssignModal)


async def test_e_inserts_an_emergency_into_today(engine, shop):
    async with run_app(engine) as (app, pilot):
        await to_order(app, pilot, shop["o3"])
        await press(pilot, "E")
        assert isinstance(app.screen, InsertModal)
        assert table_keys(app, "#options") == ["0"]
        assert "Bob Ruiz: lacks the skill" in text(app, "#insert-detail")
        await press(pilot, "enter")
        assert not isinstance(app.screen, InsertModal)
        assert [c for _, c in crew(engine, shop["o3"])] == [["Alice Ng"]]


@working
async def test_plan_view_shows_the_diff_and_A_applies(engine, shop):
    fast_plans(engine)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "g", "right_square_bracket", "D")
        assert isinstance(app.screen, DayPlanScreen)
        await settle(pilot, 6)
        screen = app.screen
        kinds = sorted((c.kind, c.number) for c in screen.changes.values())
        assert kinds == [("book", shop["o1"]), ("book", shop["o3"])]
        assert "Thursday 2026-11-26" in text(app, "#plan-head")
        assert "2 to book" in text(app, "#plan-head")
        await press(pilot, "A")
        await settle(pilot, 6)
        with read_session(engine) as s:
            assert len(s.exec(select(Visit)).all()) == 3
        assert {c.kind for c in app.screen.changes.values()} == {"keep"}
        await press(pilot, "A")
        assert any("nothing to apply" in n.message for n in app._notifications)
        await press(pilot, "escape")
        assert not isinstance(app.screen, DayPlanScreen)


async def test_plan_view_marks_a_stale_plan(engine, shop):
    fast_plans(engine)
    async with run_app(engine) as (app, pilot):
        app.push_screen(DayPlanScreen(__import__("datetime").date(2026, 11, 26)))
        await settle(pilot, 6)
        with write_session(engine) as s:
            o = lifecycle.get_order(s, shop["o1"])
            o.summary = "changed elsewhere"
        app.poll_changes()
        await settle(pilot)
        assert "schedule changed since" in text(app, "#plan-head")


def test_suggestion_panel_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "a")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


@working
def test_day_plan_snapshot(engine, shop, snap_compare):
    fast_plans(engine)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("g", "right_square_bracket", "D")
        await settle(pilot, 6)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


async def test_holiday_plan_view_says_the_crew_is_off_and_f_works_it(engine, shop):
    # default settings: Thursday 2026-11-26 is a shop holiday
    fast_plans(engine)
    async with run_app(engine) as (app, pilot):
        app.push_screen(DayPlanScreen(__import__("datetime").date(2026, 11, 26)))
        await settle(pilot, 6)
        assert "shop holiday: technicians off" in text(app, "#plan-head")
        assert app.screen.proposal.routes == []
        assert not any(c.kind == "book" for c in app.screen.changes.values())
        await press(pilot, "f")
        await settle(pilot, 6)
        assert "shop holiday worked" in text(app, "#plan-head")
        booked = sorted(c.number for c in app.screen.changes.values() if c.kind == "book")
        assert booked == sorted([shop["o1"], shop["o3"]])


async def test_holiday_palette_plans_the_next_working_day(engine, shop):
    from svcdesk.tui.screens.dayplan import tomorrow

    with read_session(engine) as s:
        assert str(tomorrow(s)) == "2026-11-27"  # Thanksgiving skipped
    async with run_app(engine) as (app, pilot):
        app.action_command("plan-tomorrow")  # the day is found with the plan, in a worker
        await settle(pilot, 6)
        assert isinstance(app.screen, DayPlanScreen)
        assert str(app.screen.day) == "2026-11-27"


async def test_holiday_emergency_insert_lists_everyone_off_and_f_calls_them_in(engine, shop):
    with write_session(engine) as s:
        set_setting(s, "shop.holidays", "2026-11-25")  # today
    async with run_app(engine) as (app, pilot):
        await to_order(app, pilot, shop["o3"])
        await press(pilot, "E")
        assert table_keys(app, "#options") == []
        detail = text(app, "#insert-detail")
        assert "Shop holiday: f calls the crew in" in detail
        assert "Alice Ng: shop holiday Wed 2026-11-25" in detail
        await press(pilot, "f")
        await settle(pilot)
        assert table_keys(app, "#options") == ["0"]
        await press(pilot, "enter")
        assert [c for _, c in crew(engine, shop["o3"])] == [["Alice Ng"]]


async def test_emergency_insert_on_a_full_day_shows_the_bump_and_asks_first(engine):
    """Ann's day is full and nobody else has HVAC: the only option bumps her low visit back
    to the board. The first enter asks (nothing written), the second books and bumps."""
    with write_session(engine) as s:
        low_number, v_low = full_day(s, with_bob=False)
        number = order(s, "gas smell", km=2, priority="emergency", minutes=60).number
    async with run_app(engine) as (app, pilot):
        await to_order(app, pilot, number)
        await press(pilot, "E")
        assert isinstance(app.screen, InsertModal)
        assert table_keys(app, "#options") == ["0"]
        row = app.screen.query_one("#options").get_row("0")
        assert row[0] == "Ann" and f"bumps {low_number} (low) back to the board" in row[3]
        assert "Nobody has room: every option bumps visits" in text(app, "#insert-detail")
        await press(pilot, "enter")
        assert isinstance(app.screen, InsertModal)
        question = text(app, "#insert-confirm")
        assert f"with Ann bumps {low_number} (low) back to the board" in question
        assert "enter again to book and bump" in question
        assert crew(engine, number) == []
        with read_session(engine) as s:
            assert s.get(Visit, v_low).status == "scheduled"
        await press(pilot, "enter")
        assert not isinstance(app.screen, InsertModal)
        assert [c for _, c in crew(engine, number)] == [["Ann"]]
        with read_session(engine) as s:
            assert s.get(Visit, v_low).status == "cancelled"
        assert any(f"bumped {low_number} (low) back to the board" in n.message
                   for n in app._notifications)  # fmt: skip
