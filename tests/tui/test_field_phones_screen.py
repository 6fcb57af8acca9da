"""Console: technicians' phones (`P` on the technicians screen): a sign-in link with its
QR code, the phones list, revoking one."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models.field import FieldDevice, FieldEnrolment
from svcdesk.services.crm import devices, technicians
from svcdesk.tui.screens.phones import PhonesModal
from svcdesk.tui.screens.technicians import TechniciansScreen
from tests.tui.helpers import press, run_app, table_keys


async def test_phones_dialog_enrols_and_revokes(engine, shop):
    with write_session(engine) as s:
        bob = technicians.find_technician(s, "Bob")
        token = devices.create_enrolment(s, bob, actor="dana").token
        device, _ = devices.redeem_enrolment(s, token, label="Android")
    async with run_app(engine) as (app, pilot):
        await press(pilot, "t")
        assert isinstance(app.screen, TechniciansScreen)
        app.screen.select_technician(shop["bob"])
        await press(pilot, "F")
        assert isinstance(app.screen, PhonesModal)
        assert table_keys(app, "#phones") == [str(device.id)]
        await press(pilot, "e")
        text = str(app.screen.query_one("#phones-link").render())
        assert "http://127.0.0.1:8000/enrol/" in text and "until 08:15" in text
        with read_session(engine) as s:
            assert len(s.exec(select(FieldEnrolment)).all()) == 2
        await press(pilot, "r")
        with read_session(engine) as s:
            row = s.get(FieldDevice, device.id)
        assert row.revoked_at is not None and row.revoked_by == app.actor
        assert "revoked" in " ".join(
            str(c) for c in app.screen.query_one("#phones").get_row(str(device.id))
        )
        await press(pilot, "r")  # again: one clear line, the dialog stays
        assert "already revoked" in str(app.screen.query_one("#error").render())
        await press(pilot, "escape")
        assert isinstance(app.screen, TechniciansScreen)
