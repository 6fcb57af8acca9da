"""Price book (`B`): the tasks and fees quotes and invoices are priced from, the hourly
labor rates and the part markup tiers. `a` adds a row (its type first: task, fee, labor
rate or markup tier), `enter` edits the selected one; both save through the same rules
as `svcdesk pricebook set` and a CSV import (`pricebook_csv.save_entry`), so a refusal
shows in the dialog and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static

from svcdesk.services.billing import pricebook_csv
from svcdesk.tui.base import DataModal, DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.registry import register_screen
from svcdesk.tui.widgets.table import KeyTable

# The text fields each type has, in the dialog's order: (column, label, placeholder).
FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "task": (
        ("name", "Name", "e.g. Furnace tune-up"),
        ("price", "Price", "e.g. 89.00"),
        ("cost", "Cost", "your cost, e.g. 12.00"),
        ("est_minutes", "Minutes", "estimated minutes, e.g. 60"),
        ("skill", "Skill", "e.g. hvac (optional)"),
        ("description", "Description", "longer text (optional)"),
    ),
    "fee": (
        ("name", "Name", "e.g. Trip charge"),
        ("price", "Price", "e.g. 49.00"),
        ("cost", "Cost", "your cost (optional)"),
    ),
    "labor": (
        ("name", "Name", "e.g. Regular labor"),
        ("kind", "Kind", "regular, overtime or emergency"),
        ("level", "Level", "technician level (blank = all)"),
        ("price", "Rate per hour", "e.g. 95.00"),
    ),
    "markup": (
        ("min_cost", "From cost", "the tier starts at this part cost, e.g. 0.00"),
        ("markup_pct", "Markup %", "e.g. 40"),
    ),
}
FLAGS: dict[str, tuple[tuple[str, str], ...]] = {
    "task": (("taxable", "Taxable"), ("active", "Active (offered on quotes)")),
    "fee": (("taxable", "Taxable"), ("active", "Active (offered on quotes)")),
    "labor": (("taxable", "Taxable"),),
    "markup": (),
}
DEFAULT_FLAGS = {"taxable": {"task": True, "fee": True, "labor": False}, "active": {}}


@dataclass(frozen=True)
class PriceBookData:
    rows: list[dict[str, str]]

    def of(self, *types: str) -> list[dict[str, str]]:
        return [r for r in self.rows if r["type"] in types]


def load_pricebook(session) -> PriceBookData:
    return PriceBookData(list(pricebook_csv.export_rows(session)))


class PriceBookModal(DataModal):
    """Add (row None: pick the type, give a code) or edit one price book row."""

    DEFAULT_CSS = """
    PriceBookModal .dialog { max-height: 90%; }
    PriceBookModal .type-fields { height: auto; }
    PriceBookModal Label.field { color: $text-muted; }
    """

    def __init__(self, row: dict[str, str] | None) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with VerticalScroll(classes="dialog"):
            if row is None:
                yield Label("New price book row", classes="title")
                yield Select(
                    [(pricebook_csv.TYPE_WORDS[t], t) for t in pricebook_csv.TYPES],
                    value="task", allow_blank=False, id="type",
                )  # fmt: skip
                yield Label("Code", classes="field")
                yield Input(placeholder="code, e.g. TUNEUP", id="code")
            else:
                what = pricebook_csv.TYPE_WORDS.get(row["type"], row["type"])
                yield Label(f"{what.capitalize()} {row['code']}", classes="title")
            for kind, fields in FIELDS.items():
                if row is not None and kind != row["type"]:
                    continue
                with Vertical(classes="type-fields", id=f"fields-{kind}"):
                    for column, label, hint in fields:
                        yield Label(label, classes="field")
                        value = (row or {}).get(column, "") if row else ""
                        yield Input(value=value, placeholder=hint, id=f"{kind}-{column}")
                    for column, label in FLAGS[kind]:
                        if row is not None:
                            on_ = row.get(column, "yes") == "yes"
                        else:
                            on_ = DEFAULT_FLAGS.get(column, {}).get(kind, True)
                        yield Checkbox(label, value=on_, id=f"{kind}-{column}")
            yield Static(id="error", classes="field-error")
            yield Static("enter saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        if self.row is None:
            self._show_type("task")
            self.query_one("#type", Select).focus()
        else:
            self.query(Input).first().focus()

    @property
    def kind(self) -> str:
        if self.row is not None:
            return self.row["type"]
        value = self.query_one("#type", Select).value
        return value if isinstance(value, str) else "task"

    @on(Select.Changed, "#type")
    def _type_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._show_type(event.value)

    def _show_type(self, kind: str) -> None:
        for other in FIELDS:
            self.query_one(f"#fields-{other}").display = other == kind

    @on(Input.Submitted)
    def action_save(self) -> None:
        kind = self.kind
        changes: dict[str, str | None] = {}
        for column, _label, _hint in FIELDS[kind]:
            value = self.query_one(f"#{kind}-{column}", Input).value
            if self.row is None or value != self.row.get(column, ""):
                changes[column] = value
        for column, _label in FLAGS[kind]:
            on_ = self.query_one(f"#{kind}-{column}", Checkbox).value
            if self.row is None or ("yes" if on_ else "no") != self.row.get(column):
                changes[column] = "yes" if on_ else "no"
        if self.row is None:
            code = self.query_one("#code", Input).value
            changes["type"] = kind
        else:
            code = self.row["code"]

        self.submit(call(pricebook_csv.save_entry, code, changes,
                         then=lambda status: f"{code.strip().upper()} {status}"))  # fmt: skip


class PriceBookScreen(DataScreen):
    help_title = "Price book"
    DEFAULT_CSS = """
    PriceBookScreen #pb-items { height: 2fr; }
    PriceBookScreen #pb-labor { height: 1fr; }
    PriceBookScreen #pb-markup { height: 1fr; }
    PriceBookScreen .section { padding: 0 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("enter", "edit", "Edit", show=True, id="pricebook.edit"),
        Binding("a", "add", "Add", show=True, id="pricebook.add"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = PriceBookData([])

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Tasks and fees (a adds, enter edits)", classes="section")
        yield key_table("pb-items", ("Code", 12), ("Type", 5), ("Name", 34), ("Price", 10),
                        ("Cost", 10), ("Min", 5), ("Skill", 10), ("Tax", 4), ("Active", 6))  # fmt: skip
        yield Static("Labor rates (per hour)", classes="section")
        yield key_table("pb-labor", ("Code", 12), ("Kind", 10), ("Level", 10), ("Name", 30),
                        ("Rate", 10), ("Tax", 4))  # fmt: skip
        yield Static("Part markup (parts without a list price)", classes="section")
        yield key_table("pb-markup", ("Code", 12), ("From cost", 12), ("Markup", 8))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pb-items", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(load_pricebook, self._show)

    def _show(self, data: PriceBookData) -> None:
        self.data = data
        self.query_one("#pb-items", KeyTable).replace_rows(
            (r["code"], (r["code"], r["type"], clip(r["name"], 34), f"${r['price']}",
                         f"${r['cost']}" if r["cost"] else "", r["est_minutes"], r["skill"],
                         r["taxable"], r["active"]))
            for r in data.of("task", "fee")
        )  # fmt: skip
        self.query_one("#pb-labor", KeyTable).replace_rows(
            (r["code"], (r["code"], r["kind"], r["level"] or "all", clip(r["name"], 30),
                         f"${r['price']}", r["taxable"]))
            for r in data.of("labor")
        )  # fmt: skip
        self.query_one("#pb-markup", KeyTable).replace_rows(
            (r["code"], (r["code"], f"${r['min_cost']}", f"{r['markup_pct']}%"))
            for r in data.of("markup")
        )

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self._edit(event.row_key.value)

    def action_edit(self) -> None:
        table = self.focused if isinstance(self.focused, KeyTable) else None
        if table is not None and table.current_key:
            self._edit(table.current_key)

    def _edit(self, code: str | None) -> None:
        row = next((r for r in self.data.rows if r["code"] == code), None)
        if row is not None:
            self.app.push_screen(PriceBookModal(row), self._saved)

    def action_add(self) -> None:
        self.app.push_screen(PriceBookModal(None), self._saved)

    def _saved(self, result) -> None:
        if result is not None:
            self.app.notify(f"saved: {result}")


@register_screen(
    "B", "pricebook", "Price book", help="Tasks, fees, labor rates, part markup", order=85
)
def _pricebook(app) -> PriceBookScreen:
    return PriceBookScreen()
