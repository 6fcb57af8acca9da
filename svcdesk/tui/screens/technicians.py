"""Technician panes (`t`): everyone's status now, and one technician's day in detail.

Left: technicians with status (free, en route, on site, off), what that means right now,
hours booked against shift hours today and tomorrow, and skills. Right: the highlighted
technician's contact, shifts, upcoming time off, and today's and tomorrow's visits in
order (`tab` to that list; `enter` opens the visit's order). Read model:
`services/dispatch/tech_view.py` (the same one `svcdesk schedule techs` prints).
`e` edits the highlighted technician (skills, shifts, hourly rate, active, contact, level)
through `technicians.edit_technician`, the same call as `svcdesk techs edit`."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Static

from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.crm import technicians as techs
from svcdesk.services.dispatch.tech_view import TechDetail, TechStatus, tech_detail, tech_statuses
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.forms import FormModal
from svcdesk.tui.registry import register_screen, register_select_opener
from svcdesk.tui.widgets.table import KeyTable

STATUS_STYLE = {
    "free": "bold green",
    "en_route": "bold dark_orange",
    "on_site": "bold blue",
    "off": "dim",
}


def status_cell(status: str) -> Text:
    return Text(status.replace("_", " "), style=STATUS_STYLE.get(status, ""))


def detail_text(d: TechDetail, zone) -> Text:
    st = d.status
    t = Text()
    t.append(f"{st.name}", style="bold")
    t.append("  ")
    t.append_text(status_cell(st.status))
    t.append(f" · {st.detail}\n")
    t.append(f"{d.level} · {d.phone or 'no phone'} · {d.email or 'no e-mail'}")
    t.append(f" · {fmt_money(d.hourly_cost_cents)}/h\n")
    t.append("Skills ", style="bold")
    t.append(f"{', '.join(st.skills) or '-'}\n")
    t.append("Shifts ", style="bold")
    t.append(f"{d.shifts_text or '-'}\n")
    t.append("Home ", style="bold")
    t.append(f"{d.home or '- (drives start at the depot)'}\n")
    for label, day in (("Today", st.today), ("Tomorrow", st.tomorrow)):
        t.append(f"{label} {day.day:%a %m/%d} ", style="bold")
        t.append(f"booked {day.load_text}\n")
    if d.time_off:
        t.append("Time off ", style="bold")
        t.append(
            "; ".join(
                f"{fmt(a, zone, '%a %m/%d %H:%M')}–{fmt(b, zone, '%a %m/%d %H:%M')}"
                + (f" {r}" if r else "")
                for a, b, r in d.time_off
            )
            + "\n"
        )
    return t


class TechniciansScreen(DataScreen):
    help_title = "Technicians"
    DEFAULT_CSS = """
    TechniciansScreen #techs-body { height: 1fr; }
    TechniciansScreen #techs { width: 1fr; }
    TechniciansScreen #tech-pane { width: 54; border-left: vkey $border-blurred; }
    TechniciansScreen #tech-detail { height: auto; padding: 0 1; }
    TechniciansScreen #tech-visits { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open visit", show=False),
        Binding("o", "open", "Open visit"),
        Binding("y", "time", "Approve time"),
        Binding("e", "edit", "Edit"),
        Binding("a", "add", "Add"),
        Binding("F", "phones", "Phones (field app)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, TechStatus] = {}
        self.visit_orders: dict[str, str] = {}  # visit id -> order number
        self.wanted_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="techs-body"):
            yield key_table(
                "techs",
                ("Name", 14),
                ("Status", 8),
                ("Now", 24),
                ("Today", 8),
                ("Tomorrow", 8),
                ("Skills", 12),
            )
            with Vertical(id="tech-pane"):
                yield Static(id="tech-detail")
                yield key_table(
                    "tech-visits",
                    ("Day", 3),
                    ("Time", 11),
                    ("Order", 9),
                    ("Status", 9),
                    ("Customer", 11),
                )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#techs", KeyTable).focus()

    # -- data -----------------------------------------------------------------------------
    def refresh_data(self) -> None:
        self.load(tech_statuses, self._show, group="techs")

    def _show(self, rows: list[TechStatus]) -> None:
        self.rows = {str(r.id): r for r in rows}
        table = self.query_one("#techs", KeyTable)
        table.replace_rows(
            (
                str(r.id),
                (
                    r.name,
                    status_cell(r.status),
                    clip(r.detail, 24),
                    r.today.load_text,
                    r.tomorrow.load_text,
                    clip(", ".join(r.skills), 12),
                ),
            )
            for r in rows
        )
        if self.wanted_id is not None and str(self.wanted_id) in self.rows:
            table.move_cursor(row=table.get_row_index(str(self.wanted_id)), animate=False)
            self.wanted_id = None
        self._load_detail()

    def current(self) -> TechStatus | None:
        return self.cursor_row("#techs", self.rows)

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        event.stop()
        if event.data_table.id == "techs":
            self._load_detail()

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "techs":
            self.query_one("#tech-visits", KeyTable).focus()
        elif event.row_key.value in self.visit_orders:
            self.app.open_order(self.visit_orders[event.row_key.value])

    def _load_detail(self) -> None:
        row = self.current()
        if row is None:
            return
        tech_id = row.id
        self.load(call(tech_detail, tech_id), self._show_detail, group="detail")

    def _show_detail(self, d: TechDetail) -> None:
        zone = self.app.zone
        self.query_one("#tech-detail", Static).update(detail_text(d, zone))
        days = (d.status.today, d.status.tomorrow)
        self.visit_orders = {str(v.visit_id): v.number for day in days for v in day.visits}
        self.query_one("#tech-visits", KeyTable).replace_rows(
            (
                str(v.visit_id),
                (
                    f"{day.day:%a}",
                    f"{fmt(v.starts_at, zone, '%H:%M')}–{fmt(v.ends_at, zone, '%H:%M')}",
                    v.number,
                    v.status.replace("_", " "),
                    clip(v.customer, 11),
                ),
            )
            for day in days
            for v in day.visits
        )

    def select_technician(self, tech_id: int) -> None:
        """Put the cursor on `tech_id` (now, or when the rows arrive)."""
        table = self.query_one("#techs", KeyTable)
        if str(tech_id) in self.rows:
            table.move_cursor(row=table.get_row_index(str(tech_id)), animate=False)
        else:
            self.wanted_id = tech_id
        table.focus()

    def action_edit(self) -> None:
        row = self.current()
        if row is None:
            return
        tech_id = row.id
        self.load(call(techs.technician_form, tech_id), self._edit_form, group="form")

    def _edit_form(self, f: dict) -> None:
        actor = self.app.actor  # noqa: F841 (technicians have no history table yet)
        tech_id = f["id"]

        def make(v: dict[str, str]):
            return call(techs.edit_technician_from_form, tech_id, v)

        fields = [
            ("name", "Name", f["name"], ""),
            *_fields(f),
            ("active", "Active", f["active"], "yes or no"),
        ]

        def saved(result) -> None:
            if result is not None:
                self.app.notify(f"{f['name']} saved")

        self.app.push_screen(FormModal(f"Edit {f['name']}", fields, make), saved)

    def action_add(self) -> None:
        blank = {"skills": "", "shifts": techs.DEFAULT_SHIFT, "rate": "0.00", "phone": ""}
        fields = [("name", "Name", "", "first and last name"), *_fields(blank)]

        def make(v: dict[str, str]):
            return call(techs.add_technician_from_form, v)

        def added(tech_id) -> None:
            if tech_id is not None:
                self.wanted_id = tech_id
                self.refresh_data()
                self.app.notify("technician added")

        self.app.push_screen(FormModal("New technician", fields, make), added)

    def action_phones(self) -> None:
        row = self.current()
        if row is not None:
            from svcdesk.tui.screens.phones import open_phones

            open_phones(self.app, row.id, row.name)

    def action_open(self) -> None:
        visits = self.query_one("#tech-visits", KeyTable)
        key = visits.current_key
        if key in self.visit_orders:
            self.app.open_order(self.visit_orders[key])

    def action_time(self) -> None:
        """The highlighted technician's week of time cards, to approve."""
        row = self.current()
        if row is None:
            self.app.notify("no technician selected", severity="warning")
            return
        self.app.open_item("timecard", row.id, row.name)


def _fields(f: dict) -> list[tuple[str, str, str, str]]:
    """The form rows a technician's add and edit dialogs share (values from `f`)."""
    return [
        ("skills", "Skills", f["skills"], "comma-separated codes, e.g. hvac, plumbing"),
        ("shifts", "Shifts", f["shifts"], "mon-fri 08:00-17:00; sat 09:00-13:00"),
        ("rate", "Rate $/h", f["rate"], "hourly cost, e.g. 38.50"),
        ("phone", "Phone", f["phone"], ""),
        ("email", "E-mail", f.get("email", ""), ""),
        ("level", "Level", f.get("level", "tech"), "apprentice, tech, senior or lead"),
        ("home", "Home", f.get("home", ""), "address ending in a ZIP (drives start there)"),
    ]


@register_screen("t", "technicians", "Technicians", help="Who is where; each one's day", order=20)
def _technicians(app) -> TechniciansScreen:
    return TechniciansScreen()


register_select_opener(
    "technician", "technicians", TechniciansScreen, TechniciansScreen.select_technician
)
