"""New order (`n`): find the caller as you type or add them inline, then the job.

Rules stay in `services/orders/intake.create_order`; what is typed is read by the same
`RowParser` as `svcdesk intake` flags and intake files (phone and e-mail checked by
`normalize.parse_phone`/`check_email`, windows, minutes), so a value means the same thing
wherever it is typed. Messages start with the field name ("summary: ...") and are shown
under that field. A failed save changes nothing on screen: everything typed stays. A new
caller whose phone/e-mail belongs to a customer with another name is filed as a new
customer and recorded as a possible duplicate (the notification says so)."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from svcdesk.errors import InvalidInput, SvcDeskError
from svcdesk.models import Priority
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.crm import customers as customer_svc
from svcdesk.services.crm import technicians
from svcdesk.services.orders import intake
from svcdesk.services.orders.intake_io.columns import RowInvalid, RowParser
from svcdesk.tui.base import DataScreen
from svcdesk.tui.confirm import confirm
from svcdesk.tui.data import call

NEW = "new"
# field name in service messages -> widget id showing the message
FIELD_ALIASES = {"kind": "customer", "start": "window_start", "minutes": "est_minutes"}


class OrderFormScreen(DataScreen):
    help_title = "New order"
    BINDINGS = [
        Binding("ctrl+s", "save_order", "Save"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "new_customer", "New customer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.customer_id: int | None = None
        self.sites: list[customer_svc.SiteChoice] = []
        self.new_customer = False

    # -- layout -------------------------------------------------------------------------
    def _row(self, label: str, widget, name: str):
        with Horizontal(classes="form-row"):
            yield Label(label, classes="label")
            yield widget
        yield Static(id=f"{name}-error", classes="field-error")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form-scroll"):
            yield from self._row(
                "Customer",
                Input(placeholder="name, phone or address…", id="customer", compact=True),
                "customer",
            )
            yield OptionList(id="customer-matches")
            yield Static("", id="customer-chosen", classes="hint")
            with Vertical(id="new-customer"):
                # Pre-filled from the lookup: the cursor goes to the end of what is there
                # (no select-all: the next key must not replace the name silently).
                yield from self._row(
                    "Name", Input(id="name", compact=True, select_on_focus=False), "name"
                )
                yield from self._row(
                    "Phone", Input(id="phone", compact=True, select_on_focus=False), "phone"
                )
                yield from self._row("E-mail", Input(id="email", compact=True), "email")
            yield from self._row("Site", Select([], id="site", prompt="site", compact=True), "site")
            with Vertical(id="new-site"):
                yield from self._row("Address", Input(id="address", compact=True), "address")
                yield from self._row("City", Input(id="city", compact=True), "city")
                yield from self._row(
                    "State", Input(id="state", max_length=2, compact=True), "state"
                )
                yield from self._row("ZIP", Input(id="zip", compact=True), "zip")
            yield from self._row(
                "Asset", Select([], id="asset", prompt="(none)", compact=True), "asset"
            )
            yield from self._row(
                "Priority",
                Select(
                    [(p.value, p.value) for p in Priority],
                    value=Priority.NORMAL.value,
                    id="priority",
                    allow_blank=False,
                    compact=True,
                ),
                "priority",
            )
            yield from self._row(
                "Skill", Select([], id="skill", prompt="(any)", compact=True), "skill"
            )
            yield from self._row(
                "Window from",
                Input(placeholder="e.g. tomorrow 9:00", id="window_start", compact=True),
                "window_start",
            )
            yield from self._row(
                "Window to",
                Input(placeholder="e.g. tomorrow 12:00", id="window_end", compact=True),
                "window_end",
            )
            yield from self._row(
                "Estimate min",
                Input("60", id="est_minutes", type="integer", compact=True),
                "est_minutes",
            )
            yield from self._row(
                "Summary",
                Input(placeholder="what does the customer need?", id="summary", compact=True),
                "summary",
            )
            yield from self._row("Details", Input(id="description", compact=True), "description")
            yield Static(id="form-error", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "new order"
        self._show_new_customer(False)
        self.query_one("#new-site").display = False
        self.query_one("#customer-matches").display = False
        self.query_one("#customer", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after `n`, before the customer field has focus (the scroll
        container has it first), go into it: a fast typist's first digit was lost."""
        typing_into = (Input, Select, OptionList)
        if isinstance(self.focused, typing_into) or not event.character:
            return
        if event.character.isprintable():
            box = self.query_one("#customer", Input)
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()

    def refresh_data(self) -> None:
        self.load(technicians.skill_codes, self._set_skills, group="skills")

    def _set_skills(self, codes: list[str]) -> None:
        select = self.query_one("#skill", Select)
        keep = select.value
        select.set_options([(c, c) for c in codes])
        if keep in codes:
            select.value = keep

    # -- customer lookup ----------------------------------------------------------------
    @on(Input.Changed, "#customer")
    def _lookup(self, event: Input.Changed) -> None:
        text = event.value.strip()
        matches = self.query_one("#customer-matches", OptionList)
        if len(text) < 2:
            matches.clear_options()
            matches.display = False
            return
        self.load(
            call(customer_svc.customer_matches, text),
            lambda found: self._show_matches(text, found),
            group="lookup",
        )

    def _show_matches(self, text: str, found: list[tuple[int, str]]) -> None:
        matches = self.query_one("#customer-matches", OptionList)
        matches.clear_options()
        matches.add_options([Option(label, id=str(cid)) for cid, label in found])
        matches.add_option(Option(f"+ New customer “{text}”", id=NEW))
        matches.display = True

    @on(Input.Submitted, "#customer")
    def _to_matches(self) -> None:
        matches = self.query_one("#customer-matches", OptionList)
        if matches.display and matches.option_count:
            matches.highlighted = 0
            matches.focus()

    @on(OptionList.OptionSelected, "#customer-matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        matches = self.query_one("#customer-matches", OptionList)
        matches.display = False
        if event.option.id == NEW:
            self.action_new_customer()
            return
        self.customer_id = int(event.option.id)
        self._show_new_customer(False)
        self.query_one("#customer-chosen", Static).update(f"✓ {event.option.prompt}")
        customer_id = self.customer_id
        self.load(call(customer_svc.site_choices, customer_id), self._sites_picked,
                  group="sites")  # fmt: skip

    def _sites_picked(self, sites: list[customer_svc.SiteChoice]) -> None:
        """A customer was picked: focus the next thing to decide (which site when there
        are several, the address when there is none, else the priority)."""
        self._set_sites(sites)
        target = "#site" if len(sites) > 1 else "#address" if not sites else "#priority"
        self.query_one(target).focus()

    def action_new_customer(self) -> None:
        self.customer_id = None
        self._show_new_customer(True)
        typed = self.query_one("#customer", Input).value.strip()
        digits = sum(ch.isdigit() for ch in typed)
        target = "#phone" if digits >= 7 else "#name"
        if typed and not self.query_one(target, Input).value:
            self.query_one(target, Input).value = typed
        self.query_one("#customer-chosen", Static).update("new customer")
        self._set_sites([])
        name = self.query_one("#name", Input)
        name.focus()
        name.cursor_position = len(name.value)

    def _show_new_customer(self, show: bool) -> None:
        self.new_customer = show
        self.query_one("#new-customer").display = show

    def _set_sites(self, sites: list[customer_svc.SiteChoice]) -> None:
        self.sites = sites
        select = self.query_one("#site", Select)
        select.set_options([(s.label, s.id) for s in sites] + [("New address…", NEW)])
        select.value = sites[0].id if sites else NEW
        self._site_changed()

    @on(Select.Changed, "#site")
    def _site_changed(self) -> None:
        value = self.query_one("#site", Select).value
        self.query_one("#new-site").display = value == NEW
        site = next((s for s in self.sites if s.id == value), None)
        self.query_one("#asset", Select).set_options(site.assets if site else [])

    # -- save ---------------------------------------------------------------------------
    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _selected(self, widget_id: str):
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value is Select.NULL else value

    def form_values(self) -> tuple[dict[str, str | None], dict]:
        """(text values keyed by intake column, the ids picked in the form)."""
        site = self._selected("site")
        values: dict[str, str | None] = {
            "summary": self._value("summary"),
            "description": self._value("description"),
            "priority": self._selected("priority") or Priority.NORMAL.value,
            "skill": self._selected("skill"),
            "window_start": self._value("window_start"),
            "window_end": self._value("window_end"),
            "est_minutes": self._value("est_minutes"),
        }
        picked = {
            "customer_id": self.customer_id,
            "site_id": site if isinstance(site, int) else None,
            "asset_id": self._selected("asset"),
        }
        if self.customer_id is None:
            values.update(
                customer=self._value("name"), phone=self._value("phone"), email=self._value("email")
            )
        if picked["site_id"] is None:
            values.update(
                address=self._value("address"),
                city=self._value("city"),
                state=self._value("state"),
                zip=self._value("zip"),
            )
        return values, picked

    def build_request(self, zone) -> intake.IntakeRequest:
        """The request exactly as `svcdesk intake` flags would make it (RowParser)."""
        values, picked = self.form_values()
        try:
            req = RowParser(zone, default_source="phone").request(values)
        except RowInvalid as exc:
            raise InvalidInput("; ".join(f"{c}: {m}" for c, m in exc.problems)) from None
        req.customer_id, req.site_id, req.asset_id = (
            picked["customer_id"],
            picked["site_id"],
            picked["asset_id"],
        )
        return req

    def action_save_order(self) -> None:
        for err in self.query(".field-error"):
            err.update("")
        if self.customer_id is None and not self.new_customer:
            self._field_error(
                "customer", "customer: pick a customer from the list or add a new one"
            )
            return
        actor = self.app.actor

        def fn(session) -> tuple[str, dict | None]:
            req = self.build_request(shop_zone(session))
            order, _, dup = intake.take_order(session, req, actor=actor)
            return order.number, dup

        self.save(fn, self._saved, on_error=self._show_error)

    def _saved(self, result: tuple[str, dict | None]) -> None:
        number, dup = result
        self.app.notify(f"{number} created")
        if dup:
            self.app.notify(
                f"{dup['name']} (#{dup['id']}) has the same {dup['matched_on']} but another "
                "name: filed under a new customer, recorded as a possible duplicate "
                "(merge on the customers screen: m)",
                severity="warning",
                timeout=10,
            )
        self.app.pop_screen()
        self.app.open_order(number)

    def _show_error(self, exc: SvcDeskError) -> bool:
        name = str(exc).partition(":")[0].strip()
        self._field_error(FIELD_ALIASES.get(name, name), str(exc))
        return True

    def _field_error(self, name: str, message: str) -> None:
        """Show `message` under the field `name` (or at the bottom when there is none)."""
        target = self.query_one("#form-error", Static)
        if name.replace("_", "").isalnum():
            matches = self.query(f"#{name}-error")
            if matches:
                target = matches.first(Static)
        target.update(message)
        target.scroll_visible()

    def unsaved(self) -> bool:
        """Anything typed or picked that a save would keep (the app asks before leaving)."""
        defaults = {"est_minutes": "60"}
        typed = any(i.value.strip() != defaults.get(i.id or "", "") for i in self.query(Input))
        return typed or self.customer_id is not None

    def action_back(self) -> None:
        if self.unsaved():
            confirm(self.app, "Throw away this order?", self.app.pop_screen,
                    "What was typed is not saved.", yes="Throw away")  # fmt: skip
            return
        self.app.pop_screen()
