"""One asset (pushed on top of any screen; opener "asset"): warranty, covering agreements
and plans with their next dates, and the full service history (orders, visits with
technicians, outcomes and checklist readings, parts). `enter` opens the order, `escape`
goes back. `e` edits the asset (site, kind, make, model, serial, install date, warranty
end), `x` retires it, `a` adds another asset at the same site — the same service calls as
`svcdesk assets add|edit|retire`."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.crm import asset_forms
from svcdesk.services.crm import customers as crm
from svcdesk.services.reporting.asset_history import AssetHistory, asset_history
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call, call_on
from svcdesk.tui.forms import Field, FormModal
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


def asset_fields(session, asset_id: int) -> dict:
    fields = asset_forms.asset_dict(crm.get_asset(session, asset_id))
    return {k: v for k, v in fields.items() if k not in ("id", "retired_reason")}


def new_asset_fields(site: str, site_hint: str) -> list[Field]:
    """The "New asset" form's fields (FormModal rows), the site filled in with `site`."""
    return [
        ("site", "Site #", site, site_hint),
        ("kind", "Kind", "", "furnace, ac_condenser, water_heater…"),
        ("make", "Make", "", ""),
        ("model", "Model", "", ""),
        ("serial", "Serial", "", ""),
        ("installed", "Installed", "", "e.g. 2021-05-14"),
        ("warranty", "Warranty end", "", "e.g. 2031-05-14"),
    ]


class AssetScreen(DataScreen):
    help_title = "Asset"
    DEFAULT_CSS = """
    AssetScreen #asset-head { height: auto; padding: 0 1; }
    AssetScreen #asset-orders { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open", "Open order", show=False),
        Binding("e", "edit", "Edit"),
        Binding("x", "retire", "Retire"),
        Binding("a", "add", "Add asset here"),
    ]

    def __init__(self, asset_id: int) -> None:
        super().__init__()
        self.asset_id = asset_id
        self.fields: dict = {}

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
        self.load(call(asset_history, asset_id), self._show)
        self.load(call(asset_fields, asset_id), self._set_fields, group="fields")

    def _set_fields(self, fields: dict) -> None:
        self.fields = fields
        if fields["retired_on"]:
            self.sub_title = f"retired {fields['retired_on']}"

    def _show(self, h: AssetHistory) -> None:
        zone = self.app.zone
        self.query_one("#asset-head", Static).update(head_text(h))
        rows = []
        for o in h.orders:
            visits = "; ".join(
                f"{fmt(v.starts_at, zone, '%m-%d')} {', '.join(v.technicians)} {status_words(v.outcome or v.status)}"
                + (f" [{', '.join(v.readings)}]" if v.readings else "")
                for v in o.visits
            )
            rows.append((o.number, (o.number, fmt(o.created_at, zone, "%Y-%m-%d"), o.kind,
                                    o.status.replace("_", " "), clip(o.summary, 24),
                                    clip(visits, 48), clip("; ".join(o.parts), 20))))  # fmt: skip
        self.query_one("#asset-orders", KeyTable).replace_rows(rows)

    # -- forms ------------------------------------------------------------------------------
    def action_edit(self) -> None:
        f, actor, asset_id = self.fields, self.app.actor, self.asset_id
        if not f:
            return

        def make(v: dict[str, str]):
            return call_on(
                crm.get_asset, asset_id, asset_forms.edit_asset_from_text, v, actor=actor
            )

        fields = [
            ("site", "Site #", str(f["site_id"]), "a site of the same customer"),
            ("kind", "Kind", f["kind"], ""),
            ("make", "Make", f["make"] or "", ""),
            ("model", "Model", f["model"] or "", ""),
            ("serial", "Serial", f["serial"] or "", ""),
            ("installed", "Installed", f["installed_on"] or "", "e.g. 2021-05-14"),
            ("warranty", "Warranty end", f["warranty_until"] or "", "e.g. 2031-05-14"),
        ]
        self.app.push_screen(FormModal(f"Edit asset #{asset_id}", fields, make), self._saved)

    def action_retire(self) -> None:
        actor, asset_id = self.app.actor, self.asset_id

        def make(v: dict[str, str]):
            return call(asset_forms.retire_asset_from_text, asset_id, v["on"], v["reason"],
                        actor=actor, then=bool)  # fmt: skip

        fields = [
            ("on", "Retired on", "", "blank = today"),
            ("reason", "Reason", "", "e.g. replaced by a new unit"),
        ]
        self.app.push_screen(FormModal(f"Retire asset #{asset_id}", fields, make), self._saved)

    def action_add(self) -> None:
        f, actor = self.fields, self.app.actor
        if not f:
            return

        def make(v: dict[str, str]):
            return call(asset_forms.add_asset_from_text, v, actor=actor, then=lambda a: a.id)

        fields = new_asset_fields(str(f["site_id"]), "")
        self.app.push_screen(FormModal("New asset", fields, make), self._added)

    def _saved(self, result) -> None:
        if result is not None:
            self.app.notify(f"asset #{self.asset_id} saved")

    def _added(self, asset_id) -> None:
        if asset_id is not None:
            self.app.notify(f"asset #{asset_id} added")
            self.app.push_screen(AssetScreen(asset_id))

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
