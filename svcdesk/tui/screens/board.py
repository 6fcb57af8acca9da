"""The job board (home, `b`): open orders with SLA time left, counters, filters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from time import monotonic

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, Static
from textual.worker import Worker

from svcdesk.clock import now
from svcdesk.models import OPEN_STATUSES, Priority
from svcdesk.services.agreements import sla_state
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.crm.technicians import list_technicians
from svcdesk.services.orders import queries
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip, priority_cell, sla_cell, window_text
from svcdesk.tui.columns import Column, fit
from svcdesk.tui.order_actions import OrderActions, QuickFilterModal
from svcdesk.tui.registry import register_screen
from svcdesk.tui.screens.suggest import DispatchActions
from svcdesk.tui.widgets.footer import SteadyFooter
from svcdesk.tui.widgets.table import KeyTable

# By rank: at 100 columns the board keeps number, priority, status, SLA, customer,
# technician, scheduled and promised; wider terminals add summary, city and skill and
# give the rest to summary and customer (columns.fit).
COLUMNS = (
    Column("Number", 9, rank=0),
    Column("Pri", 9, rank=1),
    Column("Status", 10, rank=2),
    Column("Customer", 11, rank=4, grow=3, most=28),
    Column("City", 10, rank=9, grow=1, most=14),
    Column("Summary", 16, rank=8, grow=5, most=60),
    Column("Skill", 10, rank=10),
    Column("Technician", 10, rank=5, grow=1, most=18),
    Column("Scheduled", 9, rank=6),
    Column("Promised", 12, rank=7),
    Column("SLA", 12, rank=3),
)


ROWS_PER_QUERY = 2000
KNOWN_FOR = 60.0  # seconds rows read for the board are reused while a filter is typed
KNOWN_MOST = 5000  # rows kept for that
BACKLOG_MOST = 5000  # orders of a filter read whole, so text typed over them is answered in memory


@dataclass(frozen=True)
class BoardFilter:
    text: str = ""
    status: str | None = None
    priority: str | None = None
    tech_id: int | None = None
    tech_name: str | None = None
    unassigned: bool = False
    today: bool = False
    overdue: bool = False
    sort: str = "priority"

    def describe(self) -> str:
        parts = []
        if self.text:
            parts.append(f"text “{self.text}”")
        if self.status:
            parts.append(f"status {status_words(self.status)}")
        if self.priority:
            parts.append(f"priority {self.priority}")
        if self.tech_name:
            parts.append(f"tech {self.tech_name}")
        parts += [name for name in ("unassigned", "today", "overdue") if getattr(self, name)]
        return ", ".join(parts) or "all open orders"

    def filters(self) -> dict:
        return {
            "statuses": [self.status] if self.status else None,
            "priority": self.priority,
            "tech_id": self.tech_id,
            "unassigned": self.unassigned,
            "today": self.today,
            "overdue": self.overdue,
            "text": self.text or None,
        }


@dataclass(frozen=True)
class BoardPage:
    """Rows of the board (a slice of `ids`) with their SLA states; `ids` is every order
    matching the filter, in board order (set on a full load, None on a next page)."""

    ids: list[int] | None
    rows: list[queries.OrderRow]
    slas: dict


def fetch_board(session, flt: BoardFilter, want: int, known: BoardPage | None = None) -> BoardPage:
    """Every matching id (one filter pass: the count and the pages both come from it) and
    the rows of the first `want`. Rows (and SLA states) in `known`, read since the data
    last changed, are not read again: typing a filter mostly narrows what is shown."""
    ids = queries.order_ids(session, **flt.filters(), sort=flt.sort)
    have = {r.id: r for r in known.rows} if known else {}
    fresh = fetch_rows(session, flt, [i for i in ids[:want] if i not in have])
    have.update((r.id, r) for r in fresh.rows)
    slas = {**known.slas, **fresh.slas} if known else fresh.slas
    rows = [have[i] for i in ids[:want]]
    return BoardPage(ids, rows, {r.id: slas[r.id] for r in rows if r.id in slas})


@dataclass(frozen=True)
class Backlog:
    """Every order of a filter without text (`base`), in board order, with its row, SLA
    state and text key: a text typed over it is answered in memory, with the rule of the
    SQL filter (`queries.text_matches`), instead of a query per key. Read whole in the
    background after the board shows a filter's first page (`BoardScreen._read_backlog`),
    again after the data changes, and after KNOWN_FOR seconds (SLA states move on)."""

    base: BoardFilter
    ids: list[int]
    rows: dict[int, queries.OrderRow]
    slas: dict
    keys: dict[int, queries.TextKey]
    read_at: float  # monotonic

    def page(self, text: str, want: int) -> BoardPage:
        """The orders matching `text`, the first `want` of them with their rows."""
        keys, matches = self.keys, queries.text_matcher(text)
        ids = [i for i in self.ids if matches(keys[i])] if text else self.ids
        rows = [self.rows[i] for i in ids[:want]]
        return BoardPage(ids, rows, {r.id: self.slas[r.id] for r in rows if r.id in self.slas})

    def rows_of(self, ids: list[int]) -> BoardPage:
        rows = [self.rows[i] for i in ids]
        return BoardPage(None, rows, {r.id: self.slas[r.id] for r in rows if r.id in self.slas})


def fetch_backlog(session, base: BoardFilter, known: BoardPage) -> Backlog | None:
    """`base`'s whole backlog (None when it holds more than BACKLOG_MOST orders: typing
    then filters in SQL). Rows and SLA states in `known` are not read again."""
    read_at = monotonic()
    ids = queries.order_ids(session, **base.filters(), sort=base.sort)
    if len(ids) > BACKLOG_MOST:
        return None
    have = {r.id: r for r in known.rows}
    fresh = fetch_rows(session, base, [i for i in ids if i not in have])
    have.update((r.id, r) for r in fresh.rows)
    slas = {**known.slas, **fresh.slas}
    rows = {i: have[i] for i in ids}
    keys = queries.text_keys(session, ids)
    return Backlog(base, ids, rows, {i: slas[i] for i in ids if i in slas}, keys, read_at)


def fetch_rows(session, flt: BoardFilter, ids: list[int]) -> BoardPage:
    # Read in slices: `end` may ask for tens of thousands (SQLite allows 32,766 parameters).
    # The ids are in board order, so the slices' rows are too.
    rows = [
        row
        for at in range(0, len(ids), ROWS_PER_QUERY)
        for row in queries.orders_by_id(session, ids[at : at + ROWS_PER_QUERY], sort=flt.sort)
    ]
    return BoardPage(None, rows, sla_state.states_for(session, [r.id for r in rows]))


def row_cells(row: queries.OrderRow, zone, sla=None, widths: dict[str, int] | None = None) -> tuple:
    """The cells of the columns in `widths` (key -> width; every column when None)."""
    widths = widths or {c.key: c.width for c in COLUMNS}
    cells = {
        "number": lambda w: row.number,
        "pri": lambda w: priority_cell(row.priority),
        "status": lambda w: status_words(row.status),
        "customer": lambda w: clip(row.customer, w),
        "city": lambda w: clip(row.city, w),
        "summary": lambda w: clip(row.summary, w),
        "skill": lambda w: clip(row.skill, w),
        "technician": lambda w: clip(", ".join(row.technicians), w),
        "scheduled": lambda w: fmt(row.scheduled_start, zone, "%a %H:%M"),
        "promised": lambda w: clip(window_text(row.window_start, row.window_end, zone), w),
        "sla": lambda w: sla_cell(sla),
    }
    return tuple(cells[key](width) for key, width in widths.items())


def counters_text(c: queries.BoardCounts) -> Text:
    text = Text()
    for label, value, alarm in (
        ("New", c.new, False),
        ("Unassigned", c.unassigned, False),
        ("Today", c.today, False),
        ("Overdue", c.overdue, True),
        ("On hold", c.on_hold, False),
        ("Open", c.open, False),
    ):
        text.append(f"{label} ", style="bold")
        text.append(str(value), style="bold red" if alarm and value else "")
        text.append("   ")
    return text


class FilterInput(Input):
    """The board's filter box. Textual's Input asks for a layout pass of the whole screen
    on every keystroke (its virtual size is re-set as the value changes); this one is one
    line at the screen's width whatever it holds (svcdesk.tcss), so a keystroke only
    repaints it (a layout pass was ~10 ms of every filter key on the board)."""

    def refresh(
        self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False
    ):
        return super().refresh(*regions, repaint=repaint, layout=False, recompose=recompose)


class BoardScreen(DispatchActions, OrderActions, DataScreen):
    help_title = "Job board"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("enter", "open", "Open", show=False),
        Binding("a", "suggest", "Assign"),  # smart dispatch: ranked technicians (suggest.py)
        Binding("A", "assign", "Assign manually", show=False),
        Binding("E", "emergency_insert", "Insert into today", show=False),
        Binding("s", "status", "Status"),
        Binding("f", "quick_filter", "Quick filter"),
        Binding("u", "toggle('unassigned')", "Unassigned", show=False),
        Binding("d", "toggle('today')", "Today", show=False),
        Binding("o", "toggle('overdue')", "Overdue", show=False),
        Binding("p", "cycle_priority", "Priority filter", show=False),
        Binding("v", "cycle_sort", "Sort"),
        Binding("x", "clear_filters", "Clear filters", show=False),
        Binding("m", "note", "Note", show=False),
        Binding("h", "hold", "Hold", show=False),
        Binding("end", "last", "Last order", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = BoardFilter()
        self.rows: dict[str, queries.OrderRow] = {}
        self.slas: dict = {}  # order id -> SlaState of the loaded rows
        self.widths: dict[str, int] = {}  # the shown columns (key -> width)
        self.ids: list[int] = []  # every order matching the filter (rows: the first pages)
        self.techs: list[tuple[int, str]] = []
        self._epoch = 0  # bumped by every full load: a page of an older one is dropped
        self._rows_worker: Worker | None = None
        self._more_worker: Worker | None = None
        self._filters_line = ""
        self._pending: bool | None = None  # a load asked for while one ran (keep pages?)
        # rows read since the data last changed (`fetch_board` reuses them)
        self._known = BoardPage(None, [], {})
        self._known_since = 0.0
        # the whole backlog of the filter without its text: text is filtered in memory
        self._backlog: Backlog | None = None
        self._backlog_worker: Worker | None = None
        self._backlog_base: BoardFilter | None = None  # what the worker reads
        self._too_big: BoardFilter | None = None  # a base found over BACKLOG_MOST
        self._data_epoch = 0  # bumped when the data changed: older backlogs are dropped
        # cells drawn for rows, by order id: (row, SLA state, cells), for the current
        # widths and minute (SLA time left is shown to the minute)
        self._cell_cache: dict[int, tuple] = {}
        self._cell_minute: object = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="counters", classes="counters")
        yield FilterInput(
            placeholder="/ filter: number, customer, phone, address, summary",
            id="filter",
            compact=True,
        )
        yield Static(id="filters", classes="filters")
        table = KeyTable(id="orders")
        for column, width in self._fit(self.app.size.width):
            table.add_column(column.label, width=width, key=column.key)
        yield table
        yield SteadyFooter()

    def _fit(self, width: int) -> list:
        fitted = fit(COLUMNS, width)
        self.widths = {column.key: w for column, w in fitted}
        self._cell_cache = {}
        return fitted

    def _cells(self, rows: list[queries.OrderRow], slas: dict):
        """(number, cells) of `rows` for the table: the cells of a row already drawn (the
        same row and SLA state read, this minute, these widths) are not made again."""
        minute = now().replace(second=0, microsecond=0)
        if minute != self._cell_minute or len(self._cell_cache) > 2 * BACKLOG_MOST:
            self._cell_cache, self._cell_minute = {}, minute
        cache, zone, widths = self._cell_cache, self.app.zone, self.widths
        for row in rows:
            sla = slas.get(row.id)
            hit = cache.get(row.id)
            if hit is None or hit[0] is not row or hit[1] is not sla:
                hit = cache[row.id] = (row, sla, row_cells(row, zone, sla, widths))
            yield row.number, hit[2]

    def on_resize(self) -> None:
        """Columns chosen again for the new width; the loaded rows redrawn for them."""
        fitted = self._fit(self.size.width)
        self.query_one(KeyTable).set_columns(
            [(c.key, c.label, w) for c, w in fitted],
            self._cells(list(self.rows.values()), self.slas),
        )

    def on_mount(self) -> None:
        table = self.query_one(KeyTable)
        table.focus()
        self.watch(table, "scroll_y", self._scrolled, init=False)

    # -- data ---------------------------------------------------------------------------
    # The board holds every open order, a page (`app.board_limit` rows) at a time: the
    # first page on a new filter, the next when the cursor or the scroll nears the end.
    # A reload (live update) re-reads as many rows as are loaded, so the cursor stays.
    # Loads never overlap: a filter typed while one runs waits for it and then runs once
    # with the latest filter (a burst of keys costs one or two queries, not one per key).
    def refresh_data(self) -> None:
        self._data_epoch += 1
        self._backlog = self._too_big = None
        self.load_rows(keep_pages=True)
        self.load(self._fetch_side, self._show_side, group="counts")

    def load_rows(self, keep_pages: bool = False) -> None:
        if not keep_pages and self._show_backlog():
            return  # answered in memory
        if self._rows_worker is not None and not self._rows_worker.is_finished:
            self._pending = keep_pages and self._pending is not False
            return
        self._pending = None
        self._epoch += 1
        page = self.app.board_limit
        want = max(page, len(self.rows)) if keep_pages else page
        flt, epoch = self.filter, self._epoch
        stale = monotonic() - self._known_since > KNOWN_FOR or len(self._known.rows) > KNOWN_MOST
        if keep_pages or stale:  # a reload: the data changed (or the SLA states moved on)
            self._known, self._known_since = BoardPage(None, [], {}), monotonic()
        known = self._known
        self._rows_worker = self.load(
            lambda s: fetch_board(s, flt, want, known),
            lambda result: self._show_rows(epoch, result),
            group="rows",
        )

    def load_more(self) -> None:
        """The next page, when the cursor or the scroll is near the end of what is loaded."""
        table = self.query_one(KeyTable)
        loaded = table.row_count
        if loaded >= len(self.ids) or not loaded or self._busy():
            return
        near = max(table.size.height, 10)
        bottom = table.scroll_y + table.scrollable_content_region.height
        if table.cursor_row < loaded - near and bottom < loaded - near:
            return
        flt, epoch, ids = self.filter, self._epoch, self.ids[loaded : loaded + self.app.board_limit]
        backlog = self._usable_backlog()
        if backlog is not None:
            self._append_rows(epoch, loaded, backlog.rows_of(ids))
            return
        self._more_worker = self.load(
            lambda s: fetch_rows(s, flt, ids),
            lambda result: self._append_rows(epoch, loaded, result),
            group="more",
        )

    def action_last(self) -> None:
        """`end`: to the last order of the filter, loading every row not loaded yet."""
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.action_end()
            return
        table = self.query_one(KeyTable)
        loaded = table.row_count
        if loaded >= len(self.ids) or self._busy():
            table.action_scroll_bottom()
            return
        flt, epoch, ids = self.filter, self._epoch, self.ids[loaded:]

        def show(page: BoardPage) -> None:
            self._append_rows(epoch, loaded, page)
            table.action_scroll_bottom()

        backlog = self._usable_backlog()
        if backlog is not None:
            show(backlog.rows_of(ids))
            return

        self._more_worker = self.load(lambda s: fetch_rows(s, flt, ids), show, group="more")

    def _busy(self) -> bool:
        return any(
            w is not None and not w.is_finished for w in (self._rows_worker, self._more_worker)
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker not in (self._rows_worker, self._more_worker):
            return
        if not event.worker.is_finished:
            return
        if self._pending is not None:
            self.load_rows(keep_pages=self._pending)
        else:
            self.load_more()

    @staticmethod
    def _fetch_side(session):
        techs = [(t.id, t.name) for t in list_technicians(session)]
        return queries.board_counts(session), techs

    def _show_side(self, result) -> None:
        counts, self.techs = result
        self.query_one("#counters", Static).update(counters_text(counts), layout=False)

    def _show_rows(self, epoch: int, page: BoardPage) -> None:
        if epoch != self._epoch or self._pending is not None:
            return  # a newer load follows (its filter is the one in the box)
        self._remember(page)
        self._present(page)
        self.call_after_refresh(self.rows_painted)

    def _present(self, page: BoardPage) -> None:
        self.rows = {r.number: r for r in page.rows}
        self.slas = dict(page.slas)
        self.ids = page.ids or []
        self.query_one(KeyTable).replace_rows(self._cells(page.rows, page.slas))
        self._show_count()

    def rows_painted(self) -> None:
        """The rows of the latest load are on screen."""
        if hasattr(self.app, "start_discovery"):
            self.app.start_discovery()  # the other screens load after the first paint
        self._read_backlog()

    # -- the backlog in memory ----------------------------------------------------------
    def _usable_backlog(self) -> Backlog | None:
        """The backlog read for the filter in the box (any text), if it is read."""
        backlog = self._backlog
        if backlog is None or backlog.base != replace(self.filter, text=""):
            return None
        return backlog

    def _show_backlog(self, keep_pages: bool = False) -> bool:
        """Show the filter from the backlog in memory, when it is read (no query, no
        worker: painted with this key). A backlog older than KNOWN_FOR is read again
        after this paint, and the rows then refreshed in place."""
        backlog = self._usable_backlog()
        if backlog is None:
            return False
        self._pending = None
        self._epoch += 1  # a query still running for an older filter is dropped
        page = self.app.board_limit
        want = max(page, len(self.rows)) if keep_pages else page
        self._present(backlog.page(self.filter.text, want))
        if monotonic() - backlog.read_at > KNOWN_FOR:
            self._read_backlog()
        return True

    def _read_backlog(self) -> None:
        """Read the whole backlog of the filter without its text, in the background,
        unless it is read and fresh, being read, or known to be over BACKLOG_MOST."""
        base = replace(self.filter, text="")
        backlog = self._backlog
        if base == self._too_big:
            return
        fresh = backlog is not None and monotonic() - backlog.read_at <= KNOWN_FOR
        if fresh and backlog.base == base:
            return
        running = self._backlog_worker is not None and not self._backlog_worker.is_finished
        if running and self._backlog_base == base:
            return
        known, epoch = self._known, self._data_epoch
        self._backlog_base = base
        self._backlog_worker = self.load(
            lambda s: fetch_backlog(s, base, known),
            lambda result: self._got_backlog(epoch, base, result),
            group="backlog",
        )

    def _got_backlog(self, epoch: int, base: BoardFilter, backlog: Backlog | None) -> None:
        if epoch != self._data_epoch:
            return  # read before the data changed
        if backlog is None:
            self._too_big = base
            return
        self._backlog = backlog
        if self._usable_backlog() is backlog and not self._busy():
            # the rows on screen brought up to this reading (the same orders, when they
            # came from a query: only changed cells are redrawn)
            self._show_backlog(keep_pages=True)

    def _append_rows(self, epoch: int, loaded: int, page: BoardPage) -> None:
        table = self.query_one(KeyTable)
        if epoch != self._epoch or loaded != table.row_count:
            return  # the list was reloaded meanwhile
        new = [r for r in page.rows if r.number not in self.rows]
        self.rows.update((r.number, r) for r in new)
        self.slas.update(page.slas)
        self._remember(page)
        table.add_rows_keyed(self._cells(new, page.slas))
        self._show_count()

    def _remember(self, page: BoardPage) -> None:
        known = {r.id for r in self._known.rows}
        rows = self._known.rows + [r for r in page.rows if r.id not in known]
        self._known = BoardPage(None, rows, {**self._known.slas, **page.slas})

    def _show_count(self) -> None:
        shown, total, flt = len(self.rows), len(self.ids), self.filter
        count = f"{shown} shown" if shown >= total else f"{shown} of {total} shown"
        line = f"{flt.describe()} · sort {flt.sort} · {count}"
        box = self.query_one("#filters", Static)
        if line != self._filters_line:
            self._filters_line = line
            box.update(line, layout=False)  # one line high (svcdesk.tcss): no re-layout

    def _scrolled(self, _value: float) -> None:
        self.load_more()

    def set_filter(self, **changes) -> None:
        self.filter = replace(self.filter, **changes)
        self.load_rows()

    def set_text_filter(self, text: str) -> None:
        self.query_one("#filter", Input).value = text  # Input.Changed reloads

    # -- selection ----------------------------------------------------------------------
    def current_row(self) -> queries.OrderRow | None:
        key = self.query_one(KeyTable).current_key
        return self.rows.get(key) if key else None

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        self.load_more()

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.app.open_order(event.row_key.value)

    def action_open(self) -> None:
        row = self.current_row()
        if row:
            self.app.open_order(row.number)

    # -- filters ------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.set_filter(text=event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one(KeyTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            self.query_one(KeyTable).focus()

    def action_toggle(self, name: str) -> None:
        self.set_filter(**{name: not getattr(self.filter, name)})

    def action_cycle_priority(self) -> None:
        order = [None, *(p.value for p in Priority)]
        nxt = order[(order.index(self.filter.priority) + 1) % len(order)]
        self.set_filter(priority=nxt)

    def action_cycle_sort(self) -> None:
        sorts = queries.SORTS
        self.set_filter(sort=sorts[(sorts.index(self.filter.sort) + 1) % len(sorts)])

    def action_clear_filters(self) -> None:
        self.filter = BoardFilter(sort=self.filter.sort)
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""  # reloads through Input.Changed
        else:
            self.load_rows()

    def action_quick_filter(self) -> None:
        choices: list[tuple[str, dict]] = [
            ("Unassigned", {"unassigned": True}),
            ("Scheduled today", {"today": True}),
            ("Overdue (SLA passed)", {"overdue": True}),
        ]
        choices += [(f"Status: {status_words(s)}", {"status": s.value}) for s in OPEN_STATUSES]
        choices += [(f"Priority: {p.value}", {"priority": p.value}) for p in Priority]
        choices += [(f"Technician: {n}", {"tech_id": i, "tech_name": n}) for i, n in self.techs]
        choices.append(("Clear all filters", {}))

        def apply(changes: dict | None) -> None:
            if changes is None:
                return
            if not changes:
                self.action_clear_filters()
            else:
                self.set_filter(**changes)

        self.app.push_screen(QuickFilterModal(choices), apply)


@register_screen("b", "board", "Board", help="Open orders by priority and SLA", order=0)
def _board(app) -> BoardScreen:
    return BoardScreen()
