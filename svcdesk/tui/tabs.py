"""Screens made of a head line over tabs of tables (the order and field-work screens):
`#<name>-head`, `#<name>-tabs`, one KeyTable `#<tab>-table` a tab, `1`-`n` switch tabs."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from svcdesk.tui.widgets.table import KeyTable

Tabs = Sequence[tuple[str, str, Sequence[str]]]  # (tab id, title, column names)


def tab_bindings(tabs: Tabs) -> list[Binding]:
    return [
        Binding(str(i + 1), f"tab('{tab_id}')", title, show=False)
        for i, (tab_id, title, _) in enumerate(tabs)
    ]


class TabbedTables:
    """Mixin for a Screen: set `tabs_name` and `TABS`; gives compose, `tab_table`, `fill`
    and the `tab` action."""

    tabs_name: str
    TABS: Tabs

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id=f"{self.tabs_name}-head")
        with TabbedContent(id=f"{self.tabs_name}-tabs"):
            for tab_id, title, columns in self.TABS:
                with TabPane(title, id=tab_id):
                    table = KeyTable(id=f"{tab_id}-table")
                    for col in columns:
                        table.add_column(col, key=col.lower())
                    yield table
        yield Footer()

    def tab_table(self, tab_id: str) -> KeyTable:
        return self.query_one(f"#{tab_id}-table", KeyTable)  # type: ignore[attr-defined]

    def fill(self, tab_id: str, rows) -> None:
        self.tab_table(tab_id).replace_rows(rows)

    def action_tab(self, tab_id: str) -> None:
        tabs = self.query_one(f"#{self.tabs_name}-tabs", TabbedContent)  # type: ignore[attr-defined]
        tabs.active = tab_id
        self.tab_table(tab_id).focus()
