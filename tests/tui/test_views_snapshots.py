"""SVG snapshots of the schedule grid, technician panes and customers screens.

Fixed data (the `shop` fixture), frozen clock (Wed 2026-11-25 08:00 Chicago), fixed
terminal size, no blinking cursor, workers awaited before each capture."""

from __future__ import annotations

import pytest

from svcdesk.tui import registry
from tests.tui.helpers import SIZE, console_app, snapshot_before


@pytest.fixture(autouse=True)
def all_screens_registered():
    """Import every screen module first, so the footer's global keys are bound in the same
    (sorted) order whichever test ran before in this process."""
    registry.discover()


def test_schedule_grid_snapshot(snap_compare, engine, shop):
    # o1 picked from the list, cursor on Bob at 10:00: the live check shows both refusals.
    keys = ["g", "tab", "j", "tab", "j", "l", "l", "l", "l"]
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(keys))


def test_schedule_grid_after_force_snapshot(snap_compare, engine, shop):
    # o1 forced onto Cara before her shift: the block, the override and the shorter list.
    keys = ["g", "tab", "j", "tab", "j", "j", "exclamation_mark"]
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(keys))


def test_technicians_snapshot(snap_compare, engine, shop):
    keys = ["t", "j"]
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(keys))


def test_customers_snapshot(snap_compare, engine, shop):
    keys = ["c"]
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(keys))
