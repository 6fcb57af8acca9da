"""Business-hours calendar: weekends, holidays, DST, and its properties."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svcdesk.errors import InvalidInput
from svcdesk.services.common.workcal import WorkCalendar, parse_holidays, parse_hours

CHI = ZoneInfo("America/Chicago")
CAL = WorkCalendar(CHI, parse_hours("mon-fri 08:00-17:00"), parse_holidays("2026-11-26"))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHI)


def test_friday_afternoon_plus_four_hours_lands_monday_morning():
    due = CAL.add(local(2026, 11, 27, 15, 0), 4 * 3600)  # Fri 15:00 + 4 h (2 h Fri, 2 h Mon)
    assert due == local(2026, 11, 30, 10, 0)


def test_holiday_is_skipped():
    due = CAL.add(local(2026, 11, 25, 16, 0), 2 * 3600)  # Wed 16:00; Thu is Thanksgiving
    assert due == local(2026, 11, 27, 9, 0)


def test_start_outside_hours_counts_from_next_opening():
    assert CAL.add(local(2026, 11, 28, 12, 0), 3600) == local(2026, 11, 30, 9, 0)  # Saturday


def test_seconds_between_over_weekend_and_sign():
    a, b = local(2026, 11, 27, 16, 0), local(2026, 11, 30, 9, 0)
    assert CAL.seconds_between(a, b) == 2 * 3600
    assert CAL.seconds_between(b, a) == -2 * 3600


def test_dst_day_has_nine_wall_clock_hours():
    # 2026-03-09 is the Monday after DST starts; 08:00-17:00 CDT is still 9 working hours.
    start = local(2026, 3, 6, 17, 0)  # Friday close (CST)
    due = CAL.add(start, 9 * 3600)
    assert due == local(2026, 3, 9, 17, 0)
    assert due.astimezone(UTC).hour == 22  # CDT = UTC-5


def test_next_working_day_and_bad_settings():
    assert CAL.next_working_day(date(2026, 11, 26)) == date(2026, 11, 27)
    assert CAL.next_working_day(date(2026, 11, 28)) == date(2026, 11, 30)
    with pytest.raises(InvalidInput, match="shop.holidays"):
        parse_holidays("2026-13-01")
    with pytest.raises(InvalidInput, match="shop.hours"):
        parse_hours("weekdays 8-5")
    empty = WorkCalendar(CHI, {}, frozenset())
    with pytest.raises(InvalidInput, match="no working day"):
        empty.next_working_day(date(2026, 1, 1))


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@given(moments, st.integers(min_value=0, max_value=200 * 3600))
def test_add_lands_inside_working_hours_and_round_trips(start, seconds):
    due = CAL.add(start, seconds)
    assert due >= start
    day = due.astimezone(CHI).date()
    spans = CAL.intervals(day) + CAL.intervals(day - timedelta(days=1))
    assert any(b <= due <= e for b, e in spans)
    assert CAL.seconds_between(start, due) == pytest.approx(seconds)
