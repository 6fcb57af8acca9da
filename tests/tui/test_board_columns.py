"""Columns by priority: at 100 columns the board keeps number, priority, status, customer,
technician, scheduled, promised and SLA; wider terminals show more and give the space to
summary and customer (no column cut, no empty band). The promised window and the SLA
label (which clock, how long) read the same on every screen."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from svcdesk.db import write_session
from svcdesk.services.orders import lifecycle
from svcdesk.tui.cells import window_text
from svcdesk.tui.columns import PADDING, SCROLLBAR, Column, fit
from svcdesk.tui.screens.board import COLUMNS
from svcdesk.tui.widgets.table import KeyTable
from tests.tui.helpers import run_app, settle

CHI = ZoneInfo("America/Chicago")
NEEDED = ["number", "pri", "status", "customer", "technician", "scheduled", "promised", "sla"]


def shown(app) -> dict[str, int]:
    table = app.screen.query_one("#orders", KeyTable)
    return {c.key.value: c.width for c in table.ordered_columns}


def lines(app) -> list[str]:
    table = app.screen.query_one("#orders", KeyTable)
    return [table.render_line(y).text for y in range(table.size.height)]


@pytest.mark.parametrize("width", [100, 120, 160, 200])
def test_fit_keeps_the_needed_columns_and_fills_the_width(width):
    fitted = fit(COLUMNS, width)
    keys = [c.key for c, _ in fitted]
    assert set(NEEDED) <= set(keys)
    used = sum(w + PADDING for _, w in fitted)
    assert used == width - SCROLLBAR  # nothing left over, nothing cut
    if width >= 160:
        assert {"summary", "city", "skill"} <= set(keys)
        widths = dict((c.key, w) for c, w in fitted)
        assert widths["summary"] > 16 and widths["customer"] > 11


def test_fit_drops_by_rank_and_grows_by_share():
    cols = [Column("A", 5, rank=0), Column("B", 5, rank=2), Column("C", 5, rank=1, grow=1, most=9)]
    assert [(c.label, w) for c, w in fit(cols, 2 + 14)] == [("A", 5), ("C", 5)]
    assert [(c.label, w) for c, w in fit(cols, 2 + 25)] == [("A", 5), ("B", 5), ("C", 9)]


def test_window_words():
    from datetime import UTC, datetime

    start = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # Thu 10:00 Chicago
    assert window_text(start, start + timedelta(hours=2), CHI) == "Thu 10-12"
    assert window_text(start, start + timedelta(minutes=150), CHI) == "Thu 10-12:30"
    assert window_text(start, None, CHI) == "after Thu 10"
    assert window_text(None, start, CHI) == "by Thu 10"
    assert window_text(None, None, CHI) == ""


@pytest.mark.parametrize("size", [(100, 30), (160, 48), (200, 55)])
async def test_board_columns_at_each_size(engine, shop, size):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o1"])
        order.window_start = order.created_at + timedelta(hours=26)
        order.window_end = order.window_start + timedelta(hours=2)
        s.add(order)
    async with run_app(engine, size=size) as (app, pilot):
        keys = shown(app)
        assert set(NEEDED) <= set(keys), keys
        text = "\n".join(lines(app))
        assert "Promised" in text and "SLA" in text and "Technician" in text
        assert "Thu 10-12" in text  # o1 promised window, in shop time
        assert "resp " in text  # the SLA label names its clock
        assert "…" not in "".join(line[:9] for line in lines(app))  # numbers never cut
        if size[0] >= 160:
            assert "summary" in keys and keys["summary"] > 16


async def test_resizing_chooses_the_columns_again(engine, shop):
    async with run_app(engine, size=(200, 40)) as (app, pilot):
        table = app.screen.query_one("#orders", KeyTable)
        table.move_cursor(row=1)
        key = table.current_key
        assert "summary" in shown(app)
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert "summary" not in shown(app) and set(NEEDED) <= set(shown(app))
        assert table.current_key == key and table.row_count == 3
