"""Price book (`B`): a new shop adds its labor rate, a task and a markup tier by keys, and
edits them; refusals stay in the dialog and write nothing."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models.billing import LaborRate, MarkupTier, PriceBookItem
from svcdesk.services.billing import pricebook_csv
from svcdesk.tui.screens.pricebook import PriceBookModal, PriceBookScreen
from tests.tui.helpers import SIZE, console_app, press, run_app, settle, table_keys


def _error(app) -> str:
    return str(app.screen.query_one("#error").render())


async def _type(pilot, app, field: str, text: str) -> None:
    app.screen.query_one(f"#{field}").focus()
    await press(pilot, *text)


async def _pick_type(pilot, app, kind: str) -> None:
    select = app.screen.query_one("#type")
    select.value = kind
    await settle(pilot)


async def test_add_a_labor_rate_task_and_markup_then_edit(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "B")
        assert isinstance(app.screen, PriceBookScreen)
        assert table_keys(app, "#pb-labor") == []
        await press(pilot, "a")
        assert isinstance(app.screen, PriceBookModal)
        await _pick_type(pilot, app, "labor")
        await _type(pilot, app, "code", "labor")
        await press(pilot, "tab", *"Regular labor", "tab", *"regular", "tab", "tab", *"ninety")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, PriceBookModal)  # refused in place
        assert "price: 'ninety' is not an amount" in _error(app)
        await press(pilot, *["backspace"] * 6, *"95.00", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PriceBookScreen)
        assert table_keys(app, "#pb-labor") == ["LABOR"]

        await press(pilot, "a")
        await _type(pilot, app, "code", "tune")
        await press(pilot, "tab", *"Furnace tune-up", "tab", *"89", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PriceBookScreen)
        await press(pilot, "a")
        await _pick_type(pilot, app, "markup")
        await _type(pilot, app, "code", "m0")
        await press(pilot, "tab", *"0", "tab", *"40", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PriceBookScreen)
        assert table_keys(app, "#pb-items") == ["TUNE"] and table_keys(app, "#pb-markup") == ["M0"]

        app.screen.query_one("#pb-labor").focus()
        await press(pilot, "enter")  # edit LABOR: only the rate changes
        assert isinstance(app.screen, PriceBookModal)
        await _type(pilot, app, "labor-price", "")
        await press(pilot, *["backspace"] * 5, *"105.50", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PriceBookScreen)
    with read_session(engine) as s:
        rate = s.exec(select(LaborRate)).one()
        assert (rate.code, rate.kind, rate.name, rate.rate_cents) == (
            "LABOR", "regular", "Regular labor", 10550,
        )  # fmt: skip
        task = s.exec(select(PriceBookItem)).one()
        assert (task.code, task.kind, task.price_cents, task.taxable) == (
            "TUNE",
            "task",
            8900,
            True,
        )
        tier = s.exec(select(MarkupTier)).one()
        assert (tier.min_cost_cents, tier.markup_bp) == (0, 4000)


PRICEBOOK = (
    "type,code,name,price,cost,est_minutes,skill,kind,min_cost,markup_pct\n"
    "task,TUNEUP,Furnace tune-up,89.00,12.00,60,hvac,,,\n"
    "fee,TRIP,Trip charge,49.00,,,,,,\n"
    "labor,LABOR,Regular labor,95.00,,,,regular,,\n"
    "labor,LABOR-OT,Overtime,142.50,,,,overtime,,\n"
    "markup,M0,,,,,,,0,40\n"
)


def test_pricebook_snapshot(engine, shop, snap_compare):
    with write_session(engine) as s:
        pricebook_csv.import_pricebook(s, "pb.csv", PRICEBOOK)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


def test_pricebook_new_row_dialog_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)
