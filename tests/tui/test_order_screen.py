"""Order screen: details and tabs; status, assign (refusal + force), note, hold, cancel,
callback by key; conflicts are said and reloaded."""

from __future__ import annotations

from svcdesk.db import read_session, write_session
from svcdesk.services.orders import lifecycle, notes
from svcdesk.tui.screens.board import BoardScreen
from svcdesk.tui.screens.order import OrderScreen
from tests.support.orders import events, order
from tests.tui.helpers import press, run_app, settle, table_keys


def event_kinds(engine, number) -> list[str]:
    return [e.kind for e in events(engine, number)]


async def open_order(app, pilot, number):
    app.open_order(number)
    await settle(pilot)
    assert isinstance(app.screen, OrderScreen)


async def test_order_screen_shows_everything(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o2"])
        head = str(app.screen.query_one("#order-head").render())
        assert shop["o2"] in head and "Riverside Cafe" in head and "scheduled" in head
        assert "next: dispatched, new, on hold, cancelled" in head
        visits = app.screen.query_one("#visits-table")
        assert visits.row_count == 1
        assert "Bob Ruiz" in str(visits.get_row_at(0))
        history = app.screen.query_one("#history-table")
        kinds = [str(history.get_row_at(i)[2]) for i in range(history.row_count)]
        assert kinds == ["created", "status", "assigned"]


async def test_related_orders_and_asset_history(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])
        assert table_keys(app, "#customer-orders-table") == [shop["o3"]]
        assert table_keys(app, "#site-orders-table") == [shop["o3"]]
        assert "furnace Carrier 59SC5" in str(app.screen.query_one("#order-head").render())
        await press(pilot, "4")
        await press(pilot, "enter")
        assert app.screen.number == shop["o3"]
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_change_status_offers_only_allowed_moves(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o2"])
        await press(pilot, "s")
        options = app.screen.query_one("OptionList")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["dispatched", "new", "on hold", "cancelled"]
        await press(pilot, "enter")  # dispatched
        assert isinstance(app.screen, OrderScreen)
        assert order(engine, shop["o2"]).status == "dispatched"
        assert "dispatched" in str(app.screen.query_one("#order-head").render())


async def test_hold_and_cancel_need_a_reason(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])
        await press(pilot, "h", "enter")  # empty reason: refused, dialog stays
        assert "reason is required" in str(app.screen.query_one("#error").render())
        await press(pilot, *"waiting on part", "enter")
        assert isinstance(app.screen, OrderScreen)
        o = order(engine, shop["o1"])
        assert (o.status, o.hold_reason) == ("on_hold", "waiting on part")
        await press(pilot, "x", *"customer cancelled", "enter")
        o = order(engine, shop["o1"])
        assert (o.status, o.cancel_reason) == ("cancelled", "customer cancelled")
        await press(pilot, "h")  # a cancelled order cannot be put on hold
        assert isinstance(app.screen, OrderScreen)


async def test_add_note(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])
        await press(pilot, "m", *"gate code 1234", "enter")
        assert app.screen.query_one("#notes-table").row_count == 1
        assert "note" in event_kinds(engine, shop["o1"])


async def test_assign_refusal_then_force(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])  # hvac; Bob is plumbing only
        await press(pilot, "a")
        modal = app.screen
        modal.query_one("#tech").value = shop["bob"]
        modal.query_one("#start").value = "today 10:30"
        await press(pilot, "ctrl+s")
        refusals = str(modal.query_one("#error").render())
        assert "lacks the required skill hvac" in refusals
        assert "double-booked" in refusals
        assert order(engine, shop["o1"]).status == "new"
        await press(pilot, "ctrl+f")
        assert isinstance(app.screen, OrderScreen)
        assert order(engine, shop["o1"]).status == "scheduled"
        assert "override" in event_kinds(engine, shop["o1"])


async def test_assign_then_reschedule(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])
        await press(pilot, "a")
        app.screen.query_one("#tech").value = shop["alice"]
        app.screen.query_one("#start").value = "today 13:00"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, OrderScreen)
        assert "Alice Ng" in str(app.screen.query_one("#visits-table").get_row_at(0))
        await press(pilot, "a")
        assert "Reschedule" in str(app.screen.query_one("#assign-title").render())
        assert app.screen.query_one("#tech").value == shop["alice"]
        app.screen.query_one("#start").value = "today 15:00"
        await press(pilot, "ctrl+s")
        assert "rescheduled" in event_kinds(engine, shop["o1"])
        assert "15:00" in str(app.screen.query_one("#visits-table").get_row_at(0))


async def test_callback_order(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])
        await press(pilot, "R")
        box = app.screen.query_one("#text")
        assert box.value == "Callback: No heat upstairs"
        await press(pilot, "enter")
        assert isinstance(app.screen, OrderScreen)
        new_number = app.screen.number
        assert new_number != shop["o1"]
        with read_session(engine) as s:
            cb = lifecycle.get_order(s, new_number)
            orig = lifecycle.get_order(s, shop["o1"])
            assert (cb.kind, cb.callback_of_id, cb.asset_id) == ("callback", orig.id, orig.asset_id)
        assert f"callback of {shop['o1']}" in str(app.screen.query_one("#order-head").render())


async def test_conflict_is_said_and_reloaded(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])
        # someone else changes the order after we opened it (we don't poll here)
        with write_session(engine) as s:
            lifecycle.change_status(
                s, lifecycle.get_order(s, shop["o1"]), "on_hold", reason="other desk", actor="eve"
            )
        await press(pilot, "s")
        labels = app.screen.query_one("OptionList")
        assert str(labels.get_option_at_index(0).prompt) == "scheduled"  # stale: we think new
        await press(pilot, "down", "down", "enter")  # cancelled -> asks reason
        await press(pilot, *"dup", "enter")
        # the reason dialog stays with what was typed and says why (issue 18: lost work)
        assert app.screen.query_one("#text").value == "dup"
        assert "changed by someone else" in str(app.screen.query_one("#error").render())
        await press(pilot, "escape")  # drop it: nothing is written
        assert isinstance(app.screen, OrderScreen)
        o = order(engine, shop["o1"])
        assert (o.status, o.hold_reason) == ("on_hold", "other desk")
        assert "on hold: other desk" in str(app.screen.query_one("#order-head").render())


async def test_note_from_elsewhere_appears_live(engine, shop):
    async with run_app(engine) as (app, pilot):
        await open_order(app, pilot, shop["o1"])
        with write_session(engine) as s:
            notes.add_note(s, lifecycle.get_order(s, shop["o1"]), "called back", author="eve")
        app.poll_changes()
        await settle(pilot)
        assert app.screen.query_one("#notes-table").row_count == 1
