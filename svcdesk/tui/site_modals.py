"""A customer's sites in the console (from the customer screen, `s`): the list with each
site's tax zone, `a` adds a site, `enter` edits one. The form saves through
`services/crm/sites` (the same checks as `svcdesk sites add|edit`)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from svcdesk.services.crm import sites as svc
from svcdesk.tui.base import DataModal
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.widgets.table import KeyTable

FIELDS = (  # (input id, label, SiteRow attribute)
    ("address", "street address", "address"),
    ("city", "city", "city"),
    ("state", "state (2 letters)", "state"),
    ("zip", "ZIP (5 or 9 digits)", "zip"),
    ("name", "site name (optional)", "name"),
    ("zone", "tax zone (empty = the default zone)", "tax_zone"),
    ("access", "access notes: gate code, pets", "access_notes"),
    ("lat", "latitude (optional)", "lat"),
    ("lon", "longitude (optional)", "lon"),
)


def _value(row: svc.SiteRow | None, attr: str) -> str:
    if row is None:
        return ""
    value = getattr(row, attr)
    if attr == "tax_zone" and (value.startswith("default") or value == "none"):
        return ""  # (no zone of its own)
    return "" if value is None else str(value)


class SiteForm(DataModal):
    """Add (row None) or edit one site of `customer_id`."""

    BINDINGS = [("ctrl+s", "save", "Save")]

    def __init__(self, customer_id: int, row: svc.SiteRow | None, actor: str) -> None:
        super().__init__()
        self.customer_id, self.row, self.actor = customer_id, row, actor

    def compose(self) -> ComposeResult:
        title = f"Site #{self.row.id}" if self.row else "New site"
        with Vertical(classes="dialog"):
            yield Label(title, classes="title")
            with VerticalScroll(id="site-fields"):
                for field_id, placeholder, attr in FIELDS:
                    yield Input(_value(self.row, attr), placeholder=placeholder,
                                id=f"site-{field_id}")  # fmt: skip
            yield Static(id="error", classes="field-error")
            yield Static("enter or ctrl+s saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#site-address", Input).focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        v = {f: self.query_one(f"#site-{f}", Input).value for f, _, _ in FIELDS}
        row, customer_id, actor = self.row, self.customer_id, self.actor

        fields = svc.site_fields(
            address=v["address"], city=v["city"], state=v["state"], zip_code=v["zip"],
            name=v["name"], tax_zone=v["zone"], access_notes=v["access"], lat=v["lat"],
            lon=v["lon"],
        )  # fmt: skip
        site_id = row.id if row else None
        self.submit(
            call(
                svc.save_site,
                site_id,
                customer_id,
                actor=actor,
                **fields,
                then=lambda site: site.id,
            )
        )


class SitesModal(DataModal):
    """One customer's sites: `a` adds, `enter` edits, `escape` closes."""

    BINDINGS = [("a", "add", "Add site")]
    DEFAULT_CSS = "SitesModal #sites { height: auto; max-height: 16; }"

    def __init__(self, customer_id: int, customer_name: str, actor: str) -> None:
        super().__init__()
        self.customer_id, self.customer_name, self.actor = customer_id, customer_name, actor
        self.rows: dict[str, svc.SiteRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Sites of {self.customer_name}", classes="title")
            yield key_table("sites", ("#", 5), ("Address", 28), ("City", 12), ("Tax", 22),
                            ("Access", 18))  # fmt: skip
            yield Static(id="error", classes="field-error")
            yield Static("a adds a site · enter edits · escape closes", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#sites", KeyTable).focus()
        self._reload()

    def _reload(self) -> None:
        cid = self.customer_id
        self.load(call(svc.list_sites, customer=cid, limit=None), self._show)

    def _show(self, rows: list[svc.SiteRow]) -> None:
        self.rows = {str(r.id): r for r in rows}
        self.query_one("#sites", KeyTable).replace_rows(
            (str(r.id), (str(r.id), clip(r.address, 28), clip(r.city, 12),
                         clip(f"{r.tax_zone}", 22), clip(r.access_notes or "", 18)))
            for r in rows
        )  # fmt: skip

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        row = self.rows.get(event.row_key.value)
        if row is not None:
            self.app.push_screen(SiteForm(self.customer_id, row, self.actor), self._saved)

    def action_add(self) -> None:
        self.app.push_screen(SiteForm(self.customer_id, None, self.actor), self._saved)

    def _saved(self, result) -> None:
        if result is not None:
            self.app.notify(f"site #{result} saved")
            self._reload()
