"""Closeout queue (`C`, shift+c): completed orders missing something before billing (no time, no
outcome, checklist unanswered, no signature, parts not recorded), oldest first.

Keys: `enter` opens the order's field work, `f` jumps straight to the fix for the first
thing missing (the right dialog opens), `v` opens the order itself."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.execution.closeout import LABELS, CloseoutRow, closeout_queue
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.registry import register_screen
from svcdesk.tui.screens.field import open_field
from svcdesk.tui.widgets.table import KeyTable

COLUMNS = (("Order", 10), ("Completed", 12), ("Customer", 24), ("Summary", 30), ("Missing", 52))


class CloseoutScreen(DataScreen):
    help_title = "Closeout queue"
    DEFAULT_CSS = "CloseoutScreen #co-head { height: 1; padding: 0 1; }"
    BINDINGS = [
        Binding("enter", "open", "Field work", show=False),
        Binding("f", "fix", "Fix first problem"),
        Binding("v", "view_order", "View order"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, CloseoutRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="co-head")
        yield key_table("closeout", *COLUMNS)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#closeout", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(call(closeout_queue), self._show, group="rows")

    def _show(self, rows: list[CloseoutRow]) -> None:
        zone = self.app.zone
        self.rows = {r.number: r for r in rows}
        self.query_one("#closeout", KeyTable).replace_rows(
            (r.number, (r.number, fmt(r.completed_at, zone, "%m-%d %H:%M"), clip(r.customer, 24),
                        clip(r.summary, 30),
                        Text(", ".join(LABELS[p] for p in r.problems), style="dark_orange")))
            for r in rows
        )  # fmt: skip
        counts = {p: sum(p in r.problems for r in rows) for p in LABELS}
        summary = " · ".join(f"{n} {LABELS[p]}" for p, n in counts.items() if n)
        self.query_one("#co-head", Static).update(
            f"{len(rows)} completed orders to close out" + (f": {summary}" if summary else "")
        )

    def _current(self) -> CloseoutRow | None:
        return self.cursor_row("#closeout", self.rows)

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self._current()
        if row is not None:
            open_field(self.app, row.number)

    def action_fix(self) -> None:
        row = self._current()
        if row is not None:
            open_field(self.app, row.number, fix=row.problems[0])

    def action_view_order(self) -> None:
        row = self._current()
        if row is not None:
            self.app.open_order(row.number)


@register_screen(
    "C", "closeout", "Closeout", help="Completed orders missing time, parts, sign-off", order=45
)
def _closeout(app) -> CloseoutScreen:
    return CloseoutScreen()
