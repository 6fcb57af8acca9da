"""The grid's cell model and row text (pure functions under the widget)."""

from __future__ import annotations

from datetime import UTC, datetime

from svcdesk.services.dispatch.schedule_view import Span, TechLane, VisitBlock
from svcdesk.tui.widgets.schedule_grid import header_text, lane_cells, lane_text, short_number

T = datetime(2026, 11, 25, 15, tzinfo=UTC)


def block(number: str, start: int, end: int, status: str = "scheduled") -> VisitBlock:
    return VisitBlock(
        visit_id=hash(number) % 1000,
        order_id=1,
        number=number,
        technician_id=1,
        role="lead",
        start=start,
        end=end,
        starts_at=T,
        ends_at=T,
        status=status,
        priority="normal",
        customer="C",
        city="Austin",
        summary="s",
    )


def lane(**kw) -> TechLane:
    return TechLane(id=1, name="Alice", color="#fff", active=True, shifts=[Span(480, 720)], **kw)


SLOTS = list(range(420, 780, 30))  # 07:00 .. 12:30


def test_cells_kinds():
    a = block("SO-000010", 540, 600, "en_route")
    cells = lane_cells(lane(time_off=[Span(660, 720, "lunch")], visits=[a]), SLOTS)
    kinds = [c.kind for c in cells]
    assert kinds == [
        "off", "off",            # 07:00-08:00 before the shift
        "free", "free",          # 08:00-09:00
        "en_route", "en_route",  # 09:00-10:00 the visit
        "free", "free",          # 10:00-11:00
        "timeoff", "timeoff",    # 11:00-12:00
        "off", "off",            # after the shift
    ]  # fmt: skip
    assert cells[4].visit is a and cells[5].visit is a


def test_partial_slots_and_clash():
    a, b = block("SO-000001", 495, 555), block("SO-000002", 540, 600)
    cells = lane_cells(lane(visits=[a, b]), SLOTS)
    assert [c.kind for c in cells[2:6]] == ["scheduled", "scheduled", "clash", "scheduled"]


def test_row_text_labels_blocks():
    a = block("SO-000154", 540, 660)  # 2 h = 4 slots
    cells = lane_cells(lane(visits=[a]), SLOTS)
    runs = lane_text(cells, 3)
    assert runs[0] == ("░░░░░░", "off")
    assert runs[1] == ("·  ·  ", "free")
    assert runs[2] == ("SO-000154   ", "scheduled")  # 12 chars: the full number fits
    assert "".join(t for t, _ in runs) and len("".join(t for t, _ in runs)) == 3 * len(SLOTS)
    short = lane_text(lane_cells(lane(visits=[block("SO-000154", 540, 600)]), SLOTS), 3)
    assert short[2] == ("#154  ", "scheduled")


def test_short_number_and_header():
    assert short_number("SO-000154", 9) == "SO-000154"
    assert short_number("SO-000154", 5) == "#154"
    assert short_number("SO-000000", 3) == "#0"
    assert header_text([480, 510, 540], 3) == "08    09 "
