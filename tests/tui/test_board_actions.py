"""Board shortcuts that act on the selected order, and small console commands."""

from __future__ import annotations

from svcdesk.db import read_session
from svcdesk.services.orders import lifecycle
from svcdesk.tui import registry
from svcdesk.tui.palette import SvcDeskCommands
from svcdesk.tui.screens.board import BoardScreen
from tests.tui.helpers import press, run_app, table_keys


def status_of(engine, number):
    with read_session(engine) as s:
        return lifecycle.get_order(s, number).status


async def test_status_from_the_board(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "j", "j", "s")  # o2 (scheduled)
        await press(pilot, "enter")  # -> dispatched
        assert isinstance(app.screen, BoardScreen)
        assert status_of(engine, shop["o2"]) == "dispatched"
        row = [str(c) for c in app.screen.query_one("#orders").get_row(shop["o2"])]
        assert "dispatched" in row
        assert app.screen.query_one("#orders").current_key == shop["o2"]


async def test_assign_from_the_board_needs_a_technician(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "A")  # o3, nobody chosen (manual assign; `a` = suggestions)
        app.screen.query_one("#start").value = "today 13:00"
        await press(pilot, "ctrl+s")
        assert "technician: choose a technician" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#tech").value = shop["alice"]
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, BoardScreen)
        assert status_of(engine, shop["o3"]) == "scheduled"
        assert "Alice Ng" in [str(c) for c in app.screen.query_one("#orders").get_row(shop["o3"])]


async def test_escape_leaves_the_filter_box_and_keeps_the_filter(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "slash", *"cafe", "escape")
        assert app.screen.query_one("#orders").has_focus
        assert table_keys(app) == [shop["o2"]]
        await press(pilot, "x")
        assert app.screen.query_one("#filter").value == ""
        assert len(table_keys(app)) == 3


async def test_hold_from_board_on_empty_board_says_so(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "slash", *"zzzz", "enter", "h")
        assert isinstance(app.screen, BoardScreen)
        assert any("no order selected" in n.message for n in app._notifications)


async def test_theme_command_toggles_light_and_dark(engine, shop):
    async with run_app(engine) as (app, pilot):
        registry.COMMANDS["theme"].run(app)
        assert app.theme == "textual-light"
        registry.COMMANDS["theme"].run(app)
        assert app.theme == "textual-dark"


async def test_palette_lists_every_screen_and_command(engine, shop):
    async with run_app(engine) as (app, pilot):
        provider = SvcDeskCommands(app.screen)
        titles = [title for title, _, _ in provider._static()]
        for entry in registry.screens():
            assert f"go: {entry.title}" in titles
        assert "do: New order" in titles
