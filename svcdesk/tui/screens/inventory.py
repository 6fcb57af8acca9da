"""Inventory (`P`, shift+p): on-hand per warehouse and truck (filter with `/` by SKU, name or
location), the reorder report, and the truck restock proposal accepted in one step (`a`).

Keys: `/` filter, `tab` switch tables, `a` restock all trucks to par from the warehouse."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, Static

from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.inventory import restock
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.confirm import confirm, plural
from svcdesk.tui.data import call
from svcdesk.tui.registry import register_screen
from svcdesk.tui.widgets.table import KeyTable


def fetch(text: str):
    return call(restock.inventory_view, text)


def restock_all(actor: str):
    return call(restock.restock_to_par, accept=True, actor=actor, then=lambda run: run.moves)


class InventoryScreen(DataScreen):
    help_title = "Inventory"
    DEFAULT_CSS = """
    InventoryScreen #inv-filter { display: none; }
    InventoryScreen #inv-filter.shown { display: block; }
    InventoryScreen #inv-head, InventoryScreen #re-head { height: 1; padding: 0 1; }
    InventoryScreen #onhand { height: 2fr; }
    InventoryScreen #reorder { height: 1fr; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("a", "restock", "Restock trucks"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.data: restock.InventoryView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter: SKU, name or location", id="inv-filter")
        with Vertical():
            yield Static(id="inv-head")
            yield key_table(
                "onhand", ("Location", 22), ("SKU", 14), ("Name", 34), ("On hand", 9), ("Unit", 5)
            )
            yield Static(id="re-head")
            yield key_table(
                "reorder",
                ("Location", 22),
                ("SKU", 14),
                ("Name", 30),
                ("On hand", 9),
                ("Point/min", 9),
                ("Suggest", 8),
                ("Vendor", 18),
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#onhand", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(fetch(self.text), self._show, group="rows")

    def _show(self, data: restock.InventoryView) -> None:
        self.data = data
        self.query_one("#onhand", KeyTable).replace_rows(
            (f"{r.location_id}:{r.sku}", (clip(r.location, 22), r.sku, clip(r.name, 34),
                                          fmt_qty(r.on_hand_milli), r.unit))
            for r in data.on_hand
        )  # fmt: skip
        self.query_one("#reorder", KeyTable).replace_rows(
            (f"{n}", (clip(ln.location, 22), ln.sku, clip(ln.name, 30), fmt_qty(ln.on_hand_milli),
                      fmt_qty(ln.point_milli), fmt_qty(ln.suggest_milli), ln.vendor or ""))
            for n, ln in enumerate(data.reorder)
        )  # fmt: skip
        shown = f" matching {self.text!r}" if self.text else ""
        self.query_one("#inv-head", Static).update(f"{len(data.on_hand)} stock lines{shown}")
        self.query_one("#re-head", Static).update(
            f"{len(data.reorder)} reorder lines · restock proposal: {data.restock_lines} "
            f"transfers ({fmt_qty(data.restock_units)} units) — press a to post them"
        )

    def action_filter(self) -> None:
        box = self.query_one("#inv-filter", Input)
        box.add_class("shown")
        box.focus()

    @on(Input.Submitted, "#inv-filter")
    def _filtered(self, event: Input.Submitted) -> None:
        self.text = event.value.strip()
        if not self.text:
            event.input.remove_class("shown")
        self.query_one("#onhand", KeyTable).focus()
        self.refresh_data()

    def action_restock(self) -> None:
        """Asks first, with the count: posting the proposal moves stock on every truck."""
        if self.data is None:
            return
        if not self.data.restock_lines:
            self.app.notify("every truck is at par (or the warehouse is out)")
            return
        lines, units = self.data.restock_lines, fmt_qty(self.data.restock_units)

        def post() -> None:
            self.save(restock_all(self.app.actor),
                      lambda n: self.app.notify(f"restock: {n} transfers posted"))  # fmt: skip

        confirm(self.app, f"Post {plural(lines, 'restock transfer')} ({units} units)?", post,
                "Stock moves from the warehouse to the trucks.", yes="Post")  # fmt: skip


@register_screen(
    "P", "inventory", "Inventory", help="Stock per warehouse/truck, reorder, restock", order=48
)
def _inventory(app) -> InventoryScreen:
    return InventoryScreen()
