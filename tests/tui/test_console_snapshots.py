"""SVG snapshots of the console screens (shop fixture, frozen clock, fixed size).

Update after an intended change: `.venv/bin/pytest tests/tui/test_console_snapshots.py
--snapshot-update`, then look at the SVGs."""

from __future__ import annotations

from tests.tui.helpers import SIZE, console_app, settle, snapshot_before


def test_board_snapshot(engine, shop, snap_compare):
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before())


def test_board_filtered_snapshot(engine, shop, snap_compare):
    keys = ("slash", *"porter", "enter", "u")
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(keys))


def test_order_screen_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_order(shop["o2"])
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


def test_order_history_tab_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_order(shop["o2"])
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


def test_status_dialog_snapshot(engine, shop, snap_compare):
    assert snap_compare(
        console_app(engine), terminal_size=SIZE, run_before=snapshot_before(("enter", "s"))
    )


def test_assign_refused_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_order(shop["o1"])
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        pilot.app.screen.query_one("#tech").value = shop["bob"]
        pilot.app.screen.query_one("#start").value = "today 10:30"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


def test_new_order_form_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("n", *"Jane")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


def test_new_order_form_errors_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("n", *"555-0101", "enter", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


def test_help_snapshot(engine, shop, snap_compare):
    assert snap_compare(
        console_app(engine), terminal_size=SIZE, run_before=snapshot_before(("question_mark",))
    )
