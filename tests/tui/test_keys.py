"""Keys go where they say (issue 18): screen keys show the screen's main view from
anywhere; no screen-local key shadows a global one (except the ones listed here, with
their reason); every binding has an id and a keymap file changes it; the palette lists
the screen's own actions."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import svcdesk.tui
from svcdesk.errors import InvalidInput
from svcdesk.tui import registry
from svcdesk.tui.app import SvcDeskApp
from svcdesk.tui.keymap import load_keymap
from svcdesk.tui.screens.agreements import AgreementsScreen
from svcdesk.tui.screens.alerts import AlertsScreen
from svcdesk.tui.screens.board import BoardScreen
from svcdesk.tui.screens.field import FieldScreen, open_field
from svcdesk.tui.screens.order import OrderScreen
from svcdesk.tui.screens.reports import DashboardScreen
from svcdesk.tui.screens.schedule import ScheduleScreen
from tests.tui.helpers import press, run_app, settle

# (class, key): why the local key may win over the global one while that widget/screen
# has focus. Dialogs (modal screens) are not listed: the app's keys are off under a dialog.
SHADOW_ALLOWED = {
    ("ScheduleGrid", "l"): "the grid's h/j/k/l move the cursor (l = later, like right)",
}


def _tui_classes() -> list[type[DOMNode]]:
    package = svcdesk.tui
    names = [f"svcdesk.tui.{i.name}" for i in pkgutil.iter_modules(package.__path__)]
    names += [f"svcdesk.tui.screens.{i.name}" for i in pkgutil.iter_modules(
        importlib.import_module("svcdesk.tui.screens").__path__)]  # fmt: skip
    names += [f"svcdesk.tui.widgets.{i.name}" for i in pkgutil.iter_modules(
        importlib.import_module("svcdesk.tui.widgets").__path__)]  # fmt: skip
    found: dict[str, type[DOMNode]] = {}
    for name in names:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("svcdesk."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def _own_bindings(cls) -> list[Binding]:
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)] + [
        Binding(*b) for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, tuple)
    ]


def _global_keys() -> dict[str, str]:
    registry.discover()
    keys = {e.key: f"screen {e.name}" for e in registry.screens()}
    keys |= {c.key: f"command {c.name}" for c in registry.commands() if c.key}
    for b in SvcDeskApp.BINDINGS:
        keys[b.key] = f"app {b.action}"
    return keys


def test_no_screen_key_is_shadowed_by_a_local_one():
    from textual.screen import ModalScreen

    global_keys = _global_keys()
    clashes = []
    for cls in _tui_classes():
        if issubclass(cls, (ModalScreen, SvcDeskApp)):
            continue
        for binding in _own_bindings(cls):
            for key in binding.key.split(","):
                key = key.strip()
                if key in global_keys and (cls.__name__, key) not in SHADOW_ALLOWED:
                    clashes.append(
                        f"{cls.__name__}: {key} ({binding.action}) hides {global_keys[key]}"
                    )
    assert clashes == []


def test_every_binding_has_an_id():
    missing = [
        f"{cls.__name__}: {b.key} {b.action}"
        for cls in _tui_classes()
        for b in cls.__dict__.get("BINDINGS", [])
        if not isinstance(b, Binding) or not b.id
    ]
    assert missing == []
    assert BoardScreen.BINDINGS[0].id == "board.focus-filter"


async def test_screen_keys_show_the_main_view_not_a_stale_screen(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "enter")  # an order opened from the board
        assert isinstance(app.screen, OrderScreen)
        await press(pilot, "w")  # its field work on top
        assert isinstance(app.screen, FieldScreen)
        await press(pilot, "g")
        assert isinstance(app.screen, ScheduleScreen)
        await press(pilot, "b")  # first press: the board itself, not the field screen
        assert isinstance(app.screen, BoardScreen) and len(app.screen_stack) == 1
        await press(pilot, "g", "enter")
        await press(pilot, "M", "g")
        assert isinstance(app.screen, ScheduleScreen) and len(app.screen_stack) == 1


async def test_screen_keys_work_on_the_field_and_dashboard_screens(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "r")
        assert isinstance(app.screen, DashboardScreen)
        await press(pilot, "l")  # what `?` says: alerts (it was "next panel")
        assert isinstance(app.screen, AlertsScreen)
        for key, mode in (("g", "schedule"), ("t", "technicians"), ("c", "customers"),
                          ("M", "agreements")):  # fmt: skip
            await press(pilot, "b", "enter", "w")
            assert isinstance(app.screen, FieldScreen)
            await press(pilot, key)
            assert app.current_mode == mode and len(app.screen_stack) == 1


async def test_w_on_the_board_opens_the_selected_rows_field_work(engine, shop):
    async with run_app(engine) as (app, pilot):
        row = app.screen.current_row()
        await press(pilot, "w")
        assert isinstance(app.screen, FieldScreen)
        assert app.screen.number == row.number


async def test_keymap_changes_a_screen_key_and_a_screen_action(engine, shop):
    keymap = {"screen.agreements": "f9", "board.quick-filter": "F"}
    async with run_app(engine, keymap=keymap) as (app, pilot):
        await press(pilot, "F")
        assert type(app.screen).__name__ == "QuickFilterModal"
        await press(pilot, "escape", "f9")
        assert isinstance(app.screen, AgreementsScreen)
        await press(pilot, "question_mark")
        text = str(app.screen.query_one("#help-text").render())
        assert "f9  Agreements" in text


async def test_keymap_typo_is_said(engine, shop):
    async with run_app(engine, keymap={"board.asign": "z"}) as (app, pilot):
        app.check_keymap()
        await settle(pilot)
        assert any("board.asign" in n.message for n in app._notifications)


def test_keymap_file(tmp_path, monkeypatch):
    path = tmp_path / "svcdesk" / "keymap.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("SVCDESK_KEYMAP", raising=False)
    assert load_keymap() == {}
    path.parent.mkdir()
    path.write_text('"board.assign" = "ctrl+a, f2"\n')
    assert load_keymap() == {"board.assign": "ctrl+a,f2"}
    path.write_text('"board.assign" = 3\n')
    with pytest.raises(InvalidInput, match="board.assign: expected keys as text"):
        load_keymap()
    path.write_text("board.assign = \n")
    with pytest.raises(InvalidInput, match="not a keymap file"):
        load_keymap()


async def test_palette_lists_the_screens_own_actions(engine, shop):
    from svcdesk.tui.palette import SvcDeskCommands

    async with run_app(engine) as (app, pilot):
        provider = SvcDeskCommands(app.screen)
        titles = [title for title, _, _ in provider._static()]
        assert "Job board: Assign" in titles and "Job board: Sort" in titles
        assert "go: Board" in titles


async def test_field_screen_keys(engine, shop):
    async with run_app(engine) as (app, pilot):
        open_field(app, app.screen.current_row().number)
        await settle(pilot)
        await press(pilot, "h")
        assert type(app.screen).__name__ == "TimeModal"
