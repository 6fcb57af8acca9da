from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svcdesk.errors import InvalidInput
from svcdesk.services.common.money import (
    fmt_money,
    parse_money,
    parse_percent,
    percent_of,
    round_cents,
)
from svcdesk.services.common.quantity import parse_qty
from svcdesk.services.common.timefmt import day_bounds, parse_when

ZONE = ZoneInfo("America/Chicago")


def test_parse_money():
    assert parse_money("$1,234.5") == 123450
    assert parse_money("0.01") == 1
    with pytest.raises(InvalidInput, match="more than 2 decimals"):
        parse_money("1.005")
    with pytest.raises(InvalidInput, match="not an amount"):
        parse_money("abc")


@pytest.mark.parametrize("text", ["abc", "", "nan", "sNaN", "Infinity", "-inf"])
def test_amount_percent_and_quantity_refuse_non_numbers_in_one_line(text):
    for parse, said in ((parse_money, "is not an amount like 125.00"),
                        (parse_percent, "is not a percentage like 10 or 7.5%"),
                        (parse_qty, "is not a number; expected e.g. 2 or 1.5")):  # fmt: skip
        with pytest.raises(InvalidInput, match=said):
            parse(text)


def test_half_up():
    assert round_cents(Decimal("2.5")) == 3
    assert round_cents(Decimal("-2.5")) == -3
    assert percent_of(1000, 825) == 83  # 82.5 -> 83


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_money_round_trips(cents):
    assert parse_money(fmt_money(cents).replace("$", "")) == cents


def test_parse_when_forms(frozen_clock):
    expected = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert parse_when("2026-11-25 09:00", ZONE) == expected
    assert parse_when("11/25/2026 9:00 AM", ZONE) == expected
    assert parse_when("today 9am", ZONE) == expected
    assert parse_when("tomorrow 9:00", ZONE) == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    assert parse_when("2026-11-25T15:00:00Z", ZONE) == expected
    with pytest.raises(InvalidInput, match="not a date/time"):
        parse_when("someday", ZONE)


def test_day_bounds_across_dst():
    start, end = day_bounds(datetime(2026, 3, 8).date(), ZONE)
    assert (end - start).total_seconds() == 23 * 3600


def test_parse_when_refuses_a_zone_name_it_cannot_read(frozen_clock):
    zone = ZoneInfo("America/Chicago")
    # dateutil would ignore 'EST' and the time would silently be taken as Chicago time
    with pytest.raises(InvalidInput, match="time zone"):
        parse_when("2026-11-25 9:00 EST", zone)
    assert parse_when("2026-11-25 9:00 UTC", zone) == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert parse_when("2026-11-25 9:00 -05:00", zone) == datetime(2026, 11, 25, 14, tzinfo=UTC)
