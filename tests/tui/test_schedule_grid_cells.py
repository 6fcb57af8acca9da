"""The grid's cell model and row text (pure functions under the widget)."""

from __future__ import annotations

from datetime import UTC, datetime

from svcdesk.services.dispatch.schedule_view import Span, TechLane, VisitBlock
from svcdesk.tui.widgets.schedule_grid import header_text, lane_cells, lane_text, visit_label

T = datetime(2026, 11, 25, 15, tzinfo=UTC)


def block(
    number: str, start: int, end: int, status: str = "scheduled", customer: str = "C"
) -> VisitBlock:
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
        customer=customer,
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
    a = block("SO-000154", 540, 660, customer="Riverside Cafe")  # 2 h = 4 slots
    cells = lane_cells(lane(visits=[a]), SLOTS)
    runs = lane_text(cells, 3)
    assert runs[0] == ("░░░░░░", "off")
    assert runs[1] == ("·  ·  ", "free")
    assert runs[2] == ("Riverside   ", "scheduled")  # 12 chars: the first word fits
    assert "".join(t for t, _ in runs) and len("".join(t for t, _ in runs)) == 3 * len(SLOTS)
    short = lane_text(lane_cells(lane(visits=[a]), SLOTS), 4)
    assert short[2] == ("Riverside Cafe  ", "scheduled")
    one_hour = block("SO-000154", 540, 600, customer="Riverside Cafe")
    assert lane_text(lane_cells(lane(visits=[one_hour]), SLOTS), 3)[2] == ("Rive… ", "scheduled")


def test_visit_label_and_header():
    assert visit_label("Jane Porter", 11) == "Jane Porter"
    assert visit_label("Jane Porter", 6) == "Jane"
    assert visit_label("Riverside Cafe", 5) == "Rive…"
    assert visit_label("Ann", 1) == "…"
    assert not any(ch.isdigit() for ch in visit_label("Jane Porter", 3))
    assert header_text([480, 510, 540], 3) == "08    09 "
