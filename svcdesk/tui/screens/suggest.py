"""Who should take this order (`a` on the board): ranked technicians with why / why not.

`enter` books the highlighted technician at the proposed start, `1` books the first one,
`m` opens the manual assign dialog, `escape` closes. Technicians who cannot take the order
are listed last with every rule they fail (from the booking rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from svcdesk.errors import BookingRefused, InvalidInput, SvcDeskError
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.orders import lifecycle
from svcdesk.tui.base import DataModal
from svcdesk.tui.columns import key_table
from svcdesk.tui.widgets.table import KeyTable

if TYPE_CHECKING:  # the solver stack (numpy, routing) loads on first use, not at board start
    from svcdesk.services.dispatch.suggest import Suggestion


def load_suggestions(number: str):
    def fn(session) -> tuple[str, int, str, list[Suggestion]]:
        from svcdesk.services.dispatch.suggest import suggest

        order = lifecycle.get_order(session, number)
        return order.number, order.version, order.summary, suggest(session, order)

    return fn


def book_suggestion(number: str, version: int, sug: Suggestion, actor: str):
    def fn(session) -> str:
        from svcdesk.services.dispatch.suggest import book

        order = lifecycle.get_order(session, number)
        visit = book(session, order, sug, actor=actor, expected_version=version)
        return (
            f"{number} booked: {sug.tech_name} {fmt(visit.starts_at, _zone(session), '%a %H:%M')}"
        )

    return fn


def _zone(session):
    from svcdesk.services.common.settings import shop_zone

    return shop_zone(session)


class DispatchModal(DataModal):
    """A wide dialog with a table of options (suggestions, insert options); a booking
    refusal is shown in place."""

    DEFAULT_CSS = """
    DispatchModal > .dispatch-dialog {
        width: auto; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    DispatchModal .title { text-style: bold; margin-bottom: 1; }
    DispatchModal KeyTable { height: auto; max-height: 16; }
    DispatchModal .detail { height: auto; margin-top: 1; }
    """

    def fit_table(self, rows: int, most: int = 16, fill: str | None = None) -> None:
        """The app's CSS makes tables fill their parent: size it to its rows instead, and
        the dialog to its columns; the `fill` column (e.g. "Why") gets the width its
        longest cell needs, or what the terminal has left (the highlighted row's full text
        is shown under the table)."""
        table = self.query_one(KeyTable)
        table.styles.height = min(most, rows + 2)
        if fill is not None and fill in table.columns:
            column = table.columns[fill]
            longest = max(
                (len(str(row[-1])) for row in getattr(self, "_rows", [])), default=column.width
            )
            others = sum(c.width + 2 for k, c in table.columns.items() if k.value != fill)
            room = self.app.size.width - 8 - others - 2  # border, padding, cell padding
            column.width = max(20, min(longest, room))
            column.auto_width = False
            table.refresh(layout=True)
        table.styles.width = sum(c.width + 2 for c in table.columns.values())

    def show_error(self, exc: SvcDeskError) -> bool:
        if isinstance(exc, BookingRefused):
            self.query_one("#error", Static).update("refused: " + "; ".join(exc.reasons))
            return True
        return super().show_error(exc)


class SuggestModal(DispatchModal):
    """Ranked technicians for one order."""

    BINDINGS = [
        Binding("enter", "book_selected", "Book selected"),
        Binding("1", "book_first", "Book first"),
        Binding("m", "manual", "Assign manually"),
    ]

    def __init__(self, number: str, actor: str) -> None:
        super().__init__()
        self.number, self.actor = number, actor
        self.version = 0
        self.suggestions: dict[str, Suggestion] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dispatch-dialog"):
            yield Label(f"Who should take {self.number}?", classes="title", id="suggest-title")
            yield key_table(
                "suggestions",
                ("#", 2),
                ("Technician", 14),
                ("Start", 9),
                ("Drive", 6),
                ("Load", 9),
                ("Hist", 4),
                ("OT", 2),
                ("Why / why not", 52),
            )
            yield Static(id="why", classes="detail")
            yield Static(id="error", classes="refusals")
            yield Static(
                "enter books the highlighted · 1 books the first · m assigns by hand · escape",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one(KeyTable).focus()
        self.load(load_suggestions(self.number), self._show)

    def _show(self, result) -> None:
        from svcdesk.services.dispatch.suggest import explain

        number, self.version, summary, ranked = result
        zone = self.app.zone
        self.suggestions = {str(s.tech_id): s for s in ranked}
        self.query_one("#suggest-title", Label).update(f"Who should take {number}? {summary}")
        rows = []
        for s in ranked:
            style = "" if s.eligible else "dim"
            rows.append(
                (
                    str(s.tech_id),
                    (
                        str(s.rank),
                        Text(s.tech_name, style=style),
                        fmt(s.starts_at, zone, "%a %H:%M") if s.eligible else "-",
                        "" if s.travel_minutes is None else f"{s.travel_minutes}m",
                        f"{s.load_minutes / 60:.1f}/{s.shift_minutes / 60:.1f}h"
                        if s.eligible
                        else "",
                        f"{s.history_customer}" if s.history_customer else "",
                        "!" if s.overtime_risk else "",
                        Text(explain(s, zone), style="red" if not s.eligible else ""),
                    ),
                )
            )
        self._rows = [cells for _, cells in rows]
        self.query_one(KeyTable).replace_rows(rows)
        self.fit_table(len(rows), fill="why / why not")
        self._describe()

    def on_data_table_row_highlighted(self, event) -> None:
        event.stop()
        self._describe()

    def on_data_table_row_selected(self, event) -> None:
        event.stop()
        self.action_book_selected()

    def selected(self) -> Suggestion | None:
        key = self.query_one(KeyTable).current_key
        return self.suggestions.get(key) if key else None

    def _describe(self) -> None:
        s = self.selected()
        why = self.query_one("#why", Static)
        if s is None:
            why.update("")
            return
        lines = s.why if s.eligible else [f"cannot: {r}" for r in s.why_not]
        why.update(f"{s.tech_name}: " + " · ".join(lines))

    def _book(self, s: Suggestion | None) -> None:
        if s is None:
            self.show_error(InvalidInput(f"nobody can take {self.number}"))
            return
        if not s.eligible:
            self.show_error(InvalidInput(f"{s.tech_name} cannot take it: " + "; ".join(s.why_not)))
            return
        self.submit(book_suggestion(self.number, self.version, s, self.actor))

    def action_book_selected(self) -> None:
        self._book(self.selected())

    def action_book_first(self) -> None:
        from svcdesk.services.dispatch.suggest import best

        self._book(best(list(self.suggestions.values())) if self.suggestions else None)

    def action_manual(self) -> None:
        from svcdesk.tui.order_actions import AssignModal

        self.dismiss(None)
        self.app.push_screen(AssignModal(self.number, self.version, self.actor))


class DispatchActions:
    """Board keys from smart dispatch (mixed into the board): suggestions, emergency insert."""

    def action_suggest(self) -> None:
        if row := self._row_or_say():
            self.app.push_screen(SuggestModal(row.number, self.app.actor), self._booked)

    def action_emergency_insert(self) -> None:
        from svcdesk.tui.screens.emergency import InsertModal

        if row := self._row_or_say():
            self.app.push_screen(InsertModal(row.number, self.app.actor), self._booked)

    def _booked(self, message: str | None) -> None:
        if message:
            self.app.notify(message, title="Booked")
