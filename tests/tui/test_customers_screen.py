"""Customers (`c`): search as you type, the card, order history, open an order, opener."""

from __future__ import annotations

from svcdesk.tui.screens.customers import CustomersScreen
from tests.tui.helpers import press, run_app, table_keys


def card(app) -> str:
    return str(app.screen.query_one("#customer-card").render())


async def test_c_directory_and_card(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c")
        assert isinstance(app.screen, CustomersScreen)
        assert len(table_keys(app, "#customers")) == 2
        text = card(app)
        assert "Jane Porter" in text and "1204 Oak Street, Austin, TX 78704" in text
        assert "furnace Carrier 59SC5" in text and "Orders: 2 open, 2 in all" in text
        assert set(table_keys(app, "#customer-orders")) == {shop["o1"], shop["o3"]}


async def test_search_as_you_type(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "slash", *"river")
        assert app.screen.query_one("#filter").has_focus
        assert len(table_keys(app, "#customers")) == 1
        assert "Riverside Cafe" in card(app)
        assert table_keys(app, "#customer-orders") == [shop["o2"]]
        await press(pilot, "escape")
        assert app.screen.query_one("#customers").has_focus
        box = app.screen.query_one("#filter")
        box.value = "555-0101"
        await press(pilot)
        assert "Jane Porter" in card(app)
        box.value = "zzz"
        await press(pilot)
        assert table_keys(app, "#customers") == []
        assert "No customer matches" in card(app)


async def test_enter_opens_order_from_history(engine, shop):
    from svcdesk.tui.screens.order import OrderScreen

    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "enter")
        assert app.screen.query_one("#customer-orders").has_focus
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, CustomersScreen)


async def test_opener_selects_customer(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "c", "slash", *"jane")
        app.open_item("customer", shop["customer"] + 1, "Riverside Cafe")
        await press(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert app.screen.current().name == "Riverside Cafe"
        assert "Riverside Cafe" in card(app)


async def test_card_shows_messages_and_p_sets_consent(engine, shop):
    from svcdesk.db import read_session
    from svcdesk.services.messages import prefs

    async with run_app(engine) as (app, pilot):
        await press(pilot, "c")
        assert "Messages (no consent to messages; p changes)" in card(app)
        assert "none yet" in card(app)
        await press(pilot, "p", "enter")  # "Consent, e-mail preferred"
        await pilot.pause()
        with read_session(engine) as s:
            pref = prefs.preference(s, shop["customer"])
            assert pref is not None and pref.consent and pref.channel == "email"
        await press(pilot, "c")
        assert "Messages (e-mail preferred; p changes)" in card(app)
