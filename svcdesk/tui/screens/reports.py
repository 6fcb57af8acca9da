"""Dashboard (`r`): KPI tiles, 12-week trends, technician leaderboard, open orders by age.

Every tile and leaderboard row drills down (`enter`) to the orders behind its number.
Trends use Textual's built-in Sparkline (no extra dependency, deterministic in snapshots;
docs/kpis.md says why not textual-plotext). Read model: services/reporting/dashboard.py."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Sparkline, Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.orders.queries import OrderRow
from svcdesk.services.reporting import kpis
from svcdesk.services.reporting.dashboard import (
    LEADER_KEYS,
    TILE_KEYS,
    Dashboard,
    Span,
    Trend,
    dashboard,
    drill,
)
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip, priority_cell
from svcdesk.tui.data import call
from svcdesk.tui.keymap import KeyedBindings
from svcdesk.tui.registry import register_screen
from svcdesk.tui.widgets.table import KeyTable

BAR_WIDTH = 18


# What a KPI's count `n` counts, by the KPI's cohort (services/reporting/kpis.DEFS).
COHORT_NOUNS = {
    "created": "orders", "completed": "completed orders", "cancelled": "orders",
    "responded": "orders", "on_site": "visits", "invoiced": "orders invoiced",
    "revenue": "invoices", "work_time": "visits", "sla_resolved": "SLA clocks",
    "backlog": "open orders", "receivables": "invoices",
}  # fmt: skip
KPI_COHORTS = {d.key: d.cohort for d in kpis.DEFS}


def basis_words(kpi: kpis.Kpi) -> str:
    """What a tile's value was measured on: "from 84 completed orders" (was "over 84")."""
    if kpi.unit == "count":
        return ""  # a count is its own basis
    noun = COHORT_NOUNS.get(KPI_COHORTS.get(kpi.key, ""), "records")
    return f"from {kpi.n} {noun}"


class KpiTile(KeyedBindings, Static, can_focus=True):
    """One KPI: label, value (or 'no data' and why), how many it was measured over."""

    BINDINGS = [Binding("enter", "drill", "Orders behind", show=False)]

    class Drill(Message):
        def __init__(self, key: str, label: str) -> None:
            super().__init__()
            self.key = key
            self.label = label

    def __init__(self, key: str) -> None:
        super().__init__(id=f"tile-{key}", classes="tile")
        self.key = key
        self.kpi: kpis.Kpi | None = None

    def show(self, kpi: kpis.Kpi) -> None:
        self.kpi = kpi
        t = Text()
        t.append(f"{kpi.label}\n", style="dim")
        t.append(f"{kpi.text()}\n", style="bold" if kpi.value is not None else "dim italic")
        t.append(kpi.no_data or basis_words(kpi), style="dim")
        self.update(t)

    def action_drill(self) -> None:
        if self.kpi is not None:
            self.post_message(self.Drill(self.key, self.kpi.label))

    def on_click(self) -> None:
        self.action_drill()


def trend_text(trend: Trend) -> Text:
    t = Text(f"{trend.label} ", style="bold")
    known = [v for v in trend.values if v is not None]
    if not known:
        t.append("no data", style="dim italic")
        return t
    last = kpis.Kpi(trend.key, trend.label, trend.unit, trend.values[-1], 0)
    best = kpis.Kpi(trend.key, trend.label, trend.unit, max(known), 0)
    t.append(f"now {last.text()} · max {best.text()}", style="dim")
    return t


def ages_text(ages: dict[str, int]) -> Text:
    t = Text("Open orders by age\n", style="bold")
    top = max(ages.values(), default=0) or 1
    for bucket, count in ages.items():
        bar = "█" * round(BAR_WIDTH * count / top)
        t.append(f"{bucket:>6} ")
        t.append(f"{bar:<{BAR_WIDTH}}", style="dark_orange" if "30" in bucket else "blue")
        t.append(f" {count}\n")
    return t


class DashboardScreen(DataScreen):
    help_title = "Dashboard"
    DEFAULT_CSS = """
    DashboardScreen #dash-title { height: 1; padding: 0 1; }
    DashboardScreen #tiles { grid-size: 5 2; grid-gutter: 0 1; height: 10; padding: 0 1; }
    DashboardScreen .tile { border: round $border-blurred; height: 5; padding: 0 1; }
    DashboardScreen .tile:focus { border: round $accent; }
    DashboardScreen #dash-lower { height: 1fr; }
    DashboardScreen #trends { width: 44; padding: 0 1; }
    DashboardScreen .trend-label { height: 1; }
    DashboardScreen Sparkline { height: 2; width: 36; margin-bottom: 1; }
    DashboardScreen #leaders { width: 1fr; }
    DashboardScreen #ages { width: 34; padding: 0 1; }
    """
    BINDINGS = [
        Binding("p", "span", "Today/week/30 days"),
        Binding("right", "app.focus_next", "Next", show=False),
        Binding("left", "app.focus_previous", "Previous", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.span = Span.WEEK
        self.data: Dashboard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="dash-title")
        with Grid(id="tiles"):
            for key in TILE_KEYS:
                yield KpiTile(key)
        with Horizontal(id="dash-lower"):
            with Vertical(id="trends"):
                for i in range(3):
                    yield Static(classes="trend-label", id=f"trend-label-{i}")
                    yield Sparkline([], summary_function=max, id=f"trend-{i}")
            leaders = KeyTable(id="leaders")
            for label, width in (("Technician", 16), ("Util", 7), ("Revenue", 11), ("FTF", 7),
                                 ("Profit", 11)):  # fmt: skip
                leaders.add_column(label, width=width, key=label.lower())
            yield leaders
            yield Static(id="ages")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(f"#tile-{TILE_KEYS[0]}", KpiTile).focus()

    def refresh_data(self) -> None:
        span = self.span
        self.load(call(dashboard, span), self._show, group="dashboard")

    def _show(self, data: Dashboard) -> None:
        self.data = data
        p = data.period
        self.query_one("#dash-title", Static).update(
            Text.assemble(
                (f"{data.span.heading} ", "bold"),
                (
                    f"{p.label} · tiles and leaderboard for this span; trends: last 12 weeks · "
                    "enter = orders behind a number",
                    "dim",
                ),
            )  # fmt: skip
        )
        for kpi in data.tiles:
            self.query_one(f"#tile-{kpi.key}", KpiTile).show(kpi)
        for i, trend in enumerate(data.trends):
            self.query_one(f"#trend-label-{i}", Static).update(trend_text(trend))
            self.query_one(f"#trend-{i}", Sparkline).data = [v or 0 for v in trend.values]
        self.query_one("#leaders", KeyTable).replace_rows(
            (str(row.tech_id), (clip(row.name, 16), *[row.kpis[k].text() for k in LEADER_KEYS]))
            for row in data.leaders
        )
        self.query_one("#ages", Static).update(ages_text(data.backlog_ages))

    def action_span(self) -> None:
        self.span = self.span.next()
        self.load(call(dashboard, self.span), self._show_new_span, group="dashboard")

    def _show_new_span(self, data: Dashboard) -> None:
        """A new span is a new ranking: the leaderboard starts at the top again."""
        self.query_one("#leaders", KeyTable).clear()
        self._show(data)

    def on_kpi_tile_drill(self, event: KpiTile.Drill) -> None:
        self.app.push_screen(DrillScreen(event.key, event.label, self.span))

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        if self.data is None:
            return
        tech_id = int(event.row_key.value)
        name = next((r.name for r in self.data.leaders if r.tech_id == tech_id), "")
        self.app.push_screen(
            DrillScreen("orders_completed", f"Orders completed by {name}", self.span, tech_id)
        )


class DrillScreen(DataScreen):
    """The orders behind one number; `enter` opens one, `escape` goes back."""

    help_title = "Orders behind a KPI"
    BINDINGS = [Binding("escape", "back", "Back"), Binding("o", "open", "Open order")]

    def __init__(self, key: str, label: str, span: Span, tech_id: int | None = None) -> None:
        super().__init__()
        self.key, self.label, self.span, self.tech_id = key, label, span, tech_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="drill-title")
        table = KeyTable(id="drill")
        for label, width in (("Order", 10), ("Pri", 9), ("Status", 10), ("Customer", 22),
                             ("Summary", 40), ("Created", 11)):  # fmt: skip
            table.add_column(label, width=width, key=label.lower())
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#drill", KeyTable).focus()

    def refresh_data(self) -> None:
        key, span, tech = self.key, self.span, self.tech_id
        self.load(call(drill, key, span, tech_id=tech), self._show, group="drill")

    def _show(self, rows: list[OrderRow]) -> None:
        zone = self.app.zone
        self.query_one("#drill-title", Static).update(
            Text.assemble(
                (f"{self.label} ", "bold"), (f"{self.span.heading}: {len(rows)} orders", "dim")
            )
        )
        self.query_one("#drill", KeyTable).replace_rows(
            (
                r.number,
                (
                    r.number,
                    priority_cell(r.priority),
                    r.status.replace("_", " "),
                    clip(r.customer, 22),
                    clip(r.summary, 40),
                    fmt(r.created_at, zone, "%m-%d %H:%M"),
                ),
            )  # fmt: skip
            for r in rows
        )

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.app.open_order(event.row_key.value)

    def action_open(self) -> None:
        key = self.query_one("#drill", KeyTable).current_key
        if key:
            self.app.open_order(key)

    def action_back(self) -> None:
        self.app.pop_screen()


@register_screen(
    "r", "reports", "Dashboard", help="KPIs, trends, leaderboard; drill down", order=60
)
def _reports(app) -> DashboardScreen:
    return DashboardScreen()
