"""Console forms for the office's records: customers (add, edit, merge), assets (edit,
retire, add), technicians (add, edit, home), and the new-order form's phone check and duplicate
notice — each saving through the same service call as the CLI."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import Asset, Customer, PossibleDuplicate, WorkOrder
from svcdesk.services.crm import technicians as techs
from svcdesk.tui.forms import FormModal
from svcdesk.tui.screens.asset import AssetScreen
from svcdesk.tui.screens.customers import CustomersScreen
from tests.tui.helpers import new_customer_order, press, run_app


def card(app) -> str:
    return str(app.screen.query_one("#customer-card").render())


def fill(app, **values) -> None:
    for fid, value in values.items():
        app.screen.query_one(f"#f-{fid}").value = value


def customers(engine) -> list[Customer]:
    with read_session(engine) as s:
        return list(s.exec(select(Customer).order_by(Customer.id)))


async def test_add_customer_with_a_site(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "a")
        assert isinstance(app.screen, FormModal)
        fill(app, name="Ann Lee", phone="call me maybe", address="9 Elm St", zip="78704")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, FormModal)  # refused: the dialog stays, input kept
        assert "phone: 'call me maybe' is not a phone number" in str(
            app.screen.query_one("#error").render()
        )
        assert len(customers(engine)) == 2
        fill(app, phone="512-555-0777 x9")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CustomersScreen)
        new = customers(engine)[-1]
        assert (new.name, new.phone, new.phone_ext) == ("Ann Lee", "+15125550777", "9")
        assert "Ann Lee" in card(app) and "(512) 555-0777 x9" in card(app)
        assert "9 Elm St" in card(app)


async def test_edit_customer(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "slash", *"jane", "escape", "e")
        assert app.screen.query_one("#f-name").value == "Jane Porter"
        assert app.screen.query_one("#f-phone").value == "(512) 555-0101"
        fill(app, phone="512-555-0303")
        await press(pilot, "ctrl+s")
        assert "phone: Riverside Cafe (#2) already has" in str(
            app.screen.query_one("#error").render()
        )
        fill(app, phone="512-555-0101 x23", notes="gate code 1234")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CustomersScreen)
        jane = customers(engine)[0]
        assert (jane.phone_ext, jane.notes) == ("23", "gate code 1234")
        assert "gate code 1234" in card(app)


async def test_merge_a_possible_duplicate(engine, shop):
    from svcdesk.db import write_session
    from svcdesk.services.orders.intake import IntakeRequest, create_order

    with write_session(engine) as s:
        o, _ = create_order(s, IntakeRequest(summary="x", customer="Totally Different Person",
                                             phone="512-555-0101", address="9 Elm St", zip="78704"))  # fmt: skip
        dup_id, order_id = o.customer_id, o.id
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "slash", *"jane", "escape")
        assert f"possible duplicate of Totally Different Person (#{dup_id})" in card(app)
        await press(pilot, "m")
        assert app.screen.query_one("#f-other").value == str(dup_id)  # offered first
        await press(pilot, "enter")
        assert isinstance(app.screen, CustomersScreen)
        assert "possible duplicate" not in card(app)
        assert "9 Elm St" in card(app)
    with read_session(engine) as s:
        assert s.get(WorkOrder, order_id).customer_id == shop["customer"]
        assert s.get(Customer, dup_id).merged_into_id == shop["customer"]
        assert s.exec(select(PossibleDuplicate)).all() == []


async def test_asset_add_edit_retire(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "slash", *"jane", "escape", "A")
        fill(app, kind="water heater", make="Rheem", installed="2020-05-01", warranty="2019-01-01")
        await press(pilot, "ctrl+s")
        assert "warranty: ends 2019-01-01" in str(app.screen.query_one("#error").render())
        fill(app, warranty="2030-05-01")
        await press(pilot, "ctrl+s")
        assert "water heater Rheem" in card(app)
        await press(pilot, "y")  # open an asset: the furnace first
        await press(pilot, "enter")
        assert isinstance(app.screen, AssetScreen) and app.screen.asset_id == shop["asset"]
        await press(pilot, "e")
        assert app.screen.query_one("#f-serial").value == "CA1234"
        fill(app, serial="CA9999", warranty="2031-01-31")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AssetScreen)
        await press(pilot, "x")
        fill(app, reason="replaced")
        await press(pilot, "enter", "enter")  # to the last field, then save
        assert app.screen.sub_title == "retired 2026-11-25"
    with read_session(engine) as s:
        a = s.get(Asset, shop["asset"])
        assert (a.serial, str(a.warranty_until), a.retired_reason) == (
            "CA9999",
            "2031-01-31",
            "replaced",
        )


async def test_technician_edit(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "t")
        table = app.screen.query_one("#techs")
        table.move_cursor(row=table.get_row_index(str(shop["bob"])))
        await press(pilot, "e")
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#f-shifts").value == "mon-fri 08:00-17:00"
        fill(app, skills="plumbing, welding")
        await press(pilot, "ctrl+s")
        assert "skill: unknown skill 'welding'" in str(app.screen.query_one("#error").render())
        fill(app, skills="plumbing, hvac", shifts="mon-thu 07:00-17:00", rate="40")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormModal)
    with read_session(engine) as s:
        t = techs.find_technician(s, shop["bob"])
        assert t.hourly_cost_cents == 4000
        assert techs.technician_skills(s, t.id) == ["hvac", "plumbing"]
        assert techs.shifts_spec(techs.technician_shifts(s, t.id)) == "mon-thu 07:00-17:00"


async def test_technician_add_and_home(engine, shop):
    """`a` on the technicians screen adds one (a new shop has no other way in the console);
    the home, where the day's drives start, is typed as an address ending in a ZIP."""
    from svcdesk.tui.screens.technicians import TechniciansScreen

    async with run_app(engine) as (app, pilot):
        await press(pilot, "t", "a")
        assert isinstance(app.screen, FormModal)
        assert app.screen.query_one("#f-shifts").value == "mon-fri 08:00-17:00"
        fill(app, name="Dee Park", skills="hvac", home="the yard")
        await press(pilot, "ctrl+s")
        assert "home: 'the yard' does not end in a known US ZIP" in str(
            app.screen.query_one("#error").render()
        )
        fill(app, home="44 Elm St, Round Rock, TX 78664", level="senior", rate="42.50")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TechniciansScreen)
        with read_session(engine) as s:
            t = techs.find_technician(s, "Dee Park")
            assert (t.home_address, t.level, t.hourly_cost_cents) == (
                "44 Elm St, Round Rock, TX 78664", "senior", 4250,
            )  # fmt: skip
            assert techs.technician_skills(s, t.id) == ["hvac"]
        await pilot.pause()
        assert app.screen.query_one("#techs").current_key == str(t.id)
        detail = str(app.screen.query_one("#tech-detail").render())
        assert "Home 44 Elm St, Round Rock, TX 78664" in detail
        await press(pilot, "e")
        assert app.screen.query_one("#f-home").value == "44 Elm St, Round Rock, TX 78664"
        fill(app, name="Dee Parker", home="")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormModal)
    with read_session(engine) as s:
        t = techs.find_technician(s, "Dee Parker")
        assert (t.home_address, t.home_lat) == (None, None)


async def test_order_form_refuses_a_bad_phone_and_flags_a_different_name(engine, shop):
    async with run_app(engine) as (app, pilot):
        form = await new_customer_order(pilot, "Totally Different Person")
        form.query_one("#phone").value = "call me maybe"
        form.query_one("#summary").value = "No heat"
        form.query_one("#address").value = "9 Elm St"
        form.query_one("#zip").value = "78704"
        await press(pilot, "ctrl+s")
        assert "phone: 'call me maybe' is not a phone number" in str(
            form.query_one("#phone-error").render()
        )
        assert len(customers(engine)) == 2
        form.query_one("#phone").value = "512-555-0101"
        await press(pilot, "ctrl+s")
        assert form is not app.screen
    with read_session(engine) as s:
        dup = s.exec(select(PossibleDuplicate)).one()
        assert dup.existing_id == shop["customer"]
        assert s.get(Customer, dup.customer_id).name == "Totally Different Person"
