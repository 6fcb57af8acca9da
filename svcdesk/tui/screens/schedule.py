"""The schedule grid (`g`): who works when, and booking an unassigned order into a slot.

Left: the grid for one shop-local day (`[`/`]` other days, `.` today). Right: unassigned
orders, most urgent first (`tab` to the list, `j`/`k` pick one, `enter`/`tab` back to the
grid). Put the cursor on a technician's slot: the line under the grid says at once whether
the selected order could be booked there (the booking rules from `services/orders/scheduling.py`);
`a` books it (lead = that technician, duration = the order's estimate), `!` books it anyway
and the override is recorded in the order's history. `enter` on a visit opens its order."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Static

from svcdesk.clock import now
from svcdesk.errors import BookingRefused, SvcDeskError
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.dispatch.schedule_view import (
    SLOT_MINUTES,
    DaySchedule,
    SlotCheck,
    UnassignedOrder,
    book_slot,
    day_schedule,
    slot_check,
    unassigned_orders,
)
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip, priority_cell
from svcdesk.tui.registry import register_screen
from svcdesk.tui.widgets.footer import SteadyFooter
from svcdesk.tui.widgets.schedule_grid import ScheduleGrid
from svcdesk.tui.widgets.table import KeyTable

SIDE_BY_SIDE_FROM = 130  # the grid (names + a 07:00-19:00 day at 3 cells a slot) + list


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class ScheduleScreen(DataScreen):
    help_title = "Schedule grid"
    DEFAULT_CSS = """
    ScheduleScreen #sched-body { height: 1fr; }
    ScheduleScreen #sched-side { width: 42; border-left: vkey $border-blurred; }
    ScheduleScreen.-narrow #sched-body { layout: vertical; }
    ScheduleScreen.-narrow #sched-side { width: 1fr; height: 9; border-left: none;
                                         border-top: hkey $border-blurred; }
    ScheduleScreen #unassigned { height: 1fr; }
    ScheduleScreen #sched-day, ScheduleScreen #sched-status { height: 1; padding: 0 1; }
    ScheduleScreen #sched-day { background: $boost; }
    ScheduleScreen #sched-check { height: auto; max-height: 4; padding: 0 1; }
    ScheduleScreen .ok { color: $success; }
    """
    BINDINGS = [
        Binding("left_square_bracket", "day(-1)", "Prev day", key_display="["),
        Binding("right_square_bracket", "day(1)", "Next day", key_display="]"),
        Binding("full_stop", "today", "Today", key_display="."),
        Binding("a", "book(False)", "Book here"),
        Binding("exclamation_mark", "book(True)", "Force book", key_display="!"),
        Binding("enter", "open", "Open visit", show=False),
        Binding("D", "plan", "Day plan", show=False),  # dispatch: screens/dayplan.py
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None
        self.schedule: DaySchedule | None = None
        self.orders: dict[str, UnassignedOrder] = {}
        self._checked: tuple | None = None  # the last (order, slot, data) checked
        self._orders_due = False  # reload the unassigned list after the next grid load

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="sched-day")
        with Horizontal(id="sched-body"):
            yield ScheduleGrid(id="grid")
            with Vertical(id="sched-side"):
                yield Static("Unassigned (tab to pick)", classes="section-title")
                table = KeyTable(id="unassigned")
                table.add_column("Number", width=9, key="number")
                table.add_column("Pri", width=9, key="pri")
                table.add_column("Skill", width=10, key="skill")
                table.add_column("Min", width=4, key="min")
                yield table
        yield Static(id="sched-status")
        yield Static(id="sched-check")
        yield SteadyFooter()

    def on_resize(self) -> None:
        """Below SIDE_BY_SIDE_FROM columns the unassigned list goes under the grid, so the
        grid keeps the terminal's whole width for the shop's day."""
        self.set_class(self.size.width < SIDE_BY_SIDE_FROM, "-narrow")

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < SIDE_BY_SIDE_FROM, "-narrow")
        self.day = self.today()
        self.query_one(ScheduleGrid).focus()

    def today(self) -> date:
        return now().astimezone(self.app.zone).date()

    # -- data -----------------------------------------------------------------------------
    def refresh_data(self) -> None:
        """The grid first; the unassigned list once the grid is drawn (not competing)."""
        self._orders_due = True
        self.load_day()

    def load_day(self) -> None:
        day, zone = self.day or self.today(), self.app.zone
        self.load(lambda s: day_schedule(s, day, zone=zone), self._show, group="schedule")

    def _show(self, schedule: DaySchedule) -> None:
        grid = self.query_one(ScheduleGrid)
        keep = None
        if grid.schedule is not None and grid.current_lane is not None:
            keep = (grid.current_lane.id, grid.current_minute)
        local = now().astimezone(self.app.zone)
        now_minute = local.hour * 60 + local.minute if schedule.day == local.date() else None
        self.schedule = schedule
        grid.set_schedule(schedule, now_minute=now_minute, keep=keep)
        self._day_line()
        self._describe()
        if self._orders_due:
            self._orders_due = False
            self.load(unassigned_orders, self._show_orders, group="unassigned")

    def _show_orders(self, orders: list[UnassignedOrder]) -> None:
        self.orders = {o.number: o for o in orders}
        self.query_one("#unassigned", KeyTable).replace_rows(
            (o.number, (o.number, priority_cell(o.priority), o.skill or "", str(o.est_minutes)))
            for o in orders
        )
        self._day_line()
        self._describe()

    def _day_line(self) -> None:
        schedule = self.schedule
        if schedule is None:
            return
        booked = sum(len(lane.visits) for lane in schedule.lanes)
        label = "today" if schedule.day == self.today() else f"{schedule.day:%a}"
        self.query_one("#sched-day", Static).update(
            f"{schedule.day:%A %Y-%m-%d} ({label}) · {len(schedule.lanes)} technicians · "
            f"{booked} visit{'s' if booked != 1 else ''} · {len(self.orders)} unassigned · "
            f"{hhmm(schedule.start_minute)}–{hhmm(schedule.end_minute)} {self.app.zone}"
        )

    # -- selection ------------------------------------------------------------------------
    def selected_order(self) -> UnassignedOrder | None:
        key = self.query_one("#unassigned", KeyTable).current_key
        return self.orders.get(key) if key else None

    def on_schedule_grid_cursor_moved(self, event: ScheduleGrid.CursorMoved) -> None:
        event.stop()
        self._describe()

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        event.stop()
        self._describe()

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.query_one(ScheduleGrid).focus()

    def _describe(self) -> None:
        """Cursor line, and a live check of the selected order against the cursor slot."""
        grid = self.query_one(ScheduleGrid)
        lane, minute, cell = grid.current_lane, grid.current_minute, grid.current_cell
        status = self.query_one("#sched-status", Static)
        check = self.query_one("#sched-check", Static)
        if lane is None or minute is None or cell is None:
            status.update("no technicians")
            check.update("")
            return
        text = Text()
        text.append(f"{lane.name} {hhmm(minute)}–{hhmm(minute + SLOT_MINUTES)}: ", style="bold")
        if cell.visit is not None:
            v = cell.visit
            zone = self.app.zone
            text.append(
                f"{v.number} {status_words(v.status)} {fmt(v.starts_at, zone, '%H:%M')}–"
                f"{fmt(v.ends_at, zone, '%H:%M')} {v.customer}, {v.city} · {clip(v.summary, 40)}"
            )
        else:
            text.append({"free": "free", "off": "off shift", "timeoff": "time off"}[cell.kind])
        text.append(f"  ·  booked {lane.booked_minutes / 60:.1f}/{lane.shift_minutes / 60:.1f}h")
        status.update(text)
        order = self.selected_order()
        if order is None:
            check.update(Text("No unassigned order selected", style="dim"))
            return
        number, tech_id, day = order.number, lane.id, self.schedule.day
        key = (number, order.version, tech_id, day, minute, id(self.schedule))
        if key == self._checked:  # the same question again (e.g. a redraw): no new query
            return
        self._checked = key
        check.update(Text(f"{order.number}: checking…", style="dim"))
        self.load(
            lambda s: slot_check(s, number, tech_id, day, minute),
            lambda found: self._show_check(order, lane.name, minute, found),
            group="check",
        )

    def _show_check(self, order: UnassignedOrder, name: str, minute: int, found: SlotCheck) -> None:
        head = (
            f"{order.number} ({order.priority}, {order.skill or 'any skill'}, "
            f"{order.est_minutes} min, {clip(order.customer, 20)}) → {name} {hhmm(minute)}: "
        )
        text = Text(head)
        if found.problems:
            text.append("refused: " + "; ".join(found.problems), style="bold red")
            text.append("  (! to force)", style="dim")
        else:
            text.append("bookable — press a", style="bold green")
        if found.sla_warning:
            text.append(f"  ·  {found.sla_warning}", style="bold dark_orange")
        self.query_one("#sched-check", Static).update(text)

    # -- actions --------------------------------------------------------------------------
    def action_day(self, delta: int) -> None:
        self.day = (self.day or self.today()) + timedelta(days=delta)
        self.load_day()

    def action_today(self) -> None:
        self.day = self.today()
        self.load_day()

    def action_plan(self) -> None:
        from svcdesk.tui.screens.dayplan import DayPlanScreen

        self.app.push_screen(DayPlanScreen(self.day or self.today()))

    def action_open(self) -> None:
        cell = self.query_one(ScheduleGrid).current_cell
        if cell is not None and cell.visit is not None:
            self.app.open_order(cell.visit.number)

    def action_book(self, force: bool) -> None:
        grid = self.query_one(ScheduleGrid)
        order, lane, minute = self.selected_order(), grid.current_lane, grid.current_minute
        if order is None or lane is None or minute is None or self.schedule is None:
            self.app.notify("Pick an unassigned order first (tab to the list)", severity="warning")
            return
        number, tech_id, day, actor = order.number, lane.id, self.schedule.day, self.app.actor
        version = order.version

        def fn(session):
            visit = book_slot(
                session,
                number,
                tech_id,
                day,
                minute,
                force=force,
                actor=actor,
                expected_version=version,
            )
            return f"{number} booked: {lane.name} {fmt(visit.starts_at, self.app.zone, '%a %H:%M')}–{fmt(visit.ends_at, self.app.zone, '%H:%M')}"

        self.save(fn, self._booked, on_error=self._refused)

    def _booked(self, message: str) -> None:
        self.app.notify(message, title="Booked")

    def _refused(self, exc: SvcDeskError) -> bool:
        if not isinstance(exc, BookingRefused):
            return False
        self.app.notify(
            "\n".join(exc.reasons) + "\nPress ! to book anyway (recorded as an override).",
            title=exc.title,
            severity="error",
        )
        text = Text("refused: " + "; ".join(exc.reasons), style="bold red")
        text.append("  (! to force)", style="dim")
        self.query_one("#sched-check", Static).update(text)
        return True


@register_screen(
    "g", "schedule", "Schedule", help="Technicians × the day; book from here", order=10
)
def _schedule(app) -> ScheduleScreen:
    return ScheduleScreen()
