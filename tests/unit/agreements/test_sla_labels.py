"""One SLA label for every screen (which clock, how long, late, paused) and the one rule
"is this booking past the SLA due time" (the grid's check line and the assign dialog)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models.agreements import OrderSla
from svcdesk.services.agreements.sla_state import (
    SlaDues,
    SlaState,
    booking_past_sla,
    late_booking,
    sla_dues,
    span,
)
from svcdesk.services.dispatch.assign_view import assign_context
from svcdesk.services.dispatch.schedule_view import slot_check
from svcdesk.services.orders import lifecycle

CHI = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CHI).astimezone(UTC)


def state(name: str, target: str, due: datetime) -> SlaState:
    return SlaState(1, target, due, 0.0, 3600.0, name, "calendar", "shop")


def test_the_label_names_the_clock():
    assert state("ok", "response", NOW + timedelta(hours=2, minutes=10)).label(NOW) == "resp 2h 10m"
    assert state("ok", "resolution", NOW + timedelta(days=1, hours=4)).label(NOW) == "fix 1d 4h"
    assert state("at_risk", "response", NOW + timedelta(minutes=9)).label(NOW) == "resp 9m"
    assert state("breached", "response", NOW - timedelta(minutes=41)).label(NOW) == "late 41m"
    assert state("breached", "resolution", NOW - timedelta(hours=3)).label(NOW) == "late 3h 00m"
    assert state("paused", "resolution", NOW + timedelta(hours=5)).label(NOW) == "paused"
    assert state("met", "resolution", NOW).label(NOW) == "met"
    assert state("missed", "resolution", NOW).label(NOW) == "missed"


@given(st.integers(min_value=0, max_value=60 * 24 * 400))
def test_span_reads_days_hours_minutes(minutes):
    text = span(timedelta(minutes=minutes, seconds=30))
    assert text == span(-timedelta(minutes=minutes, seconds=30))
    days, rest = divmod(minutes, 24 * 60)
    if days:
        assert text == f"{days}d {rest // 60}h"
    elif minutes >= 60:
        assert text == f"{minutes // 60}h {minutes % 60:02d}m"
    else:
        assert text == f"{minutes}m"


def test_booking_after_the_response_due_time_is_flagged(engine, shop):
    # o3: emergency, response due Wed 12:00 Chicago (4 calendar hours from 08:00)
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o3"])
        in_time = booking_past_sla(s, order.id, at(2026, 11, 25, 11, 0), at(2026, 11, 25, 12, 0))
        late = booking_past_sla(s, order.id, at(2026, 11, 25, 13, 0), at(2026, 11, 25, 14, 0))
    assert in_time is None
    assert late is not None and late.target == "response"
    assert late.late_by == timedelta(hours=1)
    assert late.describe(CHI) == "after the SLA response due Wed 12:00 by 1h 00m"


def test_after_arrival_the_resolution_due_time_counts(engine, shop, frozen_clock):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o3"])
        row = s.get(OrderSla, order.id)
        row.responded_at = at(2026, 11, 25, 9, 0)
        resolution_due = row.resolution_due
        s.add(row)
    with read_session(engine) as s:
        before = booking_past_sla(s, order.id, resolution_due - timedelta(hours=2),
                                  resolution_due - timedelta(hours=1))  # fmt: skip
        after = booking_past_sla(s, order.id, resolution_due - timedelta(minutes=30),
                                 resolution_due + timedelta(minutes=30))  # fmt: skip
    assert before is None
    assert after is not None and after.target == "resolution"
    assert after.late_by == timedelta(minutes=30)


def test_on_hold_the_clock_is_paused_so_no_warning(engine, shop, frozen_clock):
    with write_session(engine) as s:
        lifecycle.change_status(s, lifecycle.get_order(s, shop["o3"]), "on_hold", reason="parts")
    clock.freeze(at(2026, 11, 25, 9, 0))
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o3"])
        assert booking_past_sla(s, order.id, at(2026, 11, 27, 9), at(2026, 11, 27, 10)) is None


minutes = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60)


@given(st.one_of(st.none(), minutes), minutes, minutes, st.integers(1, 600), st.integers(1, 600))
def test_the_booking_rule(response, resolution, start, length, later):
    """Late exactly when the visit starts after the response due moment (while one runs)
    or ends after the resolution due moment; the response clock is named first; booking
    the same visit later is still late (by more, on the same clock)."""
    dues = SlaDues(None if response is None else NOW + timedelta(minutes=response),
                   NOW + timedelta(minutes=resolution))  # fmt: skip
    starts = NOW + timedelta(minutes=start)
    ends = starts + timedelta(minutes=length)
    late = late_booking(dues, starts, ends)
    late_start = dues.response_due is not None and starts > dues.response_due
    assert (late is not None) == (late_start or ends > dues.resolution_due)
    if late is not None:
        assert late.target == ("response" if late_start else "resolution")
        assert late.due + late.late_by == (starts if late_start else ends)
        moved = timedelta(minutes=later)
        again = late_booking(dues, starts + moved, ends + moved)
        assert again is not None
        assert again.target != late.target or again.late_by == late.late_by + moved
    assert late_booking(None, starts, ends) is None


def test_the_dialog_and_the_grid_warn_the_same(engine, shop):
    """Both faces call `late_booking`: the assign dialog as the start is typed, the
    schedule grid's check line through `slot_check`; same order, same time, same line."""
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o3"])  # response due Wed 12:00 Chicago
        ctx = assign_context(s, shop["o3"])
        grid = slot_check(s, shop["o3"], shop["alice"], at(2026, 11, 25, 0, 0).date(), 12 * 60 + 30)
        assert ctx.dues == sla_dues(s, order.id)
    dialog = ctx.warning("2026-11-25 12:30", "60")
    assert grid.sla_warning == "late for the SLA: after the SLA response due Wed 12:00 by 30m"
    assert dialog == f"⚠ {grid.sla_warning}"
    assert ctx.warning("2026-11-25 11:30", "60") == ""
    assert ctx.warning("not a time", "60") == ""
