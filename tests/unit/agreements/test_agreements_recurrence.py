"""Recurrence against worked calendars, and properties of working-day dates."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svcdesk.errors import InvalidInput
from svcdesk.services.common.recurrence import normalize_rule, working_dates
from svcdesk.services.common.workcal import WorkCalendar, parse_holidays, parse_hours

CAL = WorkCalendar(
    ZoneInfo("America/Chicago"),
    parse_hours("mon-fri 08:00-17:00"),
    parse_holidays("2026-12-25,2027-01-01,2027-07-05"),
)
NWD = CAL.next_working_day


def dues(rule, start, **kw):
    return [d for _, d in working_dates(rule, start, NWD, **kw)]


def test_first_monday_of_april_and_october():
    got = dues("FREQ=YEARLY;BYMONTH=4,10;BYDAY=1MO", date(2026, 1, 1), count=4)
    assert got == [date(2026, 4, 6), date(2026, 10, 5), date(2027, 4, 5), date(2027, 10, 4)]


def test_month_end_rule_gives_last_day_of_each_month_moved_off_weekends():
    got = working_dates("FREQ=MONTHLY;BYMONTHDAY=-1", date(2027, 1, 1), NWD, count=4)
    # Jan 31 2027 is a Sunday -> Mon Feb 1; Feb 28 Sunday -> Mon Mar 1, Mar 31 Wed, Apr 30 Fri
    assert got == [
        (date(2027, 1, 31), date(2027, 2, 1)),
        (date(2027, 2, 28), date(2027, 3, 1)),
        (date(2027, 3, 31), date(2027, 3, 31)),
        (date(2027, 4, 30), date(2027, 4, 30)),
    ]


def test_monthly_on_the_31st_skips_short_months_as_rfc5545_says():
    got = [
        n for n, _ in working_dates("FREQ=MONTHLY;BYMONTHDAY=31", date(2027, 1, 1), NWD, count=3)
    ]
    assert got == [date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)]


def test_feb_29_only_in_leap_years():
    got = [
        n
        for n, _ in working_dates(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2027, 1, 1), NWD, count=2
        )
    ]
    assert got == [date(2028, 2, 29), date(2032, 2, 29)]


def test_holiday_on_the_due_date_moves_to_next_working_day():
    got = working_dates("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", date(2026, 1, 1), NWD, count=1)
    assert got == [(date(2026, 12, 25), date(2026, 12, 28))]  # Fri holiday -> Mon
    got = working_dates("FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4", date(2027, 1, 1), NWD, count=1)
    assert got == [(date(2027, 7, 4), date(2027, 7, 6))]  # Sun, then Mon Jul 5 holiday -> Tue


def test_two_rule_dates_on_one_working_day_are_kept_once():
    got = working_dates("FREQ=DAILY", date(2026, 11, 27), NWD, count=3)
    # Fri 27, Sat 28 -> Mon 30, Sun 29 -> Mon 30 (dropped), Mon 30 (taken) ... Tue Dec 1
    assert [d for _, d in got] == [date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1)]


def test_completed_anchor_counts_from_the_completion():
    got = dues("FREQ=MONTHLY;INTERVAL=6", date(2026, 5, 14), after=date(2026, 5, 14), count=2)
    assert got == [date(2026, 11, 16), date(2027, 5, 14)]  # Nov 14 2026 is a Saturday


def test_through_and_not_before():
    got = dues("FREQ=MONTHLY;BYMONTHDAY=15", date(2026, 1, 1), not_before=date(2026, 10, 1),
               through=date(2026, 12, 31))  # fmt: skip
    assert got == [date(2026, 10, 15), date(2026, 11, 16), date(2026, 12, 15)]


@pytest.mark.parametrize("bad", ["", "FREQ=SOMETIMES", "DTSTART:20260101T000000\nRRULE:FREQ=DAILY"])
def test_bad_rules_are_refused_with_one_line(bad):
    with pytest.raises(InvalidInput, match="rrule"):
        normalize_rule(bad, date(2026, 1, 1))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=YEARLY;BYMONTH=13", "gives no date in the ten years"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31", "gives no date in the ten years"),
        ("FREQ=HOURLY", "more often than daily"),
        ("FREQ=SECONDLY;INTERVAL=5", "more often than daily"),
    ],
)
def test_rules_that_never_come_due_or_repeat_within_a_day_are_refused(rule, message):
    with pytest.raises(InvalidInput, match=message):
        normalize_rule(rule, date(2026, 1, 1))


def test_a_leap_day_plan_is_kept():
    assert normalize_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2028, 2, 29)).startswith(
        "FREQ=YEARLY"
    )


def test_rule_is_stored_upper_case_without_prefix():
    assert (
        normalize_rule("rrule:freq=monthly;interval=3", date(2026, 1, 1))
        == "FREQ=MONTHLY;INTERVAL=3"
    )


RULES = st.sampled_from([
    "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=SA,SU", "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;INTERVAL=6", "FREQ=YEARLY;BYMONTH=4,10;BYDAY=1MO",
    "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
])  # fmt: skip
DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@settings(max_examples=60, deadline=None)
@given(RULES, DAYS, DAYS)
def test_dates_are_working_days_unique_ordered_and_not_before_anchor(rule, start, anchor):
    got = working_dates(rule, start, NWD, not_before=anchor, count=25)
    dues_ = [d for _, d in got]
    assert all(CAL.is_working_day(d) for d in dues_)
    assert len(set(dues_)) == len(dues_)
    assert dues_ == sorted(dues_)
    assert all(n >= anchor and n >= start and d >= n for n, d in got)
