"""Settings & tax (`S`): every shop setting with its value, default and meaning, the tax
zones and the staff. `enter` on a setting edits it (the same checks as `svcdesk settings
set`: an unknown value is refused in the dialog with what is allowed); on the zones table
`a` adds a zone and `enter` edits one (name, rate in percent, active, default); `f` adds a
staff member (the names `--as` accepts) and `enter` on the staff table edits one."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Footer, Header, Input, Label, Static

from svcdesk.services.common import settings as shop_settings
from svcdesk.services.common.money import fmt_percent
from svcdesk.services.crm import staff as staff_svc
from svcdesk.services.crm import tax
from svcdesk.tui.base import DataModal, DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.registry import register_screen
from svcdesk.tui.widgets.table import KeyTable


@dataclass(frozen=True)
class ZoneRow:
    id: int
    name: str
    rate_bp: int
    active: bool
    default: bool


@dataclass(frozen=True)
class SettingsData:
    settings: list[shop_settings.SettingRow]
    zones: list[ZoneRow]
    staff: list[dict]


def load_settings(session) -> SettingsData:
    default = (shop_settings.get_setting(session, "tax.default_zone") or "").lower()
    zones = [
        ZoneRow(z.id, z.name, z.rate_bp, z.active, z.name.lower() == default)
        for z in tax.list_zones(session)
    ]
    staff = [staff_svc.staff_view(session, m) for m in staff_svc.list_staff(session)]
    return SettingsData(shop_settings.setting_rows(session), zones, staff)


class SettingsModal(DataModal):
    """A settings-screen dialog: its fields, then the refusal line and the hint; `enter`
    in a box saves; the first box (`FIRST`) has focus."""

    FIRST = "#name"

    def __init__(self, actor: str) -> None:
        super().__init__()
        self.actor = actor

    def footer(self) -> ComposeResult:
        yield Static(id="error", classes="field-error")
        yield Static("enter saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one(self.FIRST, Input).focus()

    def values(self, *ids: str) -> list:
        """The values of the boxes and checkboxes `ids`, in that order."""
        return [self.query_one(f"#{i}").value for i in ids]


class SettingModal(SettingsModal):
    """Edit one setting: its meaning and allowed values above the box; refusals below."""

    FIRST = "#value"

    def __init__(self, row: shop_settings.SettingRow, actor: str) -> None:
        super().__init__(actor)
        self.row = row

    def compose(self) -> ComposeResult:
        r = self.row
        with Vertical(classes="dialog"):
            yield Label(r.key, classes="title")
            yield Static(
                f"{r.meaning}\nallowed: {r.allowed}\ndefault: {r.default or '(empty)'}",
                id="about",
            )
            yield Input(value=r.value, id="value")
            yield from self.footer()

    @on(Input.Submitted, "#value")
    def action_save(self) -> None:
        key, (value,), actor = self.row.key, self.values("value"), self.actor
        self.submit(call(shop_settings.set_setting, key, value, actor=actor))


class ZoneModal(SettingsModal):
    """Add (zone None) or edit a tax zone: name, rate (percent), active, default."""

    def __init__(self, zone: ZoneRow | None, actor: str) -> None:
        super().__init__(actor)
        self.zone = zone

    def compose(self) -> ComposeResult:
        z = self.zone
        with Vertical(classes="dialog"):
            yield Label(f"Tax zone {z.name}" if z else "New tax zone", classes="title")
            yield Input(value=z.name if z else "", placeholder="name, e.g. Austin", id="name")
            rate = fmt_percent(z.rate_bp).rstrip("%") if z else ""
            yield Input(value=rate, placeholder="rate in percent, e.g. 8.25", id="rate")
            yield Checkbox("Active", value=z.active if z else True, id="active")
            yield Checkbox("Default zone (sites without a zone)", value=bool(z and z.default),
                           id="default")  # fmt: skip
            yield from self.footer()

    @on(Input.Submitted)
    def action_save(self) -> None:
        name, rate, active, default = self.values("name", "rate", "active", "default")
        zone_id, actor = (self.zone.id if self.zone else None), self.actor
        self.submit(call(tax.save_zone, zone_id, name=name, rate=rate, active=active,
                         default=default, actor=actor, then=lambda zone: zone.name))  # fmt: skip


class StaffModal(SettingsModal):
    """Add (member None) or edit a staff member: name, role, technician, active."""

    def __init__(self, member: dict | None, actor: str) -> None:
        super().__init__(actor)
        self.member = member

    def compose(self) -> ComposeResult:
        m = self.member or {"name": "", "role": "dispatcher", "technician": None, "active": True}
        with Vertical(classes="dialog"):
            yield Label(f"Staff {m['name']}" if self.member else "New staff member",
                        classes="title")  # fmt: skip
            yield Input(value=m["name"], placeholder="name, e.g. Dana Cole", id="name")
            yield Input(value=m["role"], placeholder=" / ".join(staff_svc.ROLES), id="role")
            yield Input(value=m["technician"] or "", id="tech",
                        placeholder="technician this person is (optional)")  # fmt: skip
            yield Checkbox("Active (may be used with --as)", value=m["active"], id="active")
            yield from self.footer()

    @on(Input.Submitted)
    def action_save(self) -> None:
        name, role, tech, active = self.values("name", "role", "tech", "active")
        staff_id, actor = (self.member["id"] if self.member else None), self.actor
        self.submit(call(staff_svc.save_staff, staff_id, name=name, role=role,
                         technician=tech.strip(), active=active, actor=actor,
                         then=lambda staff: staff.name))  # fmt: skip


class SettingsScreen(DataScreen):
    help_title = "Settings & tax"
    DEFAULT_CSS = """
    SettingsScreen #settings { height: 2fr; }
    SettingsScreen #tax-zones { height: 1fr; }
    SettingsScreen #staff { height: 1fr; }
    SettingsScreen .section { padding: 0 1; text-style: bold; }
    """
    BINDINGS = [
        Binding("enter", "edit", "Edit", show=True),
        Binding("a", "add_zone", "Add tax zone", show=True),
        Binding("f", "add_staff", "Add staff", show=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = SettingsData([], [], [])

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Settings (enter edits)", classes="section")
        yield key_table("settings", ("Key", 30), ("Value", 26), ("Default", 22), ("Meaning", 60))
        yield Static("Tax zones (a adds, enter edits)", classes="section")
        yield key_table("tax-zones", ("Name", 30), ("Rate", 8), ("Active", 6), ("Default", 8))
        yield Static("Staff (f adds, enter edits)", classes="section")
        yield key_table("staff", ("Name", 30), ("Role", 12), ("Technician", 24), ("Active", 6))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#settings", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(load_settings, self._show)

    def _show(self, data: SettingsData) -> None:
        self.data = data
        self.query_one("#settings", KeyTable).replace_rows(
            (r.key, (r.key, clip(r.value, 26), clip(r.default, 22), r.meaning))
            for r in data.settings
        )
        self.query_one("#tax-zones", KeyTable).replace_rows(
            (str(z.id), (z.name, fmt_percent(z.rate_bp), "yes" if z.active else "no",
                         Text("default", style="bold") if z.default else ""))
            for z in data.zones
        )  # fmt: skip
        self.query_one("#staff", KeyTable).replace_rows(
            (str(m["id"]), (m["name"], m["role"], m["technician"] or "",
                            "yes" if m["active"] else "no"))
            for m in data.staff
        )  # fmt: skip

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self._edit(event.data_table.id, event.row_key.value)

    def action_edit(self) -> None:
        table = self.focused if isinstance(self.focused, KeyTable) else None
        if table is not None and table.current_key:
            self._edit(table.id, table.current_key)

    def _edit(self, table_id: str | None, key: str | None) -> None:
        actor = self.app.actor
        if table_id == "settings":
            row = next((r for r in self.data.settings if r.key == key), None)
            if row is not None:
                self.app.push_screen(SettingModal(row, actor), self._saved)
        elif table_id == "tax-zones":
            zone = next((z for z in self.data.zones if str(z.id) == key), None)
            if zone is not None:
                self.app.push_screen(ZoneModal(zone, actor), self._saved)
        elif table_id == "staff":
            member = next((m for m in self.data.staff if str(m["id"]) == key), None)
            if member is not None:
                self.app.push_screen(StaffModal(member, actor), self._saved)

    def action_add_zone(self) -> None:
        self.app.push_screen(ZoneModal(None, self.app.actor), self._saved)

    def action_add_staff(self) -> None:
        self.app.push_screen(StaffModal(None, self.app.actor), self._saved)

    def _saved(self, result) -> None:
        if result is not None:
            self.app.notify(f"saved: {result}")


@register_screen(
    "S", "settings", "Settings & tax", help="Shop settings, tax zones, staff", order=90
)
def _settings(app) -> SettingsScreen:
    return SettingsScreen()
