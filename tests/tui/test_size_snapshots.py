"""SVG snapshots of the board, the schedule grid, the invoice screen, the new-order form
and the assign dialog at 100x30, 160x48 and 200x55 (the `shop` fixture, frozen clock, no
blinking cursor): every column a screen keeps at that width, nothing cut, no empty band.

Update after an intended change, then look at every changed SVG:
`pytest tests/tui/test_size_snapshots.py --snapshot-update`."""

from __future__ import annotations

import pytest

from svcdesk.tui import registry
from tests.tui.helpers import console_app, snapshot_before
from tests.tui.test_billing_invoices_screen import ready  # noqa: F401 (fixture)

SIZES = [(100, 30), (160, 48), (200, 55)]
ids = [f"{w}x{h}" for w, h in SIZES]


@pytest.fixture(autouse=True)
def all_screens_registered():
    registry.discover()  # the footer's global keys in the same order whichever test ran


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_board(snap_compare, engine, shop, size):
    assert snap_compare(console_app(engine), terminal_size=size, run_before=snapshot_before())


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_grid(snap_compare, engine, shop, size):
    keys = ["g", *["l"] * 9]  # o3 selected, Alice at 12:30: after its SLA response due
    assert snap_compare(console_app(engine), terminal_size=size, run_before=snapshot_before(keys))


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_invoices(snap_compare, engine, ready, size):  # noqa: F811
    keys = snapshot_before(["i", "w", "enter", "enter"])

    async def run_before(pilot) -> None:
        await keys(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(console_app(engine), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_order_form(snap_compare, engine, shop, size):
    keys = ["n", *"Jane"]
    assert snap_compare(console_app(engine), terminal_size=size, run_before=snapshot_before(keys))


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_assign_dialog(snap_compare, engine, shop, size):
    keys = ["j", "enter", "a"]  # o1 (second on the board), its order screen, assign
    assert snap_compare(console_app(engine), terminal_size=size, run_before=snapshot_before(keys))
