"""The one table of navigable screens and console-wide commands.

The app builds its global key bindings, the footer hints, the help screen and the
command palette from this table, so registering a screen is all it takes to plug in.

How to add a screen (for every engineer)
----------------------------------------
1. Create a module `svcdesk/tui/screens/<area>.py`. Every module in that package is
   imported automatically when the app starts (`discover()`); nothing else to edit.
2. Subclass `svcdesk.tui.base.DataScreen` (or plain `textual.screen.Screen`) and register
   a factory with a free key::

       from svcdesk.tui.base import DataScreen
       from svcdesk.tui.registry import register_screen

       @register_screen("i", "invoices", "Invoices", help="Draft, sent and paid invoices")
       def _invoices(app):
           return InvoicesScreen()

   `key` is the global key that switches to the screen (each registered screen is a
   Textual *mode*, so it keeps its own stack: an order opened from it is popped back to
   it with `escape`). `name` is the mode name and the palette id; `title` is shown in the
   help and palette. Screen keys are not in the footer (so adding a screen does not change
   every other screen's snapshot); the footer shows each screen's own `show=True` keys.
3. Load data in `refresh_data()` with `self.load(fn, apply)` (a thread worker; `fn`
   gets a read-only Session and must return plain read models from `services/`, never
   ORM objects). `refresh_data()` is called when the screen is shown and whenever
   another process (or another screen) commits to the database: keep the cursor and
   filters (look at `screens/board.py`). Writes go through `self.save(fn, done)`;
   `Conflict` and other `SvcDeskError`s are shown and the screen reloads by itself.
4. Screen-local keys: ordinary Textual `BINDINGS` on your screen (`show=True` for the
   main ones: the footer shows them; `?` help lists all of them).
5. Open other things through the app: `app.open_order(number)`,
   `app.open_item("customer", id)` / `("technician", id)` (screens register openers with
   `register_opener`), `app.new_order()`.
6. Add a Pilot test and a `snap_compare` snapshot under `tests/tui/` (see
   `tests/tui/helpers.py` for `make_test_app` and the snapshot size).

Keys already taken globally (don't register these): see `RESERVED_KEYS`.
Console-wide commands that are not screens (new order, theme) use `register_command`.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from svcdesk.tui.app import SvcDeskApp

# Global keys owned by the app shell or by the table conventions (j/k move, / filter...).
RESERVED_KEYS = frozenset(
    {"q", "n", "?", "/", "j", "k", "enter", "escape", "ctrl+p", "ctrl+q", "ctrl+c", "tab"}
)


@dataclass(frozen=True)
class ScreenEntry:
    key: str
    name: str
    title: str
    factory: Callable[[SvcDeskApp], Screen]
    help: str = ""
    order: int = 100


@dataclass(frozen=True)
class CommandEntry:
    name: str
    title: str
    run: Callable[[SvcDeskApp], Any]
    key: str | None = None
    help: str = ""


SCREENS: dict[str, ScreenEntry] = {}
COMMANDS: dict[str, CommandEntry] = {}
OPENERS: dict[str, Callable[[SvcDeskApp, int], Any]] = {}
PROBLEMS: list[str] = []  # registration clashes; a test asserts this stays empty


def _taken_keys() -> set[str]:
    keys = {e.key for e in SCREENS.values()}
    keys |= {c.key for c in COMMANDS.values() if c.key}
    return keys


def _problem(text: str) -> None:
    PROBLEMS.append(text)
    warnings.warn(text, stacklevel=3)


def register_screen(key: str, name: str, title: str, *, help: str = "", order: int = 100):
    """Decorator for a factory `(app) -> Screen`; the screen is reachable by `key`."""

    def decorator(factory: Callable[[SvcDeskApp], Screen]):
        if name in SCREENS and SCREENS[name].factory.__qualname__ != factory.__qualname__:
            _problem(f"screen name {name!r} registered twice; keeping the first")
            return factory
        if key in RESERVED_KEYS or (key in _taken_keys() and name not in SCREENS):
            _problem(f"screen {name!r}: key {key!r} is already taken; not registered")
            return factory
        SCREENS[name] = ScreenEntry(key, name, title, factory, help, order)
        return factory

    return decorator


def register_command(
    name: str, title: str, *, key: str | None = None, help: str = ""
) -> Callable[[Callable[[SvcDeskApp], Any]], Callable[[SvcDeskApp], Any]]:
    """Decorator for a console-wide command `(app) -> None` (palette, help, optional key)."""

    def decorator(run: Callable[[SvcDeskApp], Any]):
        if key and key in _taken_keys() and name not in COMMANDS:
            _problem(f"command {name!r}: key {key!r} is already taken; registered without key")
            COMMANDS[name] = CommandEntry(name, title, run, None, help)
        else:
            COMMANDS[name] = CommandEntry(name, title, run, key, help)
        return run

    return decorator


def register_opener(kind: str):
    """Decorator for `(app, id) -> None` that shows one item ("customer", "technician")."""

    def decorator(fn: Callable[[SvcDeskApp, int], Any]):
        OPENERS[kind] = fn
        return fn

    return decorator


def register_select_opener(kind: str, screen: str, cls: type, select: Callable) -> None:
    """The opener of `kind` that shows the registered menu `screen` and, once it is on top
    (and still a `cls`), selects the item there: `select(screen, id)`."""

    def opener(app: SvcDeskApp, item_id: int) -> None:
        app.action_goto(screen)

        def run() -> None:
            if isinstance(app.screen, cls):
                select(app.screen, item_id)

        app.call_after_refresh(run)

    register_opener(kind)(opener)


def screen_binding_id(name: str) -> str:
    return f"screen.{name}"


def command_binding_id(name: str) -> str:
    return f"command.{name}"


def screens() -> list[ScreenEntry]:
    """Registered screens in menu order."""
    return sorted(SCREENS.values(), key=lambda e: (e.order, e.name))


def commands() -> list[CommandEntry]:
    return sorted(COMMANDS.values(), key=lambda c: c.title)


def discover() -> None:
    """Import every module in `svcdesk/tui/screens/` so their registrations run."""
    from svcdesk.tui import screens as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        importlib.import_module(f"{package.__name__}.{info.name}")
