"""Job board: rows, counters, SLA colours, filter-as-you-type, quick filters, open."""

from __future__ import annotations

from svcdesk.db import read_session
from svcdesk.services.orders import lifecycle
from svcdesk.tui.screens.board import BoardScreen
from svcdesk.tui.screens.order import OrderScreen
from tests.tui.helpers import press, run_app, table_keys


async def test_board_lists_open_orders_by_priority(engine, shop):
    async with run_app(engine) as (app, pilot):
        assert isinstance(app.screen, BoardScreen)
        assert table_keys(app) == [shop["o3"], shop["o1"], shop["o2"]]
        counters = str(app.screen.query_one("#counters").render())
        assert "New 2" in counters and "Unassigned 2" in counters and "Today 1" in counters


async def test_filter_as_you_type_matches_customer_phone_address(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "slash", *"river")
        assert table_keys(app) == [shop["o2"]]
        box = app.screen.query_one("#filter")
        box.value = "555-0101"
        await press(pilot)
        assert set(table_keys(app)) == {shop["o1"], shop["o3"]}
        box.value = "oak st"
        await press(pilot)
        assert set(table_keys(app)) == {shop["o1"], shop["o3"]}
        box.value = shop["o1"]
        await press(pilot)
        assert table_keys(app) == [shop["o1"]]
        await press(pilot, "enter")  # leaves the filter box, keeps the filter
        assert app.screen.query_one("#orders").has_focus
        assert table_keys(app) == [shop["o1"]]


async def test_quick_filters_toggle(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "u")
        assert set(table_keys(app)) == {shop["o1"], shop["o3"]}
        await press(pilot, "u", "d")
        assert table_keys(app) == [shop["o2"]]
        await press(pilot, "x")
        assert len(table_keys(app)) == 3
        await press(pilot, "p")  # emergency
        assert table_keys(app) == [shop["o3"]]
        await press(pilot, "x", "o")
        assert table_keys(app) == []  # nothing overdue at 08:00


async def test_quick_filter_menu_by_technician(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "f")
        options = app.screen.query_one("OptionList")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        index = labels.index("Technician: Bob Ruiz")
        options.highlighted = index
        await press(pilot, "enter")
        assert isinstance(app.screen, BoardScreen)
        assert table_keys(app) == [shop["o2"]]
        assert "tech Bob Ruiz" in str(app.screen.query_one("#filters").render())


async def test_sort_cycles(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "v")  # status: new before scheduled
        assert table_keys(app)[-1] == shop["o2"]
        assert "sort status" in str(app.screen.query_one("#filters").render())


async def test_enter_opens_the_order(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "j", "enter")
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.number == shop["o1"]
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_cursor_and_filter_survive_refresh(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "j", "j")
        assert app.screen.query_one("#orders").current_key == shop["o2"]
        with read_session(engine) as s:
            pass
        from svcdesk.db import write_session

        with write_session(engine) as s:
            lifecycle.change_status(
                s, lifecycle.get_order(s, shop["o3"]), "on_hold", reason="parts"
            )
        app.poll_changes()
        await press(pilot)
        assert app.screen.query_one("#orders").current_key == shop["o2"]
        assert "On hold 1" in str(app.screen.query_one("#counters").render())
