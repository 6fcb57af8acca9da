"""The schedule grid is built in the background once the board is up (`prebuild_modes`):
the first `g` shows it with its data at once, and changes made meanwhile still show."""

from __future__ import annotations

from datetime import date

from svcdesk.db import write_session
from svcdesk.services.dispatch.schedule_view import book_slot
from svcdesk.tui.screens.board import BoardScreen
from svcdesk.tui.screens.schedule import ScheduleScreen
from svcdesk.tui.widgets.schedule_grid import ScheduleGrid
from tests.tui.helpers import press, run_app, settle, table_keys


async def prebuilt_grid(app, pilot) -> ScheduleScreen:
    for _ in range(50):  # discovery runs in a thread; then the grid is built and loads
        await settle(pilot)
        screen = app.built_screen("schedule")
        if screen and screen.query(ScheduleGrid) and screen.schedule is not None:
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the schedule screen was not built in the background")


async def test_grid_is_built_while_the_board_is_in_view(engine, shop):
    async with run_app(engine, prebuild=("schedule",)) as (app, pilot):
        screen = await prebuilt_grid(app, pilot)
        assert isinstance(app.screen, BoardScreen)  # still on the board
        # no CSS pass on `g` (Textual internals: this fails first if they change)
        assert screen._css_update_count == app._css_update_count
        assert app.screen.query_one("#orders").has_focus
        assert [lane.name for lane in screen.schedule.lanes] == [
            "Alice Ng",
            "Bob Ruiz",
            "Cara Diaz",
        ]
        await pilot.press("g")  # no waiting for workers: the data is there
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one(ScheduleGrid).schedule.day == date(2026, 11, 25)
        assert table_keys(app, "#unassigned") == [shop["o3"], shop["o1"]]


async def test_prebuilt_grid_shows_changes_made_before_it_is_opened(engine, shop):
    async with run_app(engine, prebuild=("schedule",)) as (app, pilot):
        await prebuilt_grid(app, pilot)
        with write_session(engine) as s:  # another console books o1 while we're on the board
            book_slot(s, shop["o1"], shop["cara"], date(2026, 11, 25), 10 * 60)
        app.poll_changes()
        await press(pilot, "g")
        assert table_keys(app, "#unassigned") == [shop["o3"]]
        lanes = {lane.name: lane for lane in app.screen.schedule.lanes}
        assert [v.number for v in lanes["Cara Diaz"].visits] == [shop["o1"]]
