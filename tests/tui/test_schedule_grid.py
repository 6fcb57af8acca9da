"""Schedule grid (`g`): rendering, cursor, days, live slot check, booking, refusals, force."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import OrderEvent, Visit
from svcdesk.services.orders import lifecycle, scheduling
from svcdesk.tui.screens.schedule import ScheduleScreen
from svcdesk.tui.widgets.schedule_grid import ScheduleGrid
from tests.tui.helpers import press, run_app, table_keys


def grid(app) -> ScheduleGrid:
    return app.screen.query_one(ScheduleGrid)


def line(app, y: int) -> str:
    return grid(app).render_line(y).text


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def visits(engine):
    with read_session(engine) as s:
        return s.exec(select(Visit)).all()


def events(engine, number):
    with read_session(engine) as s:
        order = lifecycle.get_order(s, number)
        return [
            (e.kind, e.actor, e.detail)
            for e in s.exec(select(OrderEvent).where(OrderEvent.order_id == order.id))
        ]


async def test_g_shows_grid_with_visits_and_shading(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "g")
        assert isinstance(app.screen, ScheduleScreen)
        g = grid(app)
        assert [lane.name for lane in g.schedule.lanes] == ["Alice Ng", "Bob Ruiz", "Cara Diaz"]
        assert g.schedule.day == date(2026, 11, 25)
        header = line(app, 0)
        assert header.startswith("Wed 11/25") and "08" in header and "18" in header
        bob = line(app, 2)
        assert bob.startswith("Bob Ruiz") and "Rive…" in bob and "#2" not in bob
        cara = line(app, 3)
        assert "░" in cara  # 08:00-10:00 is outside Cara's shift
        # The cursor starts at now (08:00) on the first technician.
        assert (g.current_lane.name, g.current_minute) == ("Alice Ng", 480)
        assert table_keys(app, "#unassigned") == [shop["o3"], shop["o1"]]
        assert "Wednesday 2026-11-25 (today)" in text(app, "#sched-day")


async def test_cursor_keys_click_and_days(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "g", "j", "l", "l", "l", "l")
        g = grid(app)
        assert (g.current_lane.name, g.current_minute) == ("Bob Ruiz", 600)
        assert g.current_cell.visit.number == shop["o2"]
        assert shop["o2"] in text(app, "#sched-status")
        await press(pilot, "k", "h", "home")
        assert (g.current_lane.name, g.current_minute) == ("Alice Ng", 480)
        await press(pilot, "end")
        assert g.current_minute == 18 * 60 + 30
        # A click on Cara's row, third column, moves the cursor there.
        cw = g.cell_width
        await pilot.click(ScheduleGrid, offset=(15 + 2 * cw + 1, 3))
        await press(pilot)
        assert (g.current_lane.name, g.current_minute) == ("Cara Diaz", 540)
        await press(pilot, "right_square_bracket")
        assert g.schedule.day == date(2026, 11, 26)
        assert (g.current_lane.name, g.current_minute) == ("Cara Diaz", 540)  # kept
        await press(pilot, "left_square_bracket", "left_square_bracket")
        assert g.schedule.day == date(2026, 11, 24)
        await press(pilot, "full_stop")
        assert g.schedule.day == date(2026, 11, 25)


async def test_enter_on_visit_opens_order(engine, shop):
    from svcdesk.tui.screens.order import OrderScreen

    async with run_app(engine) as (app, pilot):
        await press(pilot, "g", "j", *["l"] * 4, "enter")
        assert isinstance(app.screen, OrderScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ScheduleScreen)


async def test_book_selected_order_with_a(engine, shop):
    async with run_app(engine) as (app, pilot):
        # o3 (emergency electrical, 60 min) is first in the list; Alice has electrical.
        await press(pilot, "g", "l", "l")
        assert "bookable — press a" in text(app, "#sched-check")
        await press(pilot, "a")
        (visit,) = [v for v in visits(engine) if v.order_id != 2]
        assert visit.starts_at.isoformat() == "2026-11-25T15:00:00+00:00"
        assert (visit.ends_at - visit.starts_at).total_seconds() == 3600
        with read_session(engine) as s:
            order = lifecycle.get_order(s, shop["o3"])
            assert order.status == "scheduled"
            assert [t.name for t in scheduling.visit_technicians(s, visit.id)] == ["Alice Ng"]
        assert "Jane" in line(app, 1)  # drawn on Alice's row, labelled by its customer
        assert table_keys(app, "#unassigned") == [shop["o1"]]


async def test_refusal_shows_reasons_and_writes_nothing(engine, shop):
    async with run_app(engine) as (app, pilot):
        # Pick o1 (hvac, 90 min), put the cursor on Bob at 10:00 (plumber, booked).
        await press(pilot, "g", "tab", "j", "tab", "j", *["l"] * 4)
        assert app.screen.selected_order().number == shop["o1"]
        check = text(app, "#sched-check")
        assert "lacks the required skill hvac" in check and "double-booked" in check
        before = events(engine, shop["o1"])
        await press(pilot, "a")
        assert len(visits(engine)) == 1
        assert events(engine, shop["o1"]) == before
        notes = [n.message for n in app._notifications]
        assert any("double-booked" in m and "lacks the required skill" in m for m in notes)


async def test_off_shift_refused_then_forced_with_override(engine, shop):
    async with run_app(engine, actor="dana") as (app, pilot):
        await press(pilot, "g", "tab", "j", "tab", "j", "j")  # o1, Cara at 08:00
        assert "off shift" in text(app, "#sched-check")
        await press(pilot, "a")
        assert len(visits(engine)) == 1
        await press(pilot, "exclamation_mark")
        assert len(visits(engine)) == 2
        kinds = [(k, a) for k, a, _ in events(engine, shop["o1"])]
        assert ("override", "dana") in kinds and ("assigned", "dana") in kinds
        override = [d for k, _, d in events(engine, shop["o1"]) if k == "override"][0]
        assert "Cara Diaz is off shift" in override
        assert "Jane" in line(app, 3)
        assert table_keys(app, "#unassigned") == [shop["o3"]]


async def test_book_without_selection_warns(engine, shop):
    with read_session(engine):
        pass
    async with run_app(engine) as (app, pilot):
        await press(pilot, "g", "tab", "j", "tab")
        app.screen.orders.clear()  # as if the list were empty
        app.screen.query_one("#unassigned").clear()
        await press(pilot, "a")
        assert any("Pick an unassigned order" in n.message for n in app._notifications)
        assert len(visits(engine)) == 1


async def test_booking_a_changed_order_is_a_conflict(engine, shop):
    from svcdesk.db import write_session

    async with run_app(engine) as (app, pilot):
        await press(pilot, "g", "l", "l")  # o3 picked, Alice 09:00
        with write_session(engine) as s:  # someone else edits o3 meanwhile
            lifecycle.touch(s, lifecycle.get_order(s, shop["o3"]), summary="Breaker (updated)")
        await press(pilot, "a")
        assert len(visits(engine)) == 1
        assert any("changed by someone else" in n.message for n in app._notifications)
        await press(pilot, "a")  # the list was reloaded with the new version: books now
        assert len(visits(engine)) == 2


async def test_another_process_booking_appears_on_the_grid(engine, shop):
    from svcdesk.db import write_session
    from svcdesk.services.dispatch.schedule_view import book_slot

    async with run_app(engine) as (app, pilot):
        await press(pilot, "g", "j", "j", "l", "l", "l", "l")  # cursor on Cara 10:00
        assert table_keys(app, "#unassigned") == [shop["o3"], shop["o1"]]
        with write_session(engine) as s:
            book_slot(s, shop["o1"], shop["cara"], date(2026, 11, 25), 10 * 60)
        app.poll_changes()  # what the 1 s timer does
        await press(pilot)
        assert table_keys(app, "#unassigned") == [shop["o3"]]
        assert grid(app).current_cell.visit.number == shop["o1"]  # cursor kept on Cara 10:00
        assert (grid(app).current_lane.name, grid(app).current_minute) == ("Cara Diaz", 600)


async def test_empty_shop_grid_and_help(engine):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "g", "j", "l", "a")
        assert grid(app).schedule.lanes == []
        assert "no technicians" in text(app, "#sched-status")
        assert any("Pick an unassigned order" in n.message for n in app._notifications)
        await press(pilot, "question_mark")
        help_text = str(app.screen.query_one("#help-text").render())
        assert "Book here" in help_text and "Force book" in help_text and "Next day" in help_text


async def test_click_picks_an_unassigned_order(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "g")
        assert app.screen.selected_order().number == shop["o3"]
        await pilot.click("#unassigned", offset=(3, 2))  # second data row
        await press(pilot)
        assert app.screen.selected_order().number == shop["o1"]


async def test_check_line_warns_of_a_booking_past_the_sla_due_time(engine, shop):
    async with run_app(engine) as (app, pilot):
        # o3 (emergency) is selected; its response is due 12:00. Alice at 11:00: in time.
        await press(pilot, "g", *["l"] * 6)
        check = text(app, "#sched-check")
        assert "bookable — press a" in check and "SLA" not in check
        await press(pilot, "l", "l", "l")  # 12:30: bookable, but after the due time
        check = text(app, "#sched-check")
        assert "bookable — press a" in check
        assert "late for the SLA: after the SLA response due Wed 12:00 by 30m" in check


@pytest.mark.parametrize("size", [(100, 30), (160, 48)])
async def test_the_whole_shop_day_shows_at_any_width(engine, shop, size):
    async with run_app(engine, size=size) as (app, pilot):
        await press(pilot, "g")
        g = grid(app)
        assert app.screen.has_class("-narrow") == (size[0] < 130)
        slots = len(g.schedule.slots)
        assert 15 + slots * g.cell_width <= g.size.width  # no slot cut off
        assert "18" in line(app, 0)  # the last hour of the day is on the header
        assert all("#" not in line(app, y) for y in range(1, 4))  # labels are customers
