"""Technicians' phones in the console (field app, docs/field-app.md): `P` on the
technicians screen opens this dialog for the highlighted technician — their signed-in
phones, `e` makes a one-time sign-in link (shown with its QR code), `r` revokes the
highlighted phone. The same services as `svcdesk techs enrol|devices|revoke`."""

from __future__ import annotations

import io

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.crm import devices, technicians
from svcdesk.tui.base import DataModal
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.widgets.table import KeyTable


class PhonesModal(DataModal):
    DEFAULT_CSS = """
    PhonesModal { align: center middle; }
    PhonesModal #phones-box { width: 96; height: auto; max-height: 95%; border: thick $accent;
                              padding: 0 1; background: $surface; }
    PhonesModal #phones { height: auto; max-height: 8; }
    PhonesModal #phones-link { height: auto; }
    PhonesModal #error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("e", "enrol", "New sign-in link"),
        Binding("r", "revoke", "Revoke phone"),
    ]

    def __init__(self, tech_id: int, name: str) -> None:
        super().__init__()
        self.tech_id, self.tech_name = tech_id, name

    def compose(self) -> ComposeResult:
        with Vertical(id="phones-box"):
            yield Static(
                f"[b]{self.tech_name}[/b]: phones   e new sign-in link · r revoke · escape close"
            )
            yield key_table(
                "phones", ("Id", 5), ("Signed in", 17), ("Last seen", 17), ("State", 32)
            )
            yield Static(id="phones-link")
            yield Static(id="error")

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#phones", KeyTable).focus()

    def refresh_data(self) -> None:
        tech_id = self.tech_id
        self.load(call(devices.device_rows, tech_id), self._show)

    def _show(self, rows: list[devices.DeviceRow]) -> None:
        zone = self.app.zone
        self.query_one("#phones", KeyTable).replace_rows(
            (str(r.id), (str(r.id), fmt(r.signed_in, zone), fmt(r.last_seen, zone) if r.last_seen else "",
                         f"revoked {fmt(r.revoked, zone)} by {r.revoked_by}" if r.revoked else "active"))
            for r in rows
        )  # fmt: skip

    def action_enrol(self) -> None:
        tech_id, actor = self.tech_id, self.app.actor

        def make(session):
            base = devices.field_url()  # ($SVCDESK_FIELD_URL, as for `techs enrol`)
            tech = technicians.find_technician(session, tech_id)
            enrolment = devices.create_enrolment(session, tech, actor=actor)
            return enrolment, devices.enrolment_link(base, enrolment.token)

        self.save(make, self._show_link, on_error=self.show_error)

    def _show_link(self, result: tuple[devices.Enrolment, str]) -> None:
        import segno

        enrolment, link = result
        out = io.StringIO()
        segno.make(link, error="l").terminal(out=out, compact=True)
        until = fmt(enrolment.expires_at, self.app.zone, "%H:%M")
        self.query_one("#phones-link", Static).update(
            f"One-time link (until {until}): {link}\n{out.getvalue()}"
        )
        self.query_one("#error", Static).update("")

    def action_revoke(self) -> None:
        key = self.query_one("#phones", KeyTable).current_key
        if not key:
            return
        device_id, actor = int(key), self.app.actor
        self.save(
            call(devices.revoke_device, device_id, actor=actor, then=lambda d: d and device_id),
            lambda _r: self.refresh_data(),
            on_error=self.show_error,
        )

    def show_error(self, exc) -> bool:
        self.query_one("#error", Static).update(str(exc))
        return True


def open_phones(app, tech_id: int, name: str) -> None:
    app.push_screen(PhonesModal(tech_id, name))
