"""New order form: lookup as you type, new customer inline, errors at the field, nothing
typed is lost when a save fails."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import Customer, WorkOrder
from svcdesk.tui.screens.order import OrderScreen
from svcdesk.tui.screens.order_form import OrderFormScreen
from tests.tui.helpers import new_customer_order, press, run_app, settle


def orders(engine) -> list[WorkOrder]:
    with read_session(engine) as s:
        return list(s.exec(select(WorkOrder).order_by(WorkOrder.id)))


async def test_existing_customer_by_phone(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "n")
        form = app.screen
        assert isinstance(form, OrderFormScreen)
        await press(pilot, *"555-0101")
        matches = form.query_one("#customer-matches")
        assert "Jane Porter" in str(matches.get_option_at_index(0).prompt)
        await press(pilot, "enter", "enter")  # into the list, pick Jane
        assert form.customer_id == shop["customer"]
        assert form.query_one("#site").value == shop["site"]
        assert form.query_one("#asset")._options[-1][1] == shop["asset"]
        form.query_one("#asset").value = shop["asset"]
        form.query_one("#priority").value = "high"
        form.query_one("#skill").value = "hvac"
        form.query_one("#window_start").value = "tomorrow 9:00"
        form.query_one("#window_end").value = "tomorrow 12:00"
        form.query_one("#summary").value = "Thermostat blank"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, OrderScreen)
        new = orders(engine)[-1]
        assert (new.customer_id, new.site_id, new.asset_id) == (
            shop["customer"],
            shop["site"],
            shop["asset"],
        )
        assert (new.priority, new.summary, new.window_start.hour) == (
            "high",
            "Thermostat blank",
            15,
        )
        assert app.screen.number == new.number


async def test_lookup_by_address(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "n", *"riverside dr")
        matches = app.screen.query_one("#customer-matches")
        assert "Riverside Cafe" in str(matches.get_option_at_index(0).prompt)
        assert "New customer" in str(matches.get_option_at_index(matches.option_count - 1).prompt)


async def test_new_customer_inline_and_errors_keep_input(engine, shop):
    async with run_app(engine) as (app, pilot):
        form = await new_customer_order(pilot, "Tom Baker")
        assert form.new_customer and form.query_one("#name").value == "Tom Baker"
        assert form.query_one("#site").value == "new"
        form.query_one("#phone").value = "512-555-0999"
        form.query_one("#est_minutes").value = "45"
        await press(pilot, "ctrl+s")  # no summary
        assert "summary: required" in str(form.query_one("#summary-error").render())
        form.query_one("#summary").value = "Water heater pilot out"
        await press(pilot, "ctrl+s")  # no address
        assert "address: required" in str(form.query_one("#address-error").render())
        assert str(form.query_one("#summary-error").render()) == ""
        form.query_one("#address").value = "9 Elm St"
        form.query_one("#city").value = "Austin"
        form.query_one("#window_start").value = "someday"
        await press(pilot, "ctrl+s")
        assert "window_start" in str(form.query_one("#window_start-error").render())
        # everything typed is still there
        assert form.query_one("#summary").value == "Water heater pilot out"
        assert form.query_one("#address").value == "9 Elm St"
        assert form.query_one("#phone").value == "512-555-0999"
        assert len(orders(engine)) == 3
        form.query_one("#window_start").value = ""
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, OrderScreen)
        with read_session(engine) as s:
            tom = s.exec(select(Customer).where(Customer.name == "Tom Baker")).one()
        new = orders(engine)[-1]
        assert (new.customer_id, new.est_minutes) == (tom.id, 45)


async def test_customer_must_be_chosen(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "n", *"Jane")
        app.screen.query_one("#summary").value = "x"
        await press(pilot, "ctrl+s")
        assert "pick a customer" in str(app.screen.query_one("#customer-error").render())
        await press(pilot, "escape")  # half-typed: asks first
        assert isinstance(app.screen_stack[-2], OrderFormScreen)
        await press(pilot, "y")
        await settle(pilot)
        assert not isinstance(app.screen, OrderFormScreen)


async def test_every_field_shows_and_tabs_in_order_at_100x30(engine, shop):
    async with run_app(engine, size=(100, 30)) as (app, pilot):
        form = await new_customer_order(pilot, "Tom Baker")  # name, phone, e-mail, address
        assert form.query_one("#site").value == "new"
        form.query_one("#address").focus()
        await settle(pilot)
        seen = []
        for _ in range(4):
            widget = app.focused
            seen.append(widget.id)
            region = widget.region
            assert region.height == 1 and 0 < region.y < 29, (widget.id, region)
            await press(pilot, "tab")
        assert seen == ["address", "city", "state", "zip"]


async def test_tab_never_enters_hidden_fields(engine, shop):
    async with run_app(engine, size=(100, 30)) as (app, pilot):
        await press(pilot, "n", *"555-0101", "enter", "enter")
        form = app.screen
        hidden = {w.id for w in form.query("#new-site Input, #new-customer Input")}
        visited = set()
        for _ in range(16):
            await press(pilot, "tab")
            visited.add(app.focused.id)
        assert visited and not visited & hidden


async def test_picking_a_customer_moves_on_and_new_customer_keeps_the_name(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "n", *"555-0101", "enter", "enter")  # Jane: one site
        assert app.focused.id == "priority"
        await press(pilot, "escape", "y")
        await new_customer_order(pilot, "Tom Baker")
        assert app.focused.id == "name"
        await press(pilot, *" Jr")  # appended, not replacing the pre-filled name
        assert app.screen.query_one("#name").value == "Tom Baker Jr"


async def test_escape_asks_only_when_something_was_typed(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "n", "escape")
        assert not isinstance(app.screen, OrderFormScreen)  # nothing typed: just leaves
        await press(pilot, "n", *"Jane", "escape")
        assert "Throw away" in str(app.screen.query_one("#confirm-question").render())
        await press(pilot, "n")  # no: the form and what was typed stay
        assert isinstance(app.screen, OrderFormScreen)
        assert app.screen.query_one("#customer").value == "Jane"
        app.screen.query_one("#priority").focus()
        await press(pilot, "b")  # a screen key from the form (a select focused) asks too
        assert "Leave without saving" in str(app.screen.query_one("#confirm-question").render())
        await press(pilot, "y")
        assert type(app.screen).__name__ == "BoardScreen"


async def test_keys_typed_right_after_n_all_reach_the_customer_field(engine, shop):
    async with run_app(engine) as (app, pilot):
        await pilot.press("n", *"555-0101")  # no pause: the form is still mounting
        await settle(pilot)
        assert app.screen.query_one("#customer").value == "555-0101"
