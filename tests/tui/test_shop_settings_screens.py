"""Settings & tax (`S`) and a customer's sites (`s` on the customer screen), keys only."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import Site
from svcdesk.models.shop import TaxZone
from svcdesk.services.common.settings import get_setting
from svcdesk.tui.screens.shop_settings import SettingModal, SettingsScreen, ZoneModal
from svcdesk.tui.site_modals import SiteForm, SitesModal
from tests.tui.helpers import press, run_app, table_keys


def _error(app) -> str:
    return str(app.screen.query_one("#error").render())


def _setting(engine, key):
    with read_session(engine) as s:
        return get_setting(s, key)


async def test_edit_a_setting_with_the_same_checks(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "S")
        assert isinstance(app.screen, SettingsScreen)
        keys = table_keys(app, "#settings")
        assert "sla.hours.high" in keys and "tax.default_zone" in keys
        table = app.screen.query_one("#settings")
        table.move_cursor(row=keys.index("sla.hours.high"), animate=False)
        await press(pilot, "enter")
        assert isinstance(app.screen, SettingModal)
        assert "respond to a high-priority order" in str(app.screen.query_one("#about").render())
        await press(pilot, *["backspace"] * 4, *"1e308", "enter")
        assert isinstance(app.screen, SettingModal)  # refused in place
        assert "out of range" in _error(app) and "8760 hours" in _error(app)
        assert _setting(engine, "sla.hours.high") == "24"
        await press(pilot, *["backspace"] * 8, *"12", "enter")
        assert isinstance(app.screen, SettingsScreen)
        assert _setting(engine, "sla.hours.high") == "12"


async def test_add_and_edit_tax_zones(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "S", "a")
        assert isinstance(app.screen, ZoneModal)
        await press(pilot, *"Austin", "tab", *"eighty", "enter")
        assert "percentage" in _error(app)
        await press(pilot, *["backspace"] * 6, *"8.25", "enter")
        assert isinstance(app.screen, SettingsScreen)
        assert table_keys(app, "#tax-zones") == ["1"]
        await press(pilot, "tab", "enter")  # the zones table; edit Austin
        assert isinstance(app.screen, ZoneModal)
        await press(pilot, "tab", *["backspace"] * 4, *"8.5", "tab", "tab", "space")
        await press(pilot, "shift+tab", "shift+tab", "enter")  # (back to the rate; save)
        assert isinstance(app.screen, SettingsScreen)
        with read_session(engine) as s:
            zone = s.exec(select(TaxZone)).one()
            assert (zone.name, zone.rate_bp) == ("Austin", 850)
            assert get_setting(s, "tax.default_zone") == "Austin"


async def test_add_and_edit_a_site_from_the_customer_screen(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "s")
        assert isinstance(app.screen, SitesModal)
        before = table_keys(app, "#sites")
        await press(pilot, "a")
        assert isinstance(app.screen, SiteForm)
        await press(pilot, *"9 Elm St", "tab", *"Austin", "tab", *"Texas", "enter")
        assert "two-letter state code" in _error(app)
        await press(pilot, *["backspace"] * 5, *"TX", "tab", *"78701", "tab", "tab", "tab",
                    *"Gate 12", "tab", *"30.27", "tab", *"-97.74", "enter")  # fmt: skip
        assert isinstance(app.screen, SitesModal)
        after = table_keys(app, "#sites")
        assert len(after) == len(before) + 1
        with read_session(engine) as s:
            site = s.get(Site, int(after[-1]))
            assert (site.state, site.zip, site.access_notes) == ("TX", "78701", "Gate 12")
            assert (site.lat, site.lon) == (30.27, -97.74)
        table = app.screen.query_one("#sites")
        table.move_cursor(row=len(after) - 1, animate=False)
        await press(pilot, "enter")
        assert isinstance(app.screen, SiteForm)
        await press(pilot, "tab", *["backspace"] * 6, *"Round Rock", "enter")
        assert isinstance(app.screen, SitesModal)
        with read_session(engine) as s:
            assert s.get(Site, int(after[-1])).city == "Round Rock"


async def test_add_and_edit_staff_on_the_settings_screen(engine, shop):
    from svcdesk.models.shop import ChangeEvent, Staff
    from svcdesk.services.common.events import act_as
    from svcdesk.tui.screens.shop_settings import StaffModal

    act_as(engine, "dana", on_behalf_of="jsmith")  # as `svcdesk --as dana` starts it
    async with run_app(engine, actor="dana") as (app, pilot):
        await press(pilot, "S")
        assert table_keys(app, "#staff") == ["1", "4", "2", "3"]  # dana, kim, lee, sam
        await press(pilot, "f")
        assert isinstance(app.screen, StaffModal)
        await press(pilot, *"Robin Hale", "tab", *["backspace"] * 10, *"boss", "enter")
        assert isinstance(app.screen, StaffModal)  # refused in place
        assert "role: 'boss' is not one of" in _error(app)
        await press(pilot, *["backspace"] * 4, *"office", "tab", *"Alice", "enter")
        assert isinstance(app.screen, SettingsScreen)
        assert table_keys(app, "#staff") == ["1", "4", "2", "5", "3"]
        await press(pilot, "tab", "tab")  # the staff table
        app.screen.query_one("#staff").move_cursor(row=3, animate=False)
        await press(pilot, "enter")  # edit Robin
        assert isinstance(app.screen, StaffModal)
        await press(pilot, "tab", "tab", "tab", "space", "shift+tab", "enter")  # inactive
        assert isinstance(app.screen, SettingsScreen)
    with read_session(engine) as s:
        robin = s.exec(select(Staff).where(Staff.name == "Robin Hale")).one()
        assert (robin.role, robin.technician_id, robin.active) == ("office", shop["alice"], False)
        made = s.exec(select(ChangeEvent).where(ChangeEvent.entity == "staff")).all()
        assert [(e.kind, e.actor, e.on_behalf_of) for e in made] == [
            ("created", "dana", "jsmith"),
            ("edited", "dana", "jsmith"),
        ]
