"""The console app and its one factory, `make_app`, used by the CLI and the tests.

Global keys, footer hints, help and command palette all come from `registry.py`. Each
registered screen is a Textual mode (its own screen stack); orders and forms are pushed
on top of the current mode and `escape` pops back."""

from __future__ import annotations

import gc
import sqlite3
import threading
from dataclasses import replace
from functools import partial
from pathlib import Path
from time import monotonic

from sqlalchemy import Engine
from textual import events
from textual.app import App
from textual.binding import Binding

from svcdesk.db import read_session
from svcdesk.errors import SvcDeskError
from svcdesk.services.common.events import act_as_unless_set
from svcdesk.services.common.settings import shop_zone
from svcdesk.tui import registry
from svcdesk.tui.base import DataScreen
from svcdesk.tui.palette import SvcDeskCommands
from svcdesk.tui.watch import ChangeWatcher, make_watcher

HOME = "board"
PREBUILD = ("schedule",)  # screens built once the board is up (`prebuild_modes`)
GC_IDLE = 0.5  # seconds without a key before the real console collects everything
GC_FULL_EVERY = 30.0  # seconds between those full collections


class SvcDeskApp(App):
    CSS_PATH = "svcdesk.tcss"
    TITLE = "svcdesk"
    SUB_TITLE = "dispatch console"
    DEFAULT_MODE = HOME
    COMMANDS = App.COMMANDS | {SvcDeskCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(
        self,
        engine: Engine,
        *,
        watch_interval: float | None = 1.0,
        actor: str = "dispatcher",
        board_limit: int = 100,
        watcher: ChangeWatcher | None = None,
        backup_on_open: bool = True,
        keymap: dict[str, str] | None = None,
        freeze_gc: bool = False,
    ) -> None:
        super().__init__()
        self.freeze_gc = freeze_gc
        if keymap:
            self.set_keymap(keymap)
        self.engine = engine
        self.backup_on_open = backup_on_open
        self.backup_made: Path | None = None  # today's automatic backup, when this open made it
        self.actor = actor
        act_as_unless_set(engine, actor)  # (the CLI has set `--as NAME on behalf of`)
        self.board_limit = board_limit
        self.watch_interval = watch_interval
        self.generation = 0
        with read_session(engine) as session:
            self.zone = shop_zone(session)
        self.watcher = watcher if watcher is not None else make_watcher(engine)
        # One watcher call at a time: polls run in worker threads, and `close()` at unmount
        # must wait for a running one (closing the SQLite connection under a running
        # `PRAGMA data_version` crashed the process once, under load).
        self._watch_lock = threading.Lock()
        self._watch_closed = False
        self._polling = False
        self._installed: set[str] = set()
        self.prebuild = PREBUILD
        self._discovery_started = False
        self._discovered = False
        self._early_keys: list[str] = []  # pressed before the screens' keys were bound
        self._last_input = 0.0  # monotonic time of the last key or click
        self._gc_full_at = 0.0
        self._gc_threshold: tuple[int, ...] | None = None  # the collector's, when changed
        import svcdesk.tui.screens.board  # noqa: F401  (home screen: registered up front)

        self.install_screens()

    def install_screens(self) -> None:
        """Add a mode and a global key for every registered screen not yet installed. The
        keys have ids ("screen.board", "command.new-order") so a keymap can change them."""
        for entry in registry.screens():
            if entry.name in self._installed:
                continue
            self._installed.add(entry.name)
            self.add_mode(entry.name, partial(entry.factory, self))
            # Not in the footer: it would change with every screen anyone adds (and every
            # snapshot with it). `?` help and the ctrl+p palette list them.
            self._bind_global(
                Binding(
                    entry.key, f"goto('{entry.name}')", entry.title, show=False,
                    id=registry.screen_binding_id(entry.name),
                )
            )  # fmt: skip
        for cmd in registry.commands():
            if cmd.key and cmd.name not in self._installed:
                self._installed.add(cmd.name)
                # Only the app's own commands go in the footer: commands registered by
                # screen modules arrive when discovery finishes, so showing them would make
                # the footer's order depend on import timing (and snapshots with it).
                self._bind_global(
                    Binding(
                        cmd.key, f"command('{cmd.name}')", cmd.title,
                        show=cmd.name in FOOTER_COMMANDS,
                        id=registry.command_binding_id(cmd.name),
                    )
                )  # fmt: skip
        if self._keymap:
            self.refresh_bindings()

    def _bind_global(self, binding: Binding) -> None:
        for key in binding.key.split(","):
            self._bindings.key_to_bindings.setdefault(key.strip(), []).append(
                replace(binding, key=key.strip())
            )

    def key_for(self, binding_id: str, default: str) -> str:
        """The key(s) bound to `binding_id` now: the keymap's, else `default`."""
        return self._keymap.get(binding_id, default)

    def on_mount(self) -> None:
        # The other screens' modules (and what they import) load in a thread once the board
        # has painted its first rows (`start_discovery`, called by the board): imports hold
        # the GIL, so running them during the first load slowed first paint by ~0.5 s. The
        # timer is the fallback should the first load never paint.
        self.set_timer(2.0, self.start_discovery)
        if self.backup_on_open:
            self.run_worker(self._daily_backup, thread=True, group="backup", exit_on_error=False)
        if self.watch_interval:
            self.set_interval(self.watch_interval, self.poll_changes, name="change-watch")

    def start_discovery(self) -> None:
        if not self._discovery_started:
            self._discovery_started = True
            self.run_worker(self._discover, thread=True, group="discover", exit_on_error=True)

    def _discover(self) -> None:
        registry.discover()
        self.call_from_thread(self.install_screens)
        self.call_from_thread(self._press_early_keys)
        self.call_from_thread(self.prebuild_modes)
        self.call_from_thread(self.check_keymap)
        self.call_from_thread(self._freeze_long_lived)

    def _freeze_long_lived(self) -> None:
        """Once the screens are loaded and built, what exists (modules, classes, the
        stylesheet, the built screens: ~240,000 objects at 1M orders) lives as long as the
        console: the garbage collector stops walking it (`gc.freeze`). Its full passes
        walked all of it, 0.2-0.9 s pauses in the middle of a keystroke under load.

        What is made later (the board's backlog, the grid's rows, caches) still made the
        automatic collector's full passes land inside keystrokes (~100 ms of a filter key
        at 1M orders, under load). So the automatic collector only collects the young
        generations (a few thousand objects at a time: a millisecond or two), and
        `_collect_garbage` does the full passes between keystrokes. Only for the real
        console (`launch.run_console`): a test process runs many apps."""
        if self.freeze_gc:
            gc.freeze()
            self._gc_threshold = gc.get_threshold()
            young, middle = self._gc_threshold[:2]
            gc.set_threshold(young, middle, 1_000_000_000)  # never a full pass by itself
            self._gc_full_at = monotonic()
            self.set_interval(GC_IDLE, self._collect_garbage, name="gc")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = monotonic()
        await super().on_event(event)

    def _collect_garbage(self) -> None:
        """Every GC_FULL_EVERY seconds, once no key or click came for GC_IDLE seconds:
        a full collection (cycles among what was frozen too), and what survived frozen
        again (it lives long)."""
        at = monotonic()
        if at - self._last_input < GC_IDLE or at - self._gc_full_at < GC_FULL_EVERY:
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._gc_full_at = monotonic()

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        """A key that reached the app and that no binding took while the other screens
        were still loading (they load in the background after the board's first paint,
        ~1 s of CPU) is kept: `g` pressed then switches once the grid's key exists,
        instead of doing nothing. (Textual's private hook, called with priority=False
        exactly for keys no widget consumed; the Textual range is pinned.)"""
        handled = await super()._check_bindings(key, priority)
        if not handled and not priority and not self._discovered and len(key) == 1:
            self._early_keys.append(key)
        return handled

    def _press_early_keys(self) -> None:
        self._discovered = True
        keys, self._early_keys = self._early_keys, []
        for key in keys:
            if key in self._bindings.key_to_bindings:
                self.simulate_key(key)

    def check_keymap(self) -> None:
        """Say which ids of the user's keymap match no binding (a typo would otherwise
        leave the key silently unchanged)."""
        from svcdesk.tui.keymap import known_ids

        known = known_ids() | {b.id for bs in self._bindings.key_to_bindings.values() for b in bs}
        unknown = sorted(set(self._keymap) - known)
        if unknown:
            self.notify(
                f"keymap: no binding with id {', '.join(unknown)} (? lists the ids)",
                severity="warning",
                timeout=15,
            )

    def prebuild_modes(self) -> None:
        """Build `self.prebuild`'s screens (and load their data) in the background while the
        board is in view, so the first switch to them is a repaint, not Textual composing
        the screen and parsing its CSS (~300 ms CPU for the grid). Live updates reach them
        when shown again (`DataScreen.on_screen_resume`).

        Textual has no public way to build a mode's screen without switching to it: this
        uses `App._init_mode`, `_screen_stacks` and `_css_update_count`, so pyproject pins
        the tested Textual range and tests/tui/test_console_prebuild.py fails if they
        change."""
        for name in self.prebuild:
            if name in self._installed and self.built_screen(name) is None:
                self._init_mode(name)  # what switch_mode does first, without switching
                # Its widgets get the current stylesheet as they mount. Textual marks only
                # the screens in view as styled, so the switch would re-apply the whole
                # app's CSS (~250 ms CPU) for nothing; a theme change still triggers it.
                self._screen_stacks[name][0]._css_update_count = self._css_update_count

    def built_screen(self, mode: str):
        """The screen of `mode` if it has been built (shown once or prebuilt), else None."""
        stack = self._screen_stacks.get(mode)
        return stack[0] if stack else None

    def _daily_backup(self) -> None:
        """Today's automatic backup (SQLite files; docs/safety.md), in a thread so the console
        never waits for it. A failure is a warning on screen, never a crash."""
        from svcdesk.backups import daily_backup

        try:
            self.backup_made = daily_backup(self.engine)
        except (OSError, sqlite3.Error, SvcDeskError) as exc:
            self.call_from_thread(
                self.notify, f"daily backup failed: {exc}", severity="warning", timeout=15
            )

    def on_unmount(self) -> None:
        if self._gc_threshold is not None:
            gc.set_threshold(*self._gc_threshold)
        with self._watch_lock:
            self._watch_closed = True
            self.watcher.close()

    # -- live updates -------------------------------------------------------------------
    def poll_changes(self) -> None:
        """Ask the watcher whether anything was committed (PRAGMA data_version, LISTEN, or
        a query: a database read, so in a thread, never on the event loop); the screens in
        view reload when it was. A poll still running makes the next one a no-op."""
        if self._polling:
            return
        self._polling = True
        self.run_worker(self._poll, thread=True, group="change-watch", exit_on_error=False)

    def _poll(self) -> None:
        try:
            changed = self._watcher_changed()
        finally:
            self._polling = False
        if changed:
            self.call_from_thread(self._reload_screens)

    def _watcher_changed(self) -> bool:
        """`watcher.changed()`, under the lock `on_unmount` closes it under; False once
        closed (a poll that started as the app was closing)."""
        with self._watch_lock:
            return False if self._watch_closed else self.watcher.changed()

    def _absorb_own_commit(self) -> None:
        self._watcher_changed()

    def data_changed(self) -> None:
        """We committed something: reload the screens in view (others reload on resume);
        the watcher absorbs our own commit in a thread, so it doesn't trigger twice."""
        self.run_worker(
            self._absorb_own_commit, thread=True, group="change-watch", exit_on_error=False
        )
        self._reload_screens()

    def _reload_screens(self) -> None:
        self.generation += 1
        for screen in self.screen_stack:
            if isinstance(screen, DataScreen) and screen.is_attached:
                screen.reload()

    # -- navigation ---------------------------------------------------------------------
    def action_goto(self, name: str) -> None:
        """Show `name`'s main view, always: what was opened on top of the screen in view
        (an order, a form) is closed first, so no mode keeps a stale stacked screen. A
        screen holding unsaved input (`unsaved()` true) asks before it is closed."""
        if any(getattr(s, "unsaved", lambda: False)() for s in self.screen_stack[1:]):
            from svcdesk.tui.confirm import confirm

            confirm(self, "Leave without saving?", lambda: self._goto(name),
                    "What was typed is thrown away.", yes="Leave")  # fmt: skip
            return
        self._goto(name)

    def _goto(self, name: str) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if self.current_mode != name:
            self.switch_mode(name)

    def action_command(self, name: str) -> None:
        registry.COMMANDS[name].run(self)

    def action_help(self) -> None:
        from svcdesk.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def open_order(self, number: str) -> None:
        from svcdesk.tui.screens.order import OrderScreen

        self.push_screen(OrderScreen(number))

    def new_order(self) -> None:
        from svcdesk.tui.screens.order_form import OrderFormScreen

        self.push_screen(OrderFormScreen())

    def open_item(self, kind: str, item_id: int, label: str = "") -> None:
        """Show a customer/technician/... through the screen that registered an opener;
        without one, the board filtered by the item's name."""
        opener = registry.OPENERS.get(kind)
        if opener is not None:
            opener(self, item_id)
            return
        self.action_goto(HOME)
        board = self.screen
        if hasattr(board, "set_text_filter"):
            board.set_text_filter(label)


@registry.register_command("new-order", "New order", key="n", help="Take a call: a new order")
def _new_order(app: SvcDeskApp) -> None:
    app.new_order()


@registry.register_command("theme", "Toggle light/dark theme", help="For light terminals")
def _toggle_theme(app: SvcDeskApp) -> None:
    app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"


FOOTER_COMMANDS = frozenset({"new-order"})


def make_app(
    engine: Engine,
    *,
    watch_interval: float | None = 1.0,
    actor: str = "dispatcher",
    board_limit: int = 100,
    watcher: ChangeWatcher | None = None,
    backup_on_open: bool = True,
    keymap: dict[str, str] | None = None,
    freeze_gc: bool = False,
) -> SvcDeskApp:
    """The console over `engine`. Tests pass `watch_interval=None` to poll by hand.
    `backup_on_open`: take today's automatic backup (SQLite) in the background.
    `keymap`: binding id -> keys (the user's keymap file: `keymap.load_keymap`).
    `freeze_gc`: the console is the process (`SvcDeskApp._freeze_long_lived`)."""
    return SvcDeskApp(
        engine,
        watch_interval=watch_interval,
        actor=actor,
        board_limit=board_limit,
        watcher=watcher,
        backup_on_open=backup_on_open,
        keymap=keymap,
        freeze_gc=freeze_gc,
    )
