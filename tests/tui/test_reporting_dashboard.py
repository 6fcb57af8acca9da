"""Dashboard (`r`): tiles, span switch, trends, leaderboard, ages chart, drill-down."""

from __future__ import annotations

from textual.widgets import Sparkline

from svcdesk.tui import registry
from svcdesk.tui.screens.reports import DashboardScreen, DrillScreen, KpiTile
from tests.tui.helpers import SIZE, console_app, press, run_app, snapshot_before, table_keys
from tests.unit.reporting import kpi_dataset as ds


def tile(app, key) -> str:
    return str(app.screen.query_one(f"#tile-{key}", KpiTile).render())


async def test_tiles_follow_the_span_and_say_no_data(engine):
    data = ds.build(engine)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "r")
        assert isinstance(app.screen, DashboardScreen)
        assert "This week" in str(app.screen.query_one("#dash-title").render())
        assert "Orders created\n0" in tile(app, "orders_created")  # Mon 11-23 .. today
        assert "no data" in tile(app, "first_time_fix")
        assert "no completed orders with a visit" in tile(app, "first_time_fix")
        await press(pilot, "p")  # last 30 days: the worked week is inside
        assert "Last 30 days" in str(app.screen.query_one("#dash-title").render())
        assert "Orders created\n6" in tile(app, "orders_created")
        assert "33.3%" in tile(app, "first_time_fix")
        assert "$800.00" in tile(app, "revenue")
        assert "$480.00" in tile(app, "receivables")
        assert table_keys(app, "#leaders") == [str(data["ben"]), str(data["ann"])]
        ages = str(app.screen.query_one("#ages").render())
        assert "3-7d" in ages and "7-14d" in ages
        completed = app.screen.query_one("#trend-1", Sparkline).data
        assert completed[-2:] == [3, 0]  # the worked week, then this week
        assert "no data" not in str(app.screen.query_one("#trend-label-0").render())


async def test_enter_on_a_tile_lists_the_orders_behind_it(engine):
    data = ds.build(engine)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "r", "p")
        await press(pilot, "enter")  # first tile: orders created
        assert isinstance(app.screen, DrillScreen)
        assert len(table_keys(app, "#drill")) == 6
        await press(pilot, "escape")
        await press(pilot, "tab", "tab", "tab", "tab", "enter")  # fifth tile: first-time fix
        assert isinstance(app.screen, DrillScreen) and app.screen.key == "first_time_fix"
        assert table_keys(app, "#drill") == ["SO-000003", "SO-000002", "SO-000001"]
        await press(pilot, "enter")
        from svcdesk.tui.screens.order import OrderScreen

        assert isinstance(app.screen, OrderScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, DrillScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
        app.screen.query_one("#leaders").focus()
        await press(pilot, "enter")  # Ben's completed orders
        assert isinstance(app.screen, DrillScreen) and app.screen.tech_id == data["ben"]
        assert table_keys(app, "#drill") == ["SO-000003"]


async def test_empty_shop_dashboard(engine):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "r")
        assert "no invoices issued yet" in tile(app, "revenue")
        assert "no data" in str(app.screen.query_one("#trend-label-0").render())
        assert table_keys(app, "#leaders") == []


def test_dashboard_snapshot(snap_compare, engine):
    # Every screen registered first: the footer's global commands then come in one order
    # whether or not an earlier test in this process already imported the other screens.
    registry.discover()
    ds.build(engine)
    keys = ["r", "p"]
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(keys))


def test_tile_says_what_it_was_measured_on():
    from svcdesk.services.reporting.kpis import Kpi
    from svcdesk.tui.screens.reports import basis_words

    assert basis_words(Kpi("first_time_fix", "First-time fix rate", "pct", 90.0, 84)) == (
        "from 84 completed orders"
    )
    assert basis_words(Kpi("orders_created", "Orders created", "count", 84, 84)) == ""
