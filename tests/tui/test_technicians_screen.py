"""Technician panes (`t`): status now, hours, detail pane, open a visit, palette opener."""

from __future__ import annotations

from datetime import UTC, datetime

from svcdesk.db import write_session
from svcdesk.services.orders import lifecycle, scheduling
from svcdesk.tui.screens.technicians import TechniciansScreen
from tests.tui.helpers import press, run_app, table_keys


def cell(app, table_id, row_key, column):
    return str(app.screen.query_one(table_id).get_cell(row_key, column))


async def test_t_lists_status_hours_and_detail(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "t")
        assert isinstance(app.screen, TechniciansScreen)
        ids = [str(shop[k]) for k in ("alice", "bob", "cara")]
        assert table_keys(app, "#techs") == ids
        bob, cara = str(shop["bob"]), str(shop["cara"])
        assert cell(app, "#techs", bob, "status") == "free"
        assert cell(app, "#techs", bob, "now") == f"next {shop['o2']} 10:00"
        assert cell(app, "#techs", bob, "today") == "1.0/9.0h"
        assert cell(app, "#techs", cara, "status") == "off"
        detail = str(app.screen.query_one("#tech-detail").render())
        assert "Alice Ng" in detail and "512-555-0201" in detail and "electrical, hvac" in detail
        await press(pilot, "j")
        detail = str(app.screen.query_one("#tech-detail").render())
        assert "Bob Ruiz" in detail and "mon 08:00-17:00" in detail
        assert len(table_keys(app, "#tech-visits")) == 1


async def test_enter_goes_to_visits_and_opens_order(engine, shop):
    from svcdesk.tui.screens.order import OrderScreen

    async with run_app(engine) as (app, pilot):
        await press(pilot, "t", "j", "enter")
        assert app.screen.query_one("#tech-visits").has_focus
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, TechniciansScreen)


async def test_status_follows_database_changes(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "t")
        with write_session(engine) as s:
            order = lifecycle.get_order(s, shop["o2"])
            visit = scheduling.active_visits(s, order.id)[0]
            visit.status = "en_route"
            visit.en_route_at = datetime(2026, 11, 25, 13, 50, tzinfo=UTC)
        app.poll_changes()
        await press(pilot)
        bob = str(shop["bob"])
        assert cell(app, "#techs", bob, "status") == "en route"
        assert cell(app, "#techs", bob, "now") == f"to {shop['o2']} since 07:50"


async def test_opener_selects_technician(engine, shop):
    async with run_app(engine) as (app, pilot):
        app.open_item("technician", shop["cara"], "Cara Diaz")
        await press(pilot)
        assert isinstance(app.screen, TechniciansScreen)
        assert app.screen.current().name == "Cara Diaz"
        assert "Cara Diaz" in str(app.screen.query_one("#tech-detail").render())
