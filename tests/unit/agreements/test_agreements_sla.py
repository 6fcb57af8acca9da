"""SLA clocks: business hours over a weekend/holiday, agreement override, hold pause/resume,
at-risk and breached flags, compliance recorded per order."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models.agreements import OrderSla
from svcdesk.services.agreements import sla, sla_state
from svcdesk.services.common.settings import set_setting
from svcdesk.services.common.workcal import WorkCalendar, parse_holidays, parse_hours
from svcdesk.services.orders import intake, lifecycle
from tests.fixtures.agreements import make_agreement

CHI = ZoneInfo("America/Chicago")
FROZEN = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CHI).astimezone(UTC)


def _move(engine, number, *statuses, reason=None):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, number)
        for status in statuses:
            lifecycle.change_status(s, order, status, reason=reason)
        return order


def test_normal_priority_counts_business_hours_over_holiday_and_weekend(engine, shop):
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o2"])
        row = s.get(OrderSla, order.id)
    # Wed 08:00 + 27 business hours: Wed 9, Thu holiday, Fri 9, Mon 9 -> Mon 17:00
    assert row.clock == "business" and row.policy == "shop"
    assert row.response_due == at(2026, 11, 30, 17, 0) == order.sla_due
    assert row.resolution_due == at(2026, 12, 2, 17, 0)  # 45 h: Tue 9, Wed 9


def test_emergency_counts_calendar_hours(engine, shop):
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o3"])
    assert order.sla_due == at(2026, 11, 25, 12, 0)  # 08:00 + 4 h, 24/7


def test_agreement_wins_and_links_itself_at_intake(engine, shop):
    ids = make_agreement(engine, shop)
    with write_session(engine) as s:
        order, _ = intake.create_order(s, intake.IntakeRequest(
            summary="AC not cooling", customer_id=shop["customer"], site_id=shop["site"],
            priority="high"))  # fmt: skip
        row = s.get(OrderSla, order.id)
        assert order.agreement_id == ids["agreement_id"]
        assert row.policy == ids["agreement"] and row.clock == "business"
        assert row.response_due == at(2026, 11, 25, 10, 0)  # 2 business hours
        assert row.resolution_due == at(2026, 11, 25, 16, 0)
        # a priority the agreement does not name falls back to the shop's terms
        low, _ = intake.create_order(s, intake.IntakeRequest(
            summary="Thermostat", customer_id=shop["customer"], site_id=shop["site"], priority="low"))  # fmt: skip
        assert s.get(OrderSla, low.id).policy == "shop"


def test_hold_pauses_and_resume_keeps_the_time_left(engine, shop):
    _move(engine, shop["o2"], "on_hold", reason="waiting for parts")
    clock.freeze(at(2026, 11, 27, 10, 0))  # Fri 10:00; 9 + 2 business hours went by
    with read_session(engine) as s:
        state = sla_state.states_for(s, [lifecycle.get_order(s, shop["o2"]).id])
    assert next(iter(state.values())).state == "paused"
    order = _move(engine, shop["o2"], "scheduled")
    with read_session(engine) as s:
        row = s.get(OrderSla, order.id)
    assert row.paused_at is None and row.paused_seconds == 50 * 3600
    assert row.response_due == at(2026, 12, 2, 10, 0) == order.sla_due  # Mon 17:00 + 11 h


def test_response_and_resolution_outcomes_are_recorded(engine, shop):
    clock.freeze(at(2026, 11, 25, 10, 30))
    order = _move(engine, shop["o2"], "dispatched", "en_route", "on_site")
    with read_session(engine) as s:
        row = s.get(OrderSla, order.id)
        assert row.response_met is True and order.sla_due == row.resolution_due
    clock.freeze(at(2026, 12, 3, 9, 0))  # after the resolution due (Wed Dec 2 17:00)
    _move(engine, shop["o2"], "completed")
    with read_session(engine) as s:
        row = s.get(OrderSla, order.id)
        assert row.resolution_met is False
        report = {c.priority: c for c in sla_state.compliance(s, at(2026, 12, 1), at(2026, 12, 4))}
    assert report["normal"].resolved == 1 and report["normal"].resolution_met == 0
    assert report["normal"].to_json()["response_pct"] == 100.0


def test_at_risk_then_breached(engine, shop):
    clock.freeze(at(2026, 11, 25, 11, 10))  # emergency due 12:00: 50 min of 4 h left
    with read_session(engine) as s:
        rows = sla_state.open_states(s, at_risk=True)
        assert [r.number for r in rows] == [shop["o3"]]
        assert rows[0].sla.state == "at_risk" and rows[0].sla.label() == "resp 50m"
    clock.freeze(at(2026, 11, 25, 12, 30))
    with read_session(engine) as s:
        rows = sla_state.open_states(s, breached=True)
        assert [r.number for r in rows] == [shop["o3"]]
        assert rows[0].to_json()["seconds_left"] == -1800
        assert rows[0].sla.label() == "late 30m"


def test_at_risk_threshold_is_a_setting(engine, shop):
    with write_session(engine) as s:
        set_setting(s, "sla.at_risk_percent", "80")
    with read_session(engine) as s:
        numbers = {r.number for r in sla_state.open_states(s, at_risk=True)}
    assert shop["o3"] not in numbers  # 100 % left
    clock.freeze(at(2026, 11, 25, 9, 0))  # 3 of 4 h left = 75 %
    with read_session(engine) as s:
        assert shop["o3"] in {r.number for r in sla_state.open_states(s, at_risk=True)}


CAL = WorkCalendar(CHI, parse_hours("mon-fri 08:00-17:00"), parse_holidays("2026-12-25"))


class _Clocks:
    def __init__(self, counter):
        self.counter = counter

    def get(self, _kind):
        return self.counter


start_s = st.datetimes(min_value=datetime(2026, 12, 1), max_value=datetime(2027, 1, 31))


@settings(max_examples=60, deadline=None)
@given(start_s, st.integers(1, 80), st.integers(0, 300 * 3600), st.integers(0, 300 * 3600),
       st.booleans())  # fmt: skip
def test_pause_never_shortens_the_due_time(start, hours, pause_after, pause_len, business):
    start = start.replace(tzinfo=UTC)
    counter = CAL if business else sla.CalendarClock(CHI)
    due = counter.add(start, hours * 3600)
    row = OrderSla(order_id=1, policy="shop", clock="business", started_at=start,
                   response_minutes=hours * 60, resolution_minutes=hours * 60,
                   response_due=due, resolution_due=due)  # fmt: skip
    paused = start + timedelta(seconds=pause_after)
    row.paused_at = paused
    resumed = paused + timedelta(seconds=pause_len)
    sla._resume(row, resumed, _Clocks(counter))
    assert row.response_due >= due
    if paused < due:  # the time left at the hold is the time left after it
        assert counter.seconds_between(resumed, row.response_due) == pytest.approx(
            counter.seconds_between(paused, due), abs=1e-3
        )
    else:
        assert row.response_due == due
    if business:
        day = row.response_due.astimezone(CHI).date()
        assert any(b <= row.response_due <= e for b, e in CAL.intervals(day))


def test_orders_without_a_clock_get_one_in_bulk_or_on_first_move(engine, shop):
    with write_session(engine) as s:
        o2 = lifecycle.get_order(s, shop["o2"])
        o3 = lifecycle.get_order(s, shop["o3"])
        for oid in (o2.id, o3.id):
            s.delete(s.get(OrderSla, oid))
        s.flush()
        state = sla_state.states_for(s, [o3.id])[o3.id]
        assert state.policy == "legacy" and state.clock == "calendar"
        assert sla.start_clocks(s, [o2.id, o3.id]) == 2
        assert sla.start_clocks(s, [o2.id, o3.id]) == 0
        s.delete(s.get(OrderSla, o2.id))
        s.flush()
        lifecycle.change_status(s, o2, "on_hold", reason="parts")
        row = s.get(OrderSla, o2.id)
        assert row.policy == "shop" and row.paused_at == FROZEN
