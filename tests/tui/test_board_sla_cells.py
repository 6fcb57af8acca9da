"""The SLA cell's colour comes from the SLA state (`services/agreements/sla_state.py`: at
risk, breached, paused on hold), and the board and the order screen show the same order the
same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.services.agreements.sla_state import SlaState
from svcdesk.services.orders import lifecycle
from svcdesk.tui.cells import LATE_STYLE, SOON_STYLE, sla_cell
from svcdesk.tui.screens.board import BoardFilter, fetch_board, row_cells
from svcdesk.tui.screens.order import fetch_order, head_text

CHI = ZoneInfo("America/Chicago")


def state(name: str, due: datetime) -> SlaState:
    return SlaState(1, "response", due, 0.0, 3600.0, name, "business", "default")


def test_the_state_colours_the_cell(frozen_clock):
    due = frozen_clock + timedelta(hours=30)
    assert sla_cell(None).plain == ""
    assert str(sla_cell(state("at_risk", due)).style) == SOON_STYLE
    assert str(sla_cell(state("breached", due)).style) == LATE_STYLE
    assert str(sla_cell(state("ok", due)).style) == ""
    assert sla_cell(state("ok", due)).plain == "resp 1d 6h"
    paused = sla_cell(state("paused", due))
    assert paused.plain == "paused" and str(paused.style) == "dim"
    late = sla_cell(state("breached", frozen_clock - timedelta(minutes=70)))
    assert late.plain == "late 1h 10m"
    # within 2 calendar hours but not at risk by the SLA rule: no colour (the old rule's amber)
    assert str(sla_cell(state("ok", frozen_clock + timedelta(minutes=90))).style) == ""


def _board_and_order_cells(engine) -> dict[str, tuple[str, str, str]]:
    """number -> (board cell style, order screen SLA style, text) for every open order."""
    with read_session(engine) as s:
        page = fetch_board(s, BoardFilter(), 100)
        zone = CHI
        out = {}
        for row in page.rows:
            board = row_cells(row, zone, page.slas.get(row.id))[-1]
            view = fetch_order(row.number)(s)
            head = head_text(view.detail, zone, view.sla)
            spans = [sp for sp in head.spans if head.plain[sp.start : sp.end] == board.plain]
            order_style = str(spans[0].style) if spans else ""
            out[row.number] = (str(board.style), order_style, board.plain)
        return out


@pytest.mark.parametrize(
    "moment, expected",
    [
        ((2026, 11, 25, 7, 0), ""),  # emergency o3: 100 % of its 4 h left
        ((2026, 11, 25, 11, 10), SOON_STYLE),  # 50 min of 4 h left: at risk
        ((2026, 11, 25, 12, 30), LATE_STYLE),  # past due: breached
    ],
)
def test_board_and_order_screen_colour_an_order_alike(engine, shop, moment, expected):
    clock.freeze(datetime(*moment, tzinfo=CHI).astimezone(UTC))  # (the fixture unfreezes)
    cells = _board_and_order_cells(engine)
    for number, (board_style, order_style, text) in cells.items():
        assert board_style == order_style, (number, text)
    assert cells[shop["o3"]][0] == expected


def test_an_order_on_hold_is_paused_on_both(engine, shop, frozen_clock):
    with write_session(engine) as s:
        lifecycle.change_status(s, lifecycle.get_order(s, shop["o3"]), "on_hold", reason="parts")
    cells = _board_and_order_cells(engine)
    board_style, order_style, text = cells[shop["o3"]]
    assert board_style == order_style == "dim" and text == "paused"
