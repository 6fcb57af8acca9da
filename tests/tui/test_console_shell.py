"""The console shell: registry, global keys, help, command palette, live updates between
two consoles, `svcdesk` with no arguments."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest
from typer.testing import CliRunner

from svcdesk.cli.main import app as cli_app
from svcdesk.db import read_session, write_session
from svcdesk.services.orders import intake, lifecycle
from svcdesk.tui import registry
from svcdesk.tui.help import HelpScreen, binding_rows
from svcdesk.tui.palette import find_everything
from svcdesk.tui.screens.board import BoardScreen
from svcdesk.tui.screens.order import OrderScreen
from svcdesk.tui.screens.order_form import OrderFormScreen
from svcdesk.tui.watch import HighWaterWatcher, make_watcher
from tests.fixtures.shop import add_staff_rows
from tests.tui.helpers import press, run_app, settle, table_keys


def test_registry_has_the_board_and_no_clashes():
    registry.discover()
    assert registry.SCREENS["board"].key == "b"
    assert registry.PROBLEMS == []
    keys = [e.key for e in registry.screens()] + [c.key for c in registry.commands() if c.key]
    assert len(keys) == len(set(keys))
    assert not set(keys) & (registry.RESERVED_KEYS - {"n"})


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_register_screen_refuses_a_taken_key(monkeypatch):
    monkeypatch.setattr(registry, "SCREENS", dict(registry.SCREENS))
    monkeypatch.setattr(registry, "PROBLEMS", [])
    registry.register_screen("b", "other", "Other")(lambda app: None)
    assert "other" not in registry.SCREENS
    assert "key 'b' is already taken" in registry.PROBLEMS[0]


async def test_global_keys_from_registry(engine, shop):
    async with run_app(engine) as (app, pilot):
        for entry in registry.screens():
            await press(pilot, entry.key)
            assert app.current_mode == entry.name
        await press(pilot, "b")
        assert isinstance(app.screen, BoardScreen)
        await press(pilot, "n")
        assert isinstance(app.screen, OrderFormScreen)


async def test_b_from_an_order_goes_back_to_the_board(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderScreen)
        await press(pilot, "b")
        assert isinstance(app.screen, BoardScreen)


async def test_help_lists_every_binding_of_the_screen(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "enter")
        order_screen = app.screen
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for desc in ("Status", "Assign/reschedule", "Note", "Hold", "Cancel order", "Callback"):
            assert desc in text
        assert "Board" in text and "New order" in text and "ctrl+p" in text
        rows = dict((d, k) for k, d in binding_rows(order_screen))
        assert rows["Callback"] == "R"
        await press(pilot, "escape")
        assert app.screen is order_screen


def test_palette_search_finds_orders_customers_techs(engine, shop):
    found = find_everything(engine, "Porter")
    kinds = [k for k, *_ in found]
    assert kinds.count("order") == 2 and "customer" in kinds
    found = find_everything(engine, "Alice")
    assert [(k, label) for k, label, _, _ in found] == [("technician", "technician: Alice Ng")]
    found = find_everything(engine, "555-0303")
    assert ("order", f"order: {shop['o2']} Riverside Cafe") in [(k, lbl) for k, lbl, _, _ in found]


async def test_palette_jumps_to_an_order(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "ctrl+p")
        await pilot.press(*"riverside")
        await settle(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderScreen)
        assert app.screen.number == shop["o2"]


async def test_palette_customer_without_opener_filters_board(engine, shop, monkeypatch):
    async with run_app(engine) as (app, pilot):
        monkeypatch.setattr(registry, "OPENERS", {})  # after discovery registered openers
        app.open_item("customer", shop["customer"], "Jane Porter")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert set(table_keys(app)) == {shop["o1"], shop["o3"]}


async def test_second_console_refreshes_after_first_saves(engine, shop):
    async with run_app(engine) as (first, pilot1):
        as_first = contextvars.copy_context()  # each app sees itself as the active app

        async def first_puts_o3_on_hold():
            first.open_order(shop["o3"])
            await settle(pilot1)
            await press(pilot1, "h", *"no access", "enter")

        async with run_app(engine) as (second, pilot2):
            # dispatcher 2 is on the board with the cursor on o2
            await press(pilot2, "j", "j")
            assert second.screen.query_one("#orders").current_key == shop["o2"]
            await asyncio.get_running_loop().create_task(first_puts_o3_on_hold(), context=as_first)
            with read_session(engine) as s:
                assert lifecycle.get_order(s, shop["o3"]).status == "on_hold"
            assert "On hold 0" in str(second.screen.query_one("#counters").render())
            second.poll_changes()  # what the 1 s timer does
            await settle(pilot2)
            assert "On hold 1" in str(second.screen.query_one("#counters").render())
            assert second.screen.query_one("#orders").current_key == shop["o2"]
            # a nightly import (another process) creates an order: it appears too
            with write_session(engine) as s:
                intake.create_order(
                    s,
                    intake.IntakeRequest(
                        summary="Gas smell",
                        customer="Ann Lee",
                        phone="512-555-0777",
                        address="3 Pine Rd",
                        priority="emergency",
                        source="import",
                    ),
                )
            second.poll_changes()
            await settle(pilot2)
            assert len(table_keys(second)) == 4


async def test_timer_polls_the_watcher(engine, shop):
    async with run_app(engine, watch_interval=0.05) as (app, pilot):
        with write_session(engine) as s:
            lifecycle.change_status(s, lifecycle.get_order(s, shop["o3"]), "on_hold", reason="x")
        for _ in range(20):
            await pilot.pause(0.05)
            await settle(pilot, rounds=1)
            if "On hold 1" in str(app.screen.query_one("#counters").render()):
                break
        assert "On hold 1" in str(app.screen.query_one("#counters").render())


def test_watchers_see_commits(engine, shop):
    for make in (make_watcher, HighWaterWatcher):
        watcher = make(engine)
        assert not watcher.changed()
        with write_session(engine) as s:
            lifecycle.change_status(s, lifecycle.get_order(s, shop["o1"]), "on_hold", reason="r")
        assert watcher.changed()
        assert not watcher.changed()
        with write_session(engine) as s:
            lifecycle.change_status(s, lifecycle.get_order(s, shop["o1"]), "new")
        watcher.close()


class _SlowWatcher:
    """A watcher whose poll is still running when the app closes (the segfault race)."""

    def __init__(self) -> None:
        self.polling, self.release, self.log = threading.Event(), threading.Event(), []

    def changed(self) -> bool:
        self.log.append("poll")
        self.polling.set()
        self.release.wait(10)
        self.log.append("poll done")
        return False

    def close(self) -> None:
        self.log.append("close")


async def test_closing_the_app_waits_for_a_running_poll(engine, shop):
    watcher = _SlowWatcher()
    async with run_app(engine, watcher=watcher) as (app, pilot):
        app.poll_changes()
        await asyncio.to_thread(watcher.polling.wait, 10)
        # the poll ends a moment after the app starts closing: close() must wait for it
        # (were the poll to end first, the test would pass without showing anything)
        threading.Timer(0.3, watcher.release.set).start()
    assert watcher.log == ["poll", "poll done", "close"]
    assert app._watcher_changed() is False  # after close: no call into the watcher
    assert watcher.log[-1] == "close"


def test_svcdesk_without_arguments_opens_the_console(db_path, engine, monkeypatch):
    seen = {}

    def fake_run_console(engine, *, actor):
        seen["db"], seen["actor"] = engine.url.database, actor

    monkeypatch.setattr("svcdesk.tui.launch.run_console", fake_run_console)
    with write_session(engine) as s:
        add_staff_rows(s)
    result = CliRunner().invoke(cli_app, ["--db", str(db_path), "--as", "kim"])
    assert result.exit_code == 0, result.output
    assert seen == {"db": str(db_path), "actor": "kim"}


def test_services_and_cli_do_not_import_textual():
    import subprocess
    import sys

    code = (
        "import sys, svcdesk.services.orders.queries, svcdesk.services.orders.intake, svcdesk.cli.main;"
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_read_models_only(engine, shop):
    # find_everything returns plain tuples usable after the session is closed
    with read_session(engine):
        pass
    assert all(isinstance(x, tuple) for x in find_everything(engine, "Jane"))
