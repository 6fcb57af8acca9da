"""Job board paging: every open order reachable by scrolling, a page at a time."""

from __future__ import annotations

from svcdesk.db import write_session
from svcdesk.services.orders import lifecycle
from svcdesk.services.orders.intake import IntakeRequest, create_order
from svcdesk.tui.screens import board
from tests.tui.helpers import press, run_app, table_keys


def add_orders(engine, shop, n: int) -> None:
    with write_session(engine) as s:
        for i in range(n):
            create_order(
                s,
                IntakeRequest(
                    customer_id=shop["customer"],
                    site_id=shop["site"],
                    summary=f"filter change {i}",
                    priority="low",
                ),
            )


def filters_line(app) -> str:
    return str(app.screen.query_one("#filters").render())


SMALL = (140, 14)  # about 8 table rows in view: pages of 20 are more than a screenful


async def test_board_loads_the_next_page_near_the_end(engine, shop, monkeypatch):
    add_orders(engine, shop, 42)  # 45 open orders, pages of 20
    monkeypatch.setattr(board, "ROWS_PER_QUERY", 7)  # rows read in slices of 7 ids
    async with run_app(engine, size=SMALL, board_limit=20) as (app, pilot):
        table = app.screen.query_one("#orders")
        assert table.row_count == 20
        assert "20 of 45 shown" in filters_line(app)
        await press(pilot, "j", "j")  # far from the end: nothing more
        assert table.row_count == 20
        await press(pilot, *["j"] * 10)  # within a screenful of the end: the next page
        assert table.row_count == 40
        assert table.current_key == table_keys(app)[12]  # the cursor stayed on its row
        assert "40 of 45 shown" in filters_line(app)
        await press(pilot, "end")  # the very last order: the rest is loaded
        assert table.row_count == 45
        assert table.current_key == table_keys(app)[-1]
        assert len(set(table_keys(app))) == 45
        assert "· 45 shown" in filters_line(app)


async def test_board_pages_follow_filter_and_survive_refresh(engine, shop):
    add_orders(engine, shop, 42)
    async with run_app(engine, size=SMALL, board_limit=20) as (app, pilot):
        table = app.screen.query_one("#orders")
        await press(pilot, "end", "k")
        assert table.row_count == 45
        key = table.current_key
        with write_session(engine) as s:  # someone else puts the top order on hold
            lifecycle.change_status(
                s, lifecycle.get_order(s, shop["o3"]), "on_hold", reason="parts"
            )
        app.poll_changes()
        await press(pilot)
        assert table.row_count == 45  # every loaded row reloaded, not just the first page
        assert table.current_key == key
        assert "On hold 1" in str(app.screen.query_one("#counters").render())
        await press(pilot, "home", "slash", *"filter")  # a new filter: one page again
        assert table.row_count == 20
        assert "20 of 42 shown" in filters_line(app)
        assert "text “filter”" in filters_line(app)


async def test_a_burst_of_filter_keys_ends_on_the_last_text(engine, shop):
    add_orders(engine, shop, 3)
    async with run_app(engine) as (app, pilot):
        await pilot.press("slash", *"filter change 2")  # no waiting between keys
        await press(pilot)
        assert [app.screen.rows[k].summary for k in table_keys(app)] == ["filter change 2"]


def count_queries(monkeypatch) -> list[str]:
    """The board's text queries (`order_ids` with a text) made from now on."""
    from svcdesk.services.orders import queries

    asked: list[str] = []
    order_ids = queries.order_ids

    def counting(session, **kwargs):
        if kwargs.get("text"):
            asked.append(kwargs["text"])
        return order_ids(session, **kwargs)

    monkeypatch.setattr(queries, "order_ids", counting)
    return asked


async def test_text_typed_over_the_backlog_is_answered_in_memory(engine, shop, monkeypatch):
    add_orders(engine, shop, 42)  # 45 open orders: 42 "filter change N" at Jane's site
    asked = count_queries(monkeypatch)
    async with run_app(engine, size=SMALL, board_limit=20) as (app, pilot):
        screen = app.screen
        assert screen._usable_backlog() is not None  # read after the first page
        await pilot.press("slash", "4")  # no settle: shown with the key itself
        assert asked == []
        assert table_keys(app) == await _sql_keys(engine, "4")  # the same rule
        assert "text “4”" in filters_line(app)
        await press(pilot, "backspace", *"change 1")
        assert asked == []
        assert len(table_keys(app)) == 11  # "filter change 1", "… 10" … "… 19"
        assert "11 shown" in filters_line(app)
        await press(pilot, "ctrl+u", *"hea")  # the fixture's "No heat" orders
        sql = await _sql_keys(engine, "hea")
        assert table_keys(app) == sql and sql
        assert asked == []


async def _sql_keys(engine, text: str) -> list[str]:
    from svcdesk.db import read_session
    from svcdesk.services.orders import queries

    with read_session(engine) as s:
        return [r.number for r in queries.list_orders(s, text=text, limit=20)]


async def test_the_backlog_pages_and_follows_changes(engine, shop, monkeypatch):
    add_orders(engine, shop, 42)
    async with run_app(engine, size=SMALL, board_limit=20) as (app, pilot):
        table = app.screen.query_one("#orders")
        await press(pilot, "slash", *"change", "enter")
        assert table.row_count == 20 and "20 of 42 shown" in filters_line(app)
        await press(pilot, "end")  # the rest from memory
        assert table.row_count == 42
        last = table.current_key
        with write_session(engine) as s:  # a colleague changes the last one's summary
            order = lifecycle.get_order(s, last)
            order.summary = "replaced the board"
            s.add(order)
        app.poll_changes()
        await press(pilot)
        assert last not in table_keys(app)  # reloaded: it no longer matches
        assert "41 shown" in filters_line(app)
        await press(pilot, "slash", "ctrl+u", *"replaced")
        assert table_keys(app) == [last]  # the new text, found in memory again


async def test_a_backlog_too_big_to_hold_is_filtered_in_sql(engine, shop, monkeypatch):
    add_orders(engine, shop, 42)
    monkeypatch.setattr(board, "BACKLOG_MOST", 40)
    asked = count_queries(monkeypatch)
    async with run_app(engine, size=SMALL, board_limit=20) as (app, pilot):
        assert app.screen._usable_backlog() is None
        await press(pilot, "slash", *"change 1")
        assert asked and asked[-1] == "change 1"
        assert len(table_keys(app)) == 11
