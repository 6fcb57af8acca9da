"""Pilot tests + snapshots: the field-work panel, the closeout queue, the inventory screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models import Visit, WorkOrder
from svcdesk.models.execution import Signature, VisitChecklistAnswer
from svcdesk.models.inventory import PartUsage
from svcdesk.services.execution import checklists
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.inventory import restock, stock
from svcdesk.services.orders import lifecycle
from svcdesk.tui.screens.closeout import CloseoutScreen
from svcdesk.tui.screens.field import FieldScreen, open_field
from svcdesk.tui.screens.inventory import InventoryScreen
from tests.conftest import FROZEN_NOW
from tests.tui.helpers import SIZE, console_app, press, run_app, settle, snapshot_before
from tests.unit.execution.helpers import when
from tests.unit.inventory.helpers import stocked


@pytest.fixture
def field_shop(engine, shop):
    with write_session(engine) as s:
        wh, cap, gas = stocked(s)
        stock.post_move(s, part=cap, qty_milli=6000, kind="receive", to_loc=wh, reference="PO-1")
        stock.post_move(s, part=gas, qty_milli=30000, kind="receive", to_loc=wh)
        bob = stock.get_location(s, "Bob Ruiz")
        stock.post_move(s, part=cap, qty_milli=3000, kind="transfer", from_loc=wh, to_loc=bob)
        restock.set_par(s, bob, cap, min_milli=4000, par_milli=5000)
        tpl = checklists.create_template(
            s, "Sink check",
            [checklists.parse_item_spec("Leak stopped:yes_no"),
             checklists.parse_item_spec("Pressure:number:psi")],
        )  # fmt: skip
        o2 = lifecycle.get_order(s, shop["o2"])
        checklists.attach(s, vp.find_visit(s, o2), tpl)
    return shop


def _order(engine, number):
    with read_session(engine) as s:
        return s.exec(select(WorkOrder).where(WorkOrder.number == number)).one()


async def test_w_on_order_opens_field_work_and_visit_runs_to_completion(engine, field_shop):
    number = field_shop["o2"]
    async with run_app(engine) as (app, pilot):
        app.open_order(number)
        await settle(pilot)
        await press(pilot, "w")
        assert isinstance(app.screen, FieldScreen) and app.screen.number == number
        await press(pilot, "s")
        assert _order(engine, number).status == "en_route"
        clock.freeze(FROZEN_NOW + timedelta(minutes=25))
        await press(pilot, "a")
        assert _order(engine, number).status == "on_site"
        # part: search by name, pick, quantity
        await press(pilot, "p")
        await pilot.press(*"capac")
        await settle(pilot)
        await press(pilot, "enter")  # picks the part AND moves to the quantity (1, selected)
        assert app.focused.id == "qty" and app.focused.value == "1"
        assert "✓" in str(app.screen.query_one("#picked").render())
        await pilot.press("2")
        await press(pilot, "enter")
        with read_session(engine) as s:
            (usage,) = s.exec(select(PartUsage)).all()
            assert usage.qty_milli == 2000
        assert "CAP-35" in str(app.screen.query_one("#ex-parts-table").get_row_at(0))
        # checklist: answer both items
        await press(pilot, "e")
        await pilot.press(*"yes")
        await press(pilot, "enter")
        await press(pilot, "j")
        await press(pilot, "enter")
        await pilot.press(*"61")
        await press(pilot, "enter")
        with read_session(engine) as s:
            assert len(s.exec(select(VisitChecklistAnswer)).all()) == 2
        # complete: outcome list, pick "fixed"
        clock.freeze(FROZEN_NOW + timedelta(minutes=80))
        await press(pilot, "o")
        await press(pilot, "enter")
        assert _order(engine, number).status == "completed"
        # `o` on a completed visit corrects its outcome and work text
        await press(pilot, "o")
        await pilot.press(*"quoted New valve quoted")
        await press(pilot, "enter")
        with read_session(engine) as s:
            visit = s.exec(select(Visit).where(Visit.order_id == _order(engine, number).id)).one()
            assert (visit.outcome, visit.work_performed) == ("quoted", "New valve quoted")
        await press(pilot, "y")
        await pilot.press(*"Maria")
        await press(pilot, "enter")
        with read_session(engine) as s:
            assert s.exec(select(Signature)).one().signer_name == "Maria"
        await press(pilot, "escape")
        assert not isinstance(app.screen, FieldScreen)


async def test_complete_refused_with_unanswered_checklist_shows_in_dialog(engine, field_shop):
    number = field_shop["o2"]
    async with run_app(engine) as (app, pilot):
        open_field(app, number)
        await settle(pilot)
        await press(pilot, "a")
        clock.freeze(FROZEN_NOW + timedelta(minutes=30))
        await press(pilot, "o")
        await press(pilot, "enter")
        error = str(app.screen.query_one("#error").render())
        assert "required checklist items unanswered" in error
        assert _order(engine, number).status == "on_site"


async def test_remove_part_returns_stock(engine, field_shop):
    number = field_shop["o2"]
    with write_session(engine) as s:
        from svcdesk.services.inventory import part_usage, parts

        order = lifecycle.get_order(s, number)
        part_usage.use_part(s, order, parts.get_part(s, "CAP-35"), 1000,
                            visit=vp.find_visit(s, order))  # fmt: skip
    async with run_app(engine) as (app, pilot):
        open_field(app, number)
        await settle(pilot)
        await press(pilot, "2")
        await press(pilot, "d")
        with read_session(engine) as s:
            assert s.exec(select(PartUsage)).all() == []
            bob = stock.get_location(s, "Bob Ruiz")
            assert stock.on_hand(s, bob.id, 1) == 3000


def _complete_o2(engine, number):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, number)
        visit = vp.find_visit(s, order)
        vp.arrive(s, visit, at=when(s, "today 10:00"))
        vp.complete(s, visit, "fixed", at=when(s, "today 11:00"), force=True)


async def test_closeout_queue_f_jumps_to_the_fix(engine, field_shop):
    number = field_shop["o2"]
    _complete_o2(engine, number)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "C")
        assert isinstance(app.screen, CloseoutScreen)
        assert app.screen.rows[number].problems == ["checklist", "no_parts"]
        await press(pilot, "f")  # first problem: checklist -> answer dialog on the item
        assert isinstance(app.screen_stack[-2], FieldScreen)
        await pilot.press(*"yes")
        await press(pilot, "enter")
        await press(pilot, "escape")
        await press(pilot, "escape")
        assert isinstance(app.screen, CloseoutScreen)
        assert app.screen.rows[number].problems == ["checklist", "no_parts"]  # pressure left
        await press(pilot, "enter")
        assert isinstance(app.screen, FieldScreen)


async def test_inventory_filter_and_restock(engine, field_shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "P")
        assert isinstance(app.screen, InventoryScreen)
        assert app.screen.data.restock_lines == 1
        await press(pilot, "slash")
        await pilot.press(*"truck")
        await press(pilot, "enter")
        assert [r.location for r in app.screen.data.on_hand] == ["Truck Bob Ruiz"]
        await press(pilot, "a")
        question = str(app.screen.query_one("#confirm-question").render())
        assert question.startswith("Post 1 restock transfer (")
        await press(pilot, "n")  # no: nothing moves
        with read_session(engine) as s:
            assert stock.on_hand(s, stock.get_location(s, "Bob Ruiz").id, 1) != 5000
        await press(pilot, "a", "y")
        with read_session(engine) as s:
            bob = stock.get_location(s, "Bob Ruiz")
            assert stock.on_hand(s, bob.id, 1) == 5000
        assert app.screen.data.restock_lines == 0


def test_field_work_snapshot(snap_compare, engine, field_shop):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, field_shop["o2"])
        visit = vp.find_visit(s, order)
        vp.start_travel(s, visit, at=when(s, "today 09:35"))
        vp.arrive(s, visit, at=when(s, "today 10:02"))
        checklists.answer(s, visit, "1", "yes")
    app = console_app(engine)

    async def run_before(pilot):
        await settle(pilot)
        open_field(pilot.app, field_shop["o2"])
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_closeout_snapshot(snap_compare, engine, field_shop):
    _complete_o2(engine, field_shop["o2"])
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(["C"]))


def test_inventory_snapshot(snap_compare, engine, field_shop):
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(["P"]))
