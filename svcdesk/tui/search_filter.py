"""A `#filter` Input over a screen's main list (customers, invoices): typing sets
`self.text` and reloads, enter goes back to the list, escape leaves the input (and
the places named in `escape_to_list`) for the list, `/` (action_focus_search) focuses it."""

from __future__ import annotations

from textual.widgets import Input

from svcdesk.tui.widgets.table import KeyTable


class SearchFilter:
    """Mixin for a DataScreen: set `list_table` (the list's id); `text` is the filter."""

    list_table: str
    escape_to_list: tuple[str, ...] = ("#filter",)
    text: str = ""

    def focus_list(self) -> None:
        self.query_one(f"#{self.list_table}", KeyTable).focus()  # type: ignore[attr-defined]

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            event.stop()
            self.text = event.value.strip()
            self.refresh_data()  # type: ignore[attr-defined]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.stop()
            self.focus_list()

    def key_escape(self) -> None:
        if any(self.query_one(sel).has_focus for sel in self.escape_to_list):  # type: ignore[attr-defined]
            self.focus_list()

    def action_focus_search(self) -> None:
        self.query_one("#filter", Input).focus()  # type: ignore[attr-defined]
