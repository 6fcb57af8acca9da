"""Base class for screens that show database data and follow live updates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from svcdesk.errors import Conflict, SvcDeskError
from svcdesk.tui.data import DataMixin
from svcdesk.tui.widgets.table import KeyTable

T = TypeVar("T")


class DataScreen(DataMixin, Screen):
    """A screen whose `refresh_data()` reloads from the database without losing the cursor
    or filters. Called when the screen is first shown, when it comes back into view after
    data changed, and (while visible) whenever the app's change watcher sees a commit."""

    seen_generation: int = -1

    def on_screen_resume(self) -> None:
        if self.seen_generation != self.app.generation:
            self.reload()

    def reload(self) -> None:
        self.seen_generation = self.app.generation
        self.refresh_data()

    def refresh_data(self) -> None:  # pragma: no cover - overridden
        """Load this screen's data (use `self.load`)."""

    def cursor_row(self, table: str, rows: Mapping[str, T]) -> T | None:
        """The row of `rows` under the cursor of the table `table` (a selector), if any."""
        key = self.query_one(table, KeyTable).current_key
        return rows.get(key) if key else None


class DataModal(DataMixin, ModalScreen):
    """A dialog that saves through a worker and stays open on failure (what was typed is
    kept, the message shows in the widget with id `error`). `Conflict` closes it, says so
    and reloads. `escape` closes without saving."""

    BINDINGS = [("escape", "dismiss_modal", "Close")]

    def action_dismiss_modal(self) -> None:
        self.dismiss(None)

    def submit(self, fn, result_to_dismiss=lambda r: r) -> None:
        def done(result):
            self.dismiss(result_to_dismiss(result))

        self.save(fn, done, on_error=self.show_error)

    def show_error(self, exc: SvcDeskError) -> bool:
        if isinstance(exc, Conflict):
            self.dismiss(None)
            self.app.notify(f"{exc} — reloaded", title=exc.title, severity="warning")
            self.app.data_changed()
            return True
        self.query_one("#error", Static).update(str(exc))
        return True
