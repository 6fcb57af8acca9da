"""Dialogs of the field-work panel: complete a visit, record a part (search by SKU/name),
add a time entry. Each saves through a service call in a worker (`DataModal.submit`)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.execution import entry_forms
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.inventory import parts
from svcdesk.services.orders import lifecycle
from svcdesk.tui.base import DataModal
from svcdesk.tui.data import call

OUTCOMES = ("fixed", "needs_parts", "needs_return", "no_access", "quoted")


class CompleteModal(DataModal):
    """Outcome (pick one), work performed, 'no parts used', force past the checklist."""

    BINDINGS = [Binding("ctrl+s", "save", "Save")]

    def __init__(self, number: str, visit_id: int, actor: str) -> None:
        super().__init__()
        self.number, self.visit_id, self.actor = number, visit_id, actor

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.number}: complete the visit", classes="title")
            yield OptionList(*(Option(o.replace("_", " "), id=o) for o in OUTCOMES), id="outcome")
            yield Input(placeholder="work performed", id="work")
            yield Checkbox("No parts used", id="no-parts")
            yield Checkbox("Force (checklist unanswered)", id="force")
            yield Static(id="error", classes="field-error")
            yield Static("enter on an outcome or ctrl+s saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#outcome", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#outcome")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.action_save()

    def action_save(self) -> None:
        options = self.query_one("#outcome", OptionList)
        if options.highlighted is None:
            self.query_one("#error", Static).update("pick an outcome")
            return
        outcome = OUTCOMES[options.highlighted]
        work = self.query_one("#work", Input).value
        no_parts = self.query_one("#no-parts", Checkbox).value
        force = self.query_one("#force", Checkbox).value
        number, visit_id, actor = self.number, self.visit_id, self.actor

        def fn(session):
            order = lifecycle.get_order(session, number)
            visit = vp.find_visit(session, order, visit_id)
            vp.complete(session, visit, outcome, work_performed=work or None, force=force,
                        no_parts=no_parts, actor=actor)  # fmt: skip
            return order.status

        self.submit(fn)


class PartModal(DataModal):
    """Search the catalog by SKU or name, pick a part, give the quantity."""

    def __init__(self, number: str, visit_id: int | None, actor: str) -> None:
        super().__init__()
        self.number, self.visit_id, self.actor = number, visit_id, actor
        self.found: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.number}: part used", classes="title")
            yield Input(placeholder="search SKU or name", id="search")
            yield OptionList(id="parts")
            yield Static(id="picked", classes="hint")
            yield Input(placeholder="quantity, e.g. 1 or 2.5", id="qty")
            yield Static(id="error", classes="field-error")
            yield Static("type to search · enter picks · enter on quantity saves", classes="hint")

    def on_mount(self) -> None:
        self._search("")

    @on(Input.Changed, "#search")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        self.load(lambda s: [(p.sku, f"{p.sku}  {p.name} ({p.unit})")
                             for p in parts.search_parts(s, text, limit=12)],
                  self._show, group="search")  # fmt: skip

    def _show(self, found: list[tuple[str, str]]) -> None:
        self.found = found
        options = self.query_one("#parts", OptionList)
        options.clear_options()
        options.add_options([Option(label, id=sku) for sku, label in found])
        if found:
            options.highlighted = 0

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        self._to_quantity()

    @on(OptionList.OptionSelected, "#parts")
    def _part_picked(self, event: OptionList.OptionSelected) -> None:
        self._to_quantity()

    def _to_quantity(self) -> None:
        """The first `enter` picks the highlighted part, says which, and moves to the
        quantity (1 to start with, selected: typing replaces it)."""
        options = self.query_one("#parts", OptionList)
        if options.highlighted is None or not self.found:
            self.query_one("#error", Static).update("no part found: search by SKU or name")
            return
        self.query_one("#error", Static).update("")
        label = self.found[options.highlighted][1]
        self.query_one("#picked", Static).update(f"✓ {label} — how many? enter saves")
        qty = self.query_one("#qty", Input)
        if not qty.value.strip():
            qty.value = "1"
        qty.focus()

    @on(Input.Submitted, "#qty")
    def _save(self, event: Input.Submitted) -> None:
        options = self.query_one("#parts", OptionList)
        if options.highlighted is None or not self.found:
            self.query_one("#error", Static).update("no part picked: search and highlight one")
            return
        sku = self.found[options.highlighted][0]
        qty_text, number, visit_id, actor = event.value, self.number, self.visit_id, self.actor

        self.submit(call(entry_forms.use_part_from_text, number, sku, qty_text, visit_id=visit_id,
                         actor=actor, then=lambda used: f"{fmt_qty(used[2])} {sku}"))  # fmt: skip


class TimeModal(DataModal):
    """A manual time entry for the order: technician, kind, start, end."""

    BINDINGS = [Binding("ctrl+s", "save", "Save")]

    def __init__(self, number: str, visit_id: int | None, actor: str, tech: str = "") -> None:
        super().__init__()
        self.number, self.visit_id, self.actor, self.tech = number, visit_id, actor, tech

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.number}: add time", classes="title")
            yield Input(self.tech, placeholder="technician", id="tech")
            yield Input("work", placeholder="travel, work, break or shop", id="kind")
            yield Input(placeholder="start, e.g. today 09:00", id="start")
            yield Input(placeholder="end, e.g. today 10:30", id="end")
            yield Static(id="error", classes="field-error")
            yield Static("ctrl+s or enter on end saves · escape cancels", classes="hint")

    @on(Input.Submitted, "#end")
    def _end(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        values = {k: self.query_one(f"#{k}", Input).value for k in ("tech", "kind", "start", "end")}
        number, visit_id, actor = self.number, self.visit_id, self.actor

        self.submit(call(entry_forms.add_time_from_text, tech=values["tech"], kind=values["kind"],
                         start=values["start"], end=values["end"], order=number,
                         visit_id=visit_id, actor=actor, then=lambda entry: entry.id))  # fmt: skip
