"""The schedule grid: technicians as rows, the day in 30-minute columns.

One widget draws the whole grid through the Line API (`render_line` returns a Strip of a
few Rich segments per row), so 60 technicians × 26 columns cost 60 short strips, not
thousands of widgets. The header row and the name column stay in place while the rows
scroll. Styles come from component classes (theme variables), so dark and light themes
both read well.

A visit block is labelled with its customer (the status line under the grid names the
order under the cursor). Cell kinds: `free`, `off` (outside the shift), `timeoff`, `clash` (two visits at once),
or the status of the visit in it (`scheduled`, `dispatched`, `en_route`, `on_site`,
`completed`)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from svcdesk.services.dispatch.schedule_view import SLOT_MINUTES, DaySchedule, TechLane, VisitBlock
from svcdesk.tui.keymap import KeyedBindings

NAME_WIDTH = 15
MIN_CELL, MAX_CELL = 2, 6
VISIT_KINDS = ("scheduled", "dispatched", "en_route", "on_site", "completed")
KINDS = ("free", "off", "timeoff", "clash", *VISIT_KINDS)
FILL = {"free": "·", "off": "░", "timeoff": "▒"}


@dataclass(frozen=True)
class Cell:
    kind: str
    visit: VisitBlock | None = None


def lane_cells(lane: TechLane, slots: list[int]) -> list[Cell]:
    """What each 30-minute slot of one technician's day holds."""
    cells = []
    for start in slots:
        end = start + SLOT_MINUTES
        visits = lane.visits_at(start, end)
        if len(visits) > 1:
            cells.append(Cell("clash", visits[0]))
        elif visits:
            kind = visits[0].status if visits[0].status in VISIT_KINDS else "scheduled"
            cells.append(Cell(kind, visits[0]))
        elif lane.time_off_at(start, end):
            cells.append(Cell("timeoff"))
        elif not lane.on_shift(start, end):
            cells.append(Cell("off"))
        else:
            cells.append(Cell("free"))
    return cells


def visit_label(customer: str, width: int) -> str:
    """A visit block's label: its customer ("Riverside Cafe", or the first word when the
    whole name does not fit, cut with "…"), never a number that reads like an order's."""
    if width <= 0:
        return ""
    name = " ".join(customer.split())
    if len(name) > width and " " in name:
        name = name.split(" ")[0]
    return name if len(name) <= width else name[: width - 1] + "…"


def lane_text(cells: list[Cell], cell_width: int) -> list[tuple[str, str]]:
    """(text, kind) runs for one row: visit blocks carry their order number at their start."""
    runs: list[tuple[str, str]] = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        j = i + 1
        if cell.visit is not None:
            while j < len(cells) and cells[j].visit is not None and cells[j].visit is cell.visit:
                j += 1
            width = (j - i) * cell_width
            label = visit_label(cell.visit.customer, width - 1)
            if cell.kind == "clash":
                label = ("!" + label)[: width - 1]
            runs.append((label.ljust(width), cell.kind))
        else:
            while j < len(cells) and cells[j].visit is None and cells[j].kind == cell.kind:
                j += 1
            fill = FILL[cell.kind]
            unit = fill + " " * (cell_width - 1) if cell.kind == "free" else fill * cell_width
            runs.append((unit * (j - i), cell.kind))
        i = j
    return runs


def header_text(slots: list[int], cell_width: int) -> str:
    parts = []
    for minute in slots:
        parts.append(
            f"{minute // 60:02d}".ljust(cell_width) if minute % 60 == 0 else " " * cell_width
        )
    return "".join(parts)


class ScheduleGrid(KeyedBindings, ScrollView, can_focus=True):
    """Arrows / h j k l move the cursor (home/end: first/last column); a click moves it."""

    COMPONENT_CLASSES = {
        "schedule-grid--header",
        "schedule-grid--name",
        "schedule-grid--cursor",
        "schedule-grid--now",
        *(f"schedule-grid--{kind}" for kind in KINDS),
    }
    DEFAULT_CSS = """
    ScheduleGrid { height: 1fr; background: $surface; }
    ScheduleGrid > .schedule-grid--header { text-style: bold; color: $text-muted; }
    ScheduleGrid > .schedule-grid--name { color: $text; }
    ScheduleGrid > .schedule-grid--now { text-style: bold; color: $accent; }
    ScheduleGrid > .schedule-grid--cursor { text-style: reverse bold; }
    ScheduleGrid > .schedule-grid--free { color: $text-disabled; }
    ScheduleGrid > .schedule-grid--off { color: $panel-lighten-2; background: $panel; }
    ScheduleGrid > .schedule-grid--timeoff { color: $warning; background: $warning-muted; }
    ScheduleGrid > .schedule-grid--clash { color: $text; background: $error; text-style: bold; }
    ScheduleGrid > .schedule-grid--scheduled { color: $text; background: $primary-muted; }
    ScheduleGrid > .schedule-grid--dispatched { color: $text; background: $primary; }
    ScheduleGrid > .schedule-grid--en_route { color: $text; background: $warning-darken-1; }
    ScheduleGrid > .schedule-grid--on_site { color: $text; background: $success-darken-1; }
    ScheduleGrid > .schedule-grid--completed { color: $text-muted; background: $success-muted; }
    """
    BINDINGS = [
        Binding("left,h", "move(0, -1)", "Earlier", show=False),
        Binding("right,l", "move(0, 1)", "Later", show=False),
        Binding("up,k", "move(-1, 0)", "Up", show=False),
        Binding("down,j", "move(1, 0)", "Down", show=False),
        Binding("home", "edge(0)", "First slot", show=False),
        Binding("end", "edge(1)", "Last slot", show=False),
        Binding("pageup", "move(-10, 0)", "Page up", show=False),
        Binding("pagedown", "move(10, 0)", "Page down", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)
    cursor_col: reactive[int] = reactive(0, always_update=True)

    class CursorMoved(Message):
        """The cursor is on a new cell (after a key, a click, or new data)."""

        def __init__(self, grid: ScheduleGrid) -> None:
            super().__init__()
            self.grid = grid

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schedule: DaySchedule | None = None
        self.now_minute: int | None = None
        self._cells: list[list[Cell]] = []
        self._rows: list[list[tuple[str, str]]] = []
        self._rows_width = 0

    # -- data -----------------------------------------------------------------------------
    def set_schedule(
        self, schedule: DaySchedule, *, now_minute: int | None, keep: tuple[int, int] | None
    ) -> None:
        """Show `schedule`; `keep` = (technician id, minute) to leave the cursor on."""
        self.schedule = schedule
        self.now_minute = now_minute
        slots = schedule.slots
        self._cells = [lane_cells(lane, slots) for lane in schedule.lanes]
        self._rows_width = 0
        row, col = 0, 0
        if keep is not None:
            tech_id, minute = keep
            ids = [lane.id for lane in schedule.lanes]
            row = ids.index(tech_id) if tech_id in ids else min(self.cursor_row, len(ids) - 1)
            col = (minute - schedule.start_minute) // SLOT_MINUTES
        elif now_minute is not None:
            col = (now_minute - schedule.start_minute) // SLOT_MINUTES
        self.virtual_size = Size(self.size.width, len(schedule.lanes) + 1)
        self._place(max(0, row), col)
        self.refresh()

    @property
    def cell_width(self) -> int:
        slots = len(self.schedule.slots) if self.schedule else 1
        free = max(0, self.size.width - NAME_WIDTH)
        return max(MIN_CELL, min(MAX_CELL, free // max(1, slots)))

    @property
    def current_lane(self) -> TechLane | None:
        if not self.schedule or not self.schedule.lanes:
            return None
        return self.schedule.lanes[self.cursor_row]

    @property
    def current_minute(self) -> int | None:
        if not self.schedule:
            return None
        return self.schedule.start_minute + self.cursor_col * SLOT_MINUTES

    @property
    def current_cell(self) -> Cell | None:
        if not self._cells:
            return None
        return self._cells[self.cursor_row][self.cursor_col]

    # -- cursor ---------------------------------------------------------------------------
    def _place(self, row: int, col: int) -> None:
        if not self.schedule or not self.schedule.lanes:
            self.cursor_row = self.cursor_col = 0
            return
        self.cursor_row = max(0, min(row, len(self.schedule.lanes) - 1))
        self.cursor_col = max(0, min(col, len(self.schedule.slots) - 1))
        visible = max(1, self.size.height - 1)
        if self.cursor_row < self.scroll_y:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= self.scroll_y + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def move_to(self, tech_id: int, minute: int) -> None:
        if not self.schedule:
            return
        ids = [lane.id for lane in self.schedule.lanes]
        if tech_id in ids:
            self._place(ids.index(tech_id), (minute - self.schedule.start_minute) // SLOT_MINUTES)

    def action_move(self, rows: int, cols: int) -> None:
        self._place(self.cursor_row + rows, self.cursor_col + cols)

    def action_edge(self, last: int) -> None:
        self._place(self.cursor_row, len(self.schedule.slots) - 1 if last and self.schedule else 0)

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.schedule or offset.y == 0:
            return
        row = int(self.scroll_y) + offset.y - 1
        col = (
            (offset.x - NAME_WIDTH) // self.cell_width
            if offset.x >= NAME_WIDTH
            else self.cursor_col
        )
        self.focus()
        self._place(row, col)

    def on_resize(self) -> None:
        if self.schedule:
            self.virtual_size = Size(self.size.width, len(self.schedule.lanes) + 1)
        self._rows_width = 0

    # -- drawing --------------------------------------------------------------------------
    def _style(self, kind: str) -> Style:
        return self.get_component_rich_style(f"schedule-grid--{kind}")

    def _ensure_rows(self) -> None:
        width = self.cell_width
        if self._rows_width != width or len(self._rows) != len(self._cells):
            self._rows = [lane_text(cells, width) for cells in self._cells]
            self._rows_width = width

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if not self.schedule:
            return Strip.blank(width, base)
        self._ensure_rows()
        if y == 0:
            return self._header_strip(width, base)
        row = int(self.scroll_y) + y - 1
        if row >= len(self.schedule.lanes):
            return Strip.blank(width, base)
        lane = self.schedule.lanes[row]
        name_style = self._style("name")
        if row == self.cursor_row:
            name_style += Style(bold=True)
        segments = [Segment(lane.name[: NAME_WIDTH - 1].ljust(NAME_WIDTH), base + name_style)]
        cw = self.cell_width
        x = 0
        cursor_x = self.cursor_col * cw if row == self.cursor_row else -1
        for text, kind in self._rows[row]:
            style = base + self._style(kind)
            if x <= cursor_x < x + len(text):
                a, b = cursor_x - x, cursor_x - x + cw
                cursor = style + self._style("cursor")
                segments += [
                    Segment(text[:a], style),
                    Segment(text[a:b], cursor),
                    Segment(text[b:], style),
                ]
            else:
                segments.append(Segment(text, style))
            x += len(text)
        return Strip(segments).crop_extend(0, width, base)

    def _header_strip(self, width: int, base: Style) -> Strip:
        sched = self.schedule
        head = self._style("header")
        label = f"{sched.day:%a %m/%d}".ljust(NAME_WIDTH)
        text = header_text(sched.slots, self.cell_width)
        segments = [Segment(label, base + head)]
        if self.now_minute is not None and sched.start_minute <= self.now_minute < sched.end_minute:
            cw = self.cell_width
            at = (self.now_minute - sched.start_minute) // SLOT_MINUTES * cw + cw - 1
            segments += [
                Segment(text[:at], base + head),
                Segment("▼", base + self._style("now")),
                Segment(text[at + 1 :], base + head),
            ]
        else:
            segments.append(Segment(text, base + head))
        return Strip(segments).crop_extend(0, width, base)
