"""What the console's speed work must not change: the footer shows the screen's keys after
switches (rebuilt only when they change), the filter box scrolls with long text."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from svcdesk.tui.screens.board import FilterInput
from svcdesk.tui.widgets.footer import SteadyFooter
from tests.tui.helpers import press, run_app


def footer_keys(screen) -> list:
    return list(screen.query_one(SteadyFooter).query(FooterKey))


async def test_the_footer_keeps_its_keys_across_switches_and_follows_focus(engine, shop):
    async with run_app(engine, prebuild=("schedule",)) as (app, pilot):
        board = app.screen
        before = footer_keys(board)
        assert [k.description for k in before][:2] == ["Filter", "Assign"]
        await press(pilot, "g")
        assert app.current_mode == "schedule" and footer_keys(app.screen)
        await press(pilot, "b")
        assert app.screen is board
        assert footer_keys(board) == before  # the same widgets: not rebuilt
        await press(pilot, "slash")  # the filter box has focus: its keys differ
        assert isinstance(app.focused, FilterInput)
        assert [k.key for k in footer_keys(board)] != [k.key for k in before]
        await press(pilot, "escape")
        assert [k.key for k in footer_keys(board)] == [k.key for k in before]


async def test_the_filter_box_scrolls_with_long_text(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "slash", *("x" * 300))
        box = app.screen.query_one(FilterInput)
        assert box.value == "x" * 300
        assert box.scroll_x > 0  # the cursor end is in view


async def test_a_narrowing_filter_reads_no_row_twice_until_the_data_changes(
    engine, shop, monkeypatch
):
    from svcdesk.db import write_session
    from svcdesk.services.orders import lifecycle, queries
    from tests.tui.helpers import table_keys

    read: list[int] = []
    orders_by_id = queries.orders_by_id

    def counting(session, ids, **kwargs):
        read.extend(ids)
        return orders_by_id(session, ids, **kwargs)

    monkeypatch.setattr(queries, "orders_by_id", counting)
    async with run_app(engine) as (app, pilot):
        assert sorted(read) == sorted(app.screen.rows[n].id for n in table_keys(app))
        read.clear()
        await press(pilot, "slash", *"jane")  # Jane Porter's two orders: both known
        assert set(table_keys(app)) == {shop["o1"], shop["o3"]}
        assert read == []
        with write_session(engine) as s:  # a colleague edits one of them
            order = lifecycle.get_order(s, shop["o1"])
            order.summary = "No heat at all"
            s.add(order)
        app.poll_changes()
        await press(pilot)
        assert read  # the data changed: the rows are read again
        assert app.screen.rows[shop["o1"]].summary == "No heat at all"
        read.clear()
        await press(pilot, "backspace")  # "jan": known again
        assert read == []


async def test_a_screen_key_pressed_while_the_screens_load_is_not_lost(engine, shop, monkeypatch):
    from svcdesk.tui import registry
    from svcdesk.tui.app import SvcDeskApp

    registry.discover()
    monkeypatch.setattr(SvcDeskApp, "start_discovery", lambda self: None)  # not yet
    monkeypatch.delitem(registry.SCREENS, "invoices")  # as if not loaded yet
    async with run_app(engine) as (app, pilot):
        await press(pilot, "i", "z")  # nothing takes them yet
        assert app.current_mode == "board"
        monkeypatch.undo()
        app.start_discovery()
        await press(pilot)
        assert app.current_mode == "invoices"  # `i` was pressed again; `z` means nothing


async def test_the_real_console_freezes_what_lives_as_long_as_it(engine, shop):
    import gc
    from time import monotonic

    threshold = gc.get_threshold()
    try:
        async with run_app(engine, freeze_gc=True) as (app, pilot):
            app.start_discovery()
            await press(pilot)
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold()[2] > 10**6  # no full pass inside a keystroke
            app._gc_full_at = app._last_input = 0.0  # idle long enough: a full pass
            before = gc.get_stats()[2]["collections"]
            app._collect_garbage()
            assert gc.get_stats()[2]["collections"] == before + 1
            assert gc.get_freeze_count() > 0  # frozen again
            app._gc_full_at = 0.0
            app._last_input = monotonic()  # a key just came: not now
            app._collect_garbage()
            assert gc.get_stats()[2]["collections"] == before + 1
        assert gc.get_threshold() == threshold  # given back when the console closes
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    async with run_app(engine) as (app, pilot):  # tests and other callers: never
        app.start_discovery()
        await press(pilot)
        assert gc.get_freeze_count() == 0


async def test_a_key_a_screen_took_while_the_screens_load_is_not_pressed_again(
    engine, shop, monkeypatch
):
    from svcdesk.tui.app import SvcDeskApp

    monkeypatch.setattr(SvcDeskApp, "start_discovery", lambda self: None)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "u")  # the board's "unassigned" toggle
        assert app.screen.filter.unassigned
        monkeypatch.undo()
        app.start_discovery()
        await press(pilot)
        assert app.screen.filter.unassigned  # not toggled a second time
