"""Time entries: overlap refusal, daily/weekly overtime, approval, payroll export."""

from __future__ import annotations

from datetime import date

import pytest

from svcdesk.errors import InvalidInput
from svcdesk.services.common.settings import set_setting
from svcdesk.services.execution import timecards
from tests.unit.execution.helpers import when


def add(session, tech, kind, start, end, **kw):
    return timecards.add_entry(
        session,
        technician_id=tech,
        kind=kind,
        starts_at=when(session, start),
        ends_at=when(session, end) if end else None,
        **kw,
    )


def test_overlap_refused_and_touching_allowed(session, shop):
    add(session, shop["bob"], "work", "today 08:00", "today 10:00")
    add(session, shop["bob"], "travel", "today 10:00", "today 10:30")  # touching is fine
    with pytest.raises(InvalidInput, match="can't overlap"):
        add(session, shop["bob"], "shop", "today 09:30", "today 11:00")
    add(session, shop["alice"], "work", "today 09:30", "today 11:00")  # another tech is fine


def test_running_entry_blocks_later_entries(session, shop):
    add(session, shop["bob"], "work", "today 08:00", None)
    with pytest.raises(InvalidInput, match="running"):
        add(session, shop["bob"], "work", "today 15:00", "today 16:00")


def test_bad_ranges(session, shop):
    with pytest.raises(InvalidInput, match="after the start"):
        add(session, shop["bob"], "work", "today 10:00", "today 09:00")
    with pytest.raises(InvalidInput, match="kind: 'lunch'"):
        add(session, shop["bob"], "lunch", "today 10:00", "today 11:00")


def test_daily_overtime_and_unpaid_break(session, shop):
    add(session, shop["bob"], "work", "today 06:00", "today 12:00")
    add(session, shop["bob"], "break", "today 12:00", "today 12:30")
    add(session, shop["bob"], "work", "today 12:30", "today 16:30")
    (card,) = timecards.day_cards(session, date(2026, 11, 25), date(2026, 11, 25))
    assert card.paid_minutes == 600 and card.minutes["break"] == 30
    assert card.regular_minutes == 480 and card.overtime_minutes == 120


def test_weekly_overtime_after_40_regular_hours(session, shop):
    for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"):
        add(session, shop["alice"], "work", f"{day} 08:00", f"{day} 16:00")
    add(session, shop["alice"], "work", "2026-11-28 08:00", "2026-11-28 11:00")
    cards = timecards.day_cards(session, date(2026, 11, 23), date(2026, 11, 29))
    assert [c.overtime_minutes for c in cards] == [0, 0, 0, 0, 0, 180]
    # asking for Saturday alone still counts the week before it
    (sat,) = timecards.day_cards(session, date(2026, 11, 28), date(2026, 11, 28))
    assert sat.overtime_minutes == 180


def test_overtime_limits_are_settings(session, shop):
    set_setting(session, timecards.DAILY_KEY, "10")
    add(session, shop["bob"], "work", "today 06:00", "today 16:00")
    (card,) = timecards.day_cards(session, date(2026, 11, 25), date(2026, 11, 25))
    assert card.overtime_minutes == 0
    set_setting(session, timecards.DAILY_KEY, "0")  # rule off
    set_setting(session, timecards.WEEKLY_KEY, "9")
    (card,) = timecards.day_cards(session, date(2026, 11, 25), date(2026, 11, 25))
    assert card.regular_minutes == 540 and card.overtime_minutes == 60


def test_entry_past_midnight_splits_across_days(session, shop):
    add(session, shop["bob"], "work", "2026-11-24 22:00", "2026-11-25 01:00")
    cards = timecards.day_cards(session, date(2026, 11, 24), date(2026, 11, 25))
    assert [(c.day.day, c.paid_minutes) for c in cards] == [(24, 120), (25, 60)]


def test_approval_and_export_counts_only_approved(session, shop):
    e1 = add(session, shop["bob"], "work", "2026-11-24 08:00", "2026-11-24 17:00")
    add(session, shop["alice"], "work", "2026-11-24 08:00", "2026-11-24 12:00")
    assert timecards.approve_day(session, shop["bob"], date(2026, 11, 24), actor="dana") == 1
    assert e1.approved and e1.approved_by == "dana"
    cards, pending = timecards.payroll_rows(session, date(2026, 11, 26))
    assert [(c.technician, c.regular_minutes, c.overtime_minutes) for c in cards] == [
        ("Bob Ruiz", 480, 60)
    ]
    assert pending == 1
    text = timecards.payroll_csv(cards)
    assert text.splitlines()[1] == "Bob Ruiz,2026-11-24,8.00,1.00,0,540,0,0"
    timecards.update_entry(session, e1, ends_at=when(session, "2026-11-24 16:00"))
    assert not e1.approved and e1.source == "manual"


def test_approve_refuses_running_and_empty_days(session, shop):
    with pytest.raises(InvalidInput, match="no time entries"):
        timecards.approve_day(session, shop["bob"], date(2026, 11, 20))
    add(session, shop["bob"], "work", "today 07:00", None)
    with pytest.raises(InvalidInput, match="still running"):
        timecards.approve_day(session, shop["bob"], date(2026, 11, 25))


def test_update_keeps_overlap_rule(session, shop):
    add(session, shop["bob"], "work", "today 08:00", "today 10:00")
    e2 = add(session, shop["bob"], "work", "today 11:00", "today 12:00")
    with pytest.raises(InvalidInput, match="can't overlap"):
        timecards.update_entry(session, e2, starts_at=when(session, "today 09:00"))
