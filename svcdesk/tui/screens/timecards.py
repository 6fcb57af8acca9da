"""Time approval (`T`, or `y` on a technician): a week of daily time cards (travel, work,
shop, break, regular and overtime hours, approved or not) and the entries of the
highlighted card. `a` approves the highlighted technician's day, `A` their whole week
(the same service as `svcdesk time approve --day/--week`); only approved time goes to
payroll and onto invoices. `[` / `]` move a week, `u` shows every technician again."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import counted
from svcdesk.services.execution import timecards
from svcdesk.tui.base import DataScreen
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.registry import register_screen, register_select_opener
from svcdesk.tui.widgets.table import KeyTable


def fetch_week(week_of: date | None, tech_id: int | None):
    return call(timecards.week_view, week_of, tech_id)


def approve(tech_id: int, day: date, week: bool, actor: str):
    """The count of entries approved on the day, or over the week of `day`."""
    service = timecards.approve_week if week else timecards.approve_day
    return call(service, tech_id, day, actor=actor)


def approved_cell(card: timecards.DayCard) -> Text:
    if card.running:
        return Text("running", style="bold dark_orange")
    if card.approved:
        return Text("yes", style="green")
    return Text("no", style="bold red")


class TimeApprovalScreen(DataScreen):
    help_title = "Time approval"
    DEFAULT_CSS = """
    TimeApprovalScreen #time-head { height: auto; padding: 0 1; background: $boost; }
    TimeApprovalScreen #time-cards { height: 1fr; }
    TimeApprovalScreen #time-entries { height: 1fr; }
    """
    BINDINGS = [
        Binding("a", "approve(False)", "Approve day"),
        Binding("A", "approve(True)", "Approve week", key_display="A"),
        Binding("left_square_bracket", "week(-1)", "Prev week", key_display="["),
        Binding("right_square_bracket", "week(1)", "Next week", key_display="]"),
        Binding("u", "all_techs", "All technicians"),
    ]

    def __init__(self, tech_id: int | None = None) -> None:
        super().__init__()
        self.tech_id = tech_id
        self.week_of: date | None = None
        self.view: timecards.WeekView | None = None
        self.cards: dict[str, timecards.DayCard] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="time-head")
        yield key_table(
            "time-cards",
            ("Day", 10), ("Tech", 16), ("Travel", 6), ("Work", 6), ("Shop", 5),
            ("Break", 5), ("Reg h", 6), ("OT h", 5), ("Approved", 8),
        )  # fmt: skip
        yield key_table(
            "time-entries",
            ("Id", 6), ("Kind", 6), ("Order", 10), ("Start", 11), ("End", 7), ("Min", 5),
            ("Source", 6), ("Approved", 10),
        )  # fmt: skip
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#time-cards", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(fetch_week(self.week_of, self.tech_id), self._show, group="week")

    def _show(self, view: timecards.WeekView) -> None:
        self.view, self.week_of = view, view.first
        self.cards = {f"{c.technician_id}:{c.day.isoformat()}": c for c in view.cards}
        last = view.first + timedelta(days=6)
        pending = sum(c.entries - c.approved_entries for c in view.cards)
        head = Text(f"Week {view.first:%a %m/%d} – {last:%a %m/%d}", style="bold")
        head.append(f" · {view.technician or 'all technicians'}")
        head.append(f" · {pending} entries to approve" if pending else " · all approved")
        self.query_one("#time-head", Static).update(head)
        self.query_one("#time-cards", KeyTable).replace_rows(
            (key, (f"{c.day:%a %m/%d}", c.technician, c.minutes.get("travel", 0),
                   c.minutes.get("work", 0), c.minutes.get("shop", 0), c.minutes.get("break", 0),
                   f"{c.regular_minutes / 60:.2f}", f"{c.overtime_minutes / 60:.2f}",
                   approved_cell(c)))
            for key, c in self.cards.items()
        )  # fmt: skip
        self._load_entries()

    def current(self) -> timecards.DayCard | None:
        return self.cursor_row("#time-cards", self.cards)

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        event.stop()
        if event.data_table.id == "time-cards":
            self._load_entries()

    def _load_entries(self) -> None:
        card = self.current()
        table = self.query_one("#time-entries", KeyTable)
        if card is None:
            table.replace_rows([])
            return
        tech_id, day = card.technician_id, card.day
        self.load(call(timecards.day_entries, tech_id, day), self._show_entries,
                  group="entries")  # fmt: skip

    def _show_entries(self, rows: list[timecards.EntryRow]) -> None:
        zone = self.app.zone
        self.query_one("#time-entries", KeyTable).replace_rows(
            (str(r.id), (r.id, r.kind, r.order or "", fmt(r.starts_at, zone, "%m-%d %H:%M"),
                         fmt(r.ends_at, zone, "%H:%M") or "running", r.minutes or "",
                         r.source, f"yes ({r.approved_by})" if r.approved else "no"))
            for r in rows
        )  # fmt: skip

    # -- actions ------------------------------------------------------------------------
    def action_approve(self, week: bool) -> None:
        card = self.current()
        if card is None:
            self.app.notify("no time card selected", severity="warning")
            return
        what = f"week of {timecards.week_start(card.day):%m/%d}" if week else f"{card.day:%a %m/%d}"
        name = card.technician

        def done(count: int) -> None:
            self.app.notify(f"{name} {what}: {counted(count, 'entry', 'entries')} approved")

        self.save(approve(card.technician_id, card.day, week, self.app.actor), done)

    def action_week(self, step: int) -> None:
        if self.week_of is None:
            return
        self.week_of = self.week_of + timedelta(days=7 * step)
        self.refresh_data()

    def action_all_techs(self) -> None:
        self.tech_id = None
        self.refresh_data()

    def select_technician(self, tech_id: int) -> None:
        self.tech_id = tech_id
        self.refresh_data()


@register_screen("T", "time", "Time approval", help="Technicians' weeks: approve time", order=25)
def _time(app) -> TimeApprovalScreen:
    return TimeApprovalScreen()


register_select_opener("timecard", "time", TimeApprovalScreen, TimeApprovalScreen.select_technician)
