"""One asset (pushed on top of any screen; opener "asset"): warranty, covering agreements
and plans with their next dates, and the full service history (orders, visits with
technicians, outcomes and checklist readings, parts). `enter` opens the order, `escape`
goes back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.reporting.asset_history import AssetHistory, asset_history
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.registry import register_opener
from svcdesk.tui.widgets.table import KeyTable


def head_text(h: AssetHistory) -> Text:
    t = Text()
    t.append(f"{h.label}\n", style="bold")
    t.append(f"{h.customer} · {h.site}\n")
    t.append("Warranty ", style="bold")
    t.append(h.warranty, style="green" if h.warranty.startswith("in warranty") else "")
    if h.installed_on:
        t.append(f" · installed {h.installed_on}")
    t.append("\nCovered by ", style="bold")
    t.append("; ".join(h.agreements) or "no agreement")
    for p in h.plans:
        t.append(f"\nPlan {p['id']} ", style="bold")
        t.append(f"{p['summary']} · next {', '.join(p['next']) or '-'}")
    return t


class AssetScreen(DataScreen):
    help_title = "Asset"
    DEFAULT_CSS = """
    AssetScreen #asset-head { height: auto; padding: 0 1; }
    AssetScreen #asset-orders { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open", "Open order", show=False),
    ]

    def __init__(self, asset_id: int) -> None:
        super().__init__()
        self.asset_id = asset_id

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="asset-head")
            yield key_table(
                "asset-orders",
                ("Order", 9),
                ("Opened", 10),
                ("Kind", 11),
                ("Status", 10),
                ("Summary", 24),
                ("Visits / readings", 48),
                ("Parts", 20),
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#asset-orders", KeyTable).focus()

    def refresh_data(self) -> None:
        asset_id = self.asset_id
        self.load(lambda s: asset_history(s, asset_id), self._show)

    def _show(self, h: AssetHistory) -> None:
        zone = self.app.zone
        self.query_one("#asset-head", Static).update(head_text(h))
        rows = []
        for o in h.orders:
            visits = "; ".join(
                f"{fmt(v.starts_at, zone, '%m-%d')} {', '.join(v.technicians)} {v.outcome or v.status}"
                + (f" [{', '.join(v.readings)}]" if v.readings else "")
                for v in o.visits
            )
            rows.append((o.number, (o.number, fmt(o.created_at, zone, "%Y-%m-%d"), o.kind,
                                    o.status.replace("_", " "), clip(o.summary, 24),
                                    clip(visits, 48), clip("; ".join(o.parts), 20))))  # fmt: skip
        self.query_one("#asset-orders", KeyTable).replace_rows(rows)

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        key = self.query_one("#asset-orders", KeyTable).current_key
        if key:
            self.app.open_order(key)


@register_opener("asset")
def _open_asset(app, asset_id: int) -> None:
    app.push_screen(AssetScreen(asset_id))
