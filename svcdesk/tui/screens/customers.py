"""Customers (`c`): a directory searched as you type, and one customer's card.

Left: the search box (`/`; name, phone, e-mail or any site address — the same search as
`svcdesk customers list --search`) over the matching customers with open/total orders.
Right: the highlighted customer's details, sites, contacts, assets (warranty flagged) and
full order history, newest first (`tab` to it; `enter` opens the order).

Keys: `a` adds a customer, `e` edits the highlighted one, `m` merges another customer into
it (a possible duplicate is offered first), `A` adds an asset at one of its sites, `y`
opens one of its assets (edit/retire there). Every form saves through the same service
call as the CLI (`services/crm/customers.py`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.crm import customers as crm
from svcdesk.services.crm.asset_forms import add_asset_from_text
from svcdesk.services.orders.customer_view import (
    CustomerCard,
    CustomerListRow,
    card_with_messages,
    customer_rows,
)
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip, priority_cell
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.forms import FormModal
from svcdesk.tui.order_actions import ChoiceModal
from svcdesk.tui.registry import register_screen, register_select_opener
from svcdesk.tui.screens.asset import new_asset_fields
from svcdesk.tui.search_filter import SearchFilter
from svcdesk.tui.widgets.table import KeyTable

SEARCH_LIMIT = 200
MESSAGES = 8  # the latest messages shown on the card (all: the Outbox, O)


def fetch_card(customer_id: int):
    """The customer's card, their latest messages and how they may be messaged."""
    return call(card_with_messages, customer_id, MESSAGES)


def messages_text(recent, consent: str) -> Text:
    t = Text()
    t.append(f"\nMessages ({consent}; p changes)\n", style="bold")
    if not recent:
        t.append("  none yet\n", style="dim")
    for m in recent:
        t.append(f"  {m.when or m.status}  {m.status}  {m.what} · {m.channel} to "
                 f"{clip(m.recipient, 24)}\n")  # fmt: skip
    return t


def card_text(card: CustomerCard) -> Text:
    t = Text()
    t.append(card.name, style="bold")
    t.append(f"  #{card.id} {card.kind}")
    if card.tax_exempt:
        t.append("  tax exempt", style="bold")
    t.append(f"\n{card.phone or 'no phone'} · {card.email or 'no e-mail'}\n")
    if card.billing_address:
        t.append(f"Billing: {card.billing_address}\n")
    if card.notes:
        t.append(f"{card.notes}\n", style="italic")
    if card.merged_into_id:
        t.append(f"merged into #{card.merged_into_id}\n", style="bold red")
    for _, other_id, other, on in card.duplicates:
        t.append(
            f"possible duplicate of {other} (#{other_id}): same {on} — m merges\n",
            style="bold dark_orange",
        )
    t.append(f"Sites ({len(card.sites)})\n", style="bold")
    for s in card.sites:
        t.append(f"  {s.label}" + (f" — {s.name}" if s.name else "") + "\n")
        if s.access_notes:
            t.append(f"    access: {s.access_notes}\n", style="dim")
    if card.contacts:
        t.append(f"Contacts ({len(card.contacts)})\n", style="bold")
        for p in card.contacts:
            bits = [b for b in (p.role, p.phone, p.email) if b]
            t.append(f"  {p.name}" + (f" ({', '.join(bits)})" if bits else "") + "\n")
    if card.assets:
        t.append(f"Assets ({len(card.assets)})\n", style="bold")
        for a in card.assets:
            what = " ".join(b for b in (a.kind.replace("_", " "), a.make, a.model) if b)
            t.append(f"  #{a.id} {what}" + (f" s/n {a.serial}" if a.serial else ""))
            if a.retired_on:
                t.append(f"  retired {a.retired_on:%Y-%m-%d}\n", style="dim")
                continue
            if a.warranty_until:
                t.append(
                    f"  warranty {a.warranty_until:%Y-%m-%d}",
                    style="green" if a.under_warranty else "dim",
                )
            t.append("\n")
    t.append(f"Orders: {len(card.open_orders)} open, {len(card.orders)} in all", style="bold")
    return t


class CustomersScreen(SearchFilter, DataScreen):
    help_title = "Customers"
    list_table = "customers"
    DEFAULT_CSS = """
    CustomersScreen #customers-body { height: 1fr; }
    CustomersScreen #customers-left { width: 1fr; }
    CustomersScreen #customer-pane { width: 70; border-left: vkey $border-blurred; }
    CustomersScreen #customer-card-box { height: auto; max-height: 50%; }
    CustomersScreen #customer-card { height: auto; padding: 0 1; }
    CustomersScreen #customer-orders { height: 1fr; }
    """
    BINDINGS = [
        Binding("slash", "focus_search", "Search", key_display="/"),
        Binding("o", "open", "Open order"),
        Binding("s", "sites", "Sites", show=False),  # (add/edit: tui/site_modals.py)
        Binding("a", "add_customer", "Add"),
        Binding("e", "edit_customer", "Edit"),
        Binding("m", "merge", "Merge"),
        Binding("A", "add_asset", "Add asset"),
        Binding("y", "assets", "Assets"),
        Binding("p", "message_prefs", "Messages", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.rows: dict[str, CustomerListRow] = {}
        self.wanted_id: int | None = None
        self.card: CustomerCard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="customers-body"):
            with Vertical(id="customers-left"):
                yield Input(placeholder="/ search: name, phone, e-mail, address", id="filter")
                yield key_table(
                    "customers",
                    ("Name", 22),
                    ("Phone", 14),
                    ("City", 10),
                    ("Open", 4),
                    ("All", 4),
                )
            with Vertical(id="customer-pane"):
                with VerticalScroll(id="customer-card-box"):
                    yield Static(id="customer-card")
                yield key_table(
                    "customer-orders",
                    ("Number", 9),
                    ("Created", 10),
                    ("Status", 10),
                    ("Pri", 9),
                    ("Summary", 24),
                )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#customers", KeyTable).focus()

    # -- data -----------------------------------------------------------------------------
    def refresh_data(self) -> None:
        text = self.text
        self.load(call(customer_rows, text, SEARCH_LIMIT), self._show, group="rows")

    def _show(self, rows: list[CustomerListRow]) -> None:
        self.rows = {str(r.id): r for r in rows}
        table = self.query_one("#customers", KeyTable)
        table.replace_rows(
            (
                str(r.id),
                (
                    clip(r.name, 22),
                    r.phone or "",
                    clip(r.city, 10),
                    str(r.open_orders),
                    str(r.total_orders),
                ),
            )
            for r in rows
        )
        wanted, self.wanted_id = self.wanted_id, None
        if wanted is not None and str(wanted) in self.rows:
            table.move_cursor(row=table.get_row_index(str(wanted)), animate=False)
        elif wanted is not None:  # beyond the list's limit: show the card anyway
            self.load(fetch_card(wanted), self._show_card, group="card")
            return
        self._load_card()

    def current(self) -> CustomerListRow | None:
        return self.cursor_row("#customers", self.rows)

    def _load_card(self) -> None:
        row = self.current()
        if row is None:
            self.query_one("#customer-card", Static).update(
                Text(f"No customer matches “{self.text}”", style="dim")
            )
            self.query_one("#customer-orders", KeyTable).replace_rows([])
            return
        cid = row.id
        self.load(fetch_card(cid), self._show_card, group="card")

    def _show_card(self, loaded) -> None:
        card, recent, consent = loaded
        self.card = card
        zone = self.app.zone
        self.query_one("#customer-card", Static).update(
            card_text(card) + messages_text(recent, consent)
        )
        self.query_one("#customer-orders", KeyTable).replace_rows(
            (
                o.number,
                (
                    o.number,
                    fmt(o.created_at, zone, "%Y-%m-%d"),
                    o.status.replace("_", " "),
                    priority_cell(o.priority),
                    clip(o.summary, 24),
                ),
            )
            for o in card.orders
        )

    # -- events ---------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        event.stop()
        if event.data_table.id == "customers":
            self._load_card()

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "customers":
            self.query_one("#customer-orders", KeyTable).focus()
        else:
            self.app.open_order(event.row_key.value)

    def action_open(self) -> None:
        key = self.query_one("#customer-orders", KeyTable).current_key
        if key:
            self.app.open_order(key)

    def action_message_prefs(self) -> None:
        """Consent, preferred channel and opt-outs of the highlighted customer."""
        from svcdesk.services.crm.customers import get_customer
        from svcdesk.tui.screens.outbox import ask_preferences

        row = self.current()
        if row is not None:
            cid = row.id
            ask_preferences(self, row.name, call(get_customer, cid))

    def action_sites(self) -> None:
        from svcdesk.tui.site_modals import SitesModal

        row = self.current()
        if row is not None:
            self.app.push_screen(SitesModal(row.id, row.name, self.app.actor), self._sites_closed)

    def _sites_closed(self, _result) -> None:
        self._load_card()

    # -- forms (the rules live in services/crm/customers.py) --------------------------------
    def _after_save(self, customer_id) -> None:
        if customer_id:
            self.select_customer(int(customer_id))

    def action_add_customer(self) -> None:
        actor = self.app.actor

        def make(v: dict[str, str]):
            return call(crm.add_customer, name=v["name"], phone=v["phone"] or None,
                        email=v["email"] or None, kind=v["kind"] or "residential",
                        address=v["address"] or None, city=v["city"], state=v["state"],
                        zip_code=v["zip"], actor=actor,
                        then=lambda added: added[0].id)  # fmt: skip

        fields = [
            ("name", "Name", "", "Jane Porter"),
            ("phone", "Phone", "", "512-555-0101 x23"),
            ("email", "E-mail", "", "jane@example.com"),
            ("kind", "Kind", "residential", "residential or commercial"),
            ("address", "Address", "", "first site's street address (optional)"),
            ("city", "City", "", ""),
            ("state", "State", "", "TX"),
            ("zip", "ZIP", "", ""),
        ]
        self.app.push_screen(FormModal("New customer", fields, make), self._after_save)

    def action_edit_customer(self) -> None:
        card = self.card
        if card is None:
            return
        actor, cid = self.app.actor, card.id

        def make(v: dict[str, str]):
            return call(crm.edit_customer_from_form, cid, v, actor=actor)

        fields = [
            ("name", "Name", card.name, ""),
            ("phone", "Phone", card.phone or "", "blank clears it"),
            ("email", "E-mail", card.email or "", "blank clears it"),
            ("kind", "Kind", card.kind, "residential or commercial"),
            ("billing", "Billing addr.", card.billing_address or "", ""),
            ("tax_exempt", "Tax exempt", "yes" if card.tax_exempt else "no", "yes or no"),
            ("notes", "Notes", card.notes or "", ""),
        ]
        self.app.push_screen(FormModal(f"Edit {card.name}", fields, make), self._after_save)

    def action_merge(self) -> None:
        card = self.card
        if card is None:
            return
        actor, cid = self.app.actor, card.id
        suggested = str(card.duplicates[0][1]) if card.duplicates else ""

        def make(v: dict[str, str]):
            def fn(session) -> int:
                keep = crm.get_customer(session, cid)
                gone = crm.get_customer(session, v["other"])
                crm.merge_customers(session, keep, gone, actor=actor)
                return keep.id

            return fn

        fields = [("other", "Merge in", suggested, "the duplicate: id, phone or name")]
        title = f"Merge a duplicate into {card.name} (#{card.id}); its orders, sites, invoices move here"
        self.app.push_screen(FormModal(title, fields, make), self._after_save)

    def action_add_asset(self) -> None:
        card = self.card
        if card is None:
            return
        if not card.sites:
            self.app.notify("add a site first", severity="warning")
            return
        actor = self.app.actor
        sites = ", ".join(f"#{s.id} {s.label}" for s in card.sites[:3])

        def make(v: dict[str, str]):
            return call(add_asset_from_text, v, actor=actor, then=lambda _: card.id)

        fields = new_asset_fields(str(card.sites[0].id), sites)
        self.app.push_screen(FormModal("New asset", fields, make), self._after_save)

    def action_assets(self) -> None:
        card = self.card
        if card is None or not card.assets:
            self.app.notify("no assets", severity="warning")
            return
        choices = [
            (
                f"#{a.id} {a.kind.replace('_', ' ')} {a.make or ''} {a.model or ''}".strip()
                + (" (retired)" if a.retired_on else ""),
                a.id,
            )
            for a in card.assets
        ]

        def opened(asset_id) -> None:
            if asset_id is not None:
                self.app.open_item("asset", asset_id)

        self.app.push_screen(ChoiceModal("Open an asset", choices), opened)

    def select_customer(self, customer_id: int) -> None:
        """Show `customer_id` (clearing a search that would hide it)."""
        table = self.query_one("#customers", KeyTable)
        if str(customer_id) in self.rows:
            table.move_cursor(row=table.get_row_index(str(customer_id)), animate=False)
        else:
            self.wanted_id = customer_id
            box = self.query_one("#filter", Input)
            if box.value:
                box.value = ""  # reloads through Input.Changed
            else:
                self.refresh_data()
        table.focus()


@register_screen("c", "customers", "Customers", help="Directory, sites, assets, history", order=30)
def _customers(app) -> CustomersScreen:
    return CustomersScreen()


register_select_opener("customer", "customers", CustomersScreen, CustomersScreen.select_customer)
