"""The board's SLA column takes its colour from the SLA clock (at risk, breached, paused)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from svcdesk.tui.cells import LATE_STYLE, SOON_STYLE
from svcdesk.tui.screens.board import sla_state_cell


def test_states_colour_the_cell(frozen_clock):
    due = frozen_clock + timedelta(hours=30)
    assert str(sla_state_cell(SimpleNamespace(state="at_risk"), due).style) == SOON_STYLE
    assert str(sla_state_cell(SimpleNamespace(state="breached"), due).style) == LATE_STYLE
    paused = sla_state_cell(SimpleNamespace(state="paused"), due)
    assert paused.plain.startswith("hold ") and str(paused.style) == "dim"
    assert sla_state_cell(SimpleNamespace(state="ok"), due).plain == "1d 6h"
