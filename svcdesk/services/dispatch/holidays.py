"""Shop holidays (setting `shop.holidays`, shared with the SLA/PM calendar) in dispatch.

Decision (docs/dispatch.md): on a shop holiday the crew is off. The day plan plans nobody
(windowed orders are listed "not planned" with the reason), suggestions skip the day,
an emergency insert finds nobody and a route is refused, each saying why. `force` works the
holiday as an ordinary day (the technicians' usual weekday shifts): calling the crew in is
the dispatcher's decision, never the solver's. "Plan tomorrow" means the next day that is
not a shop holiday."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from svcdesk.services.common.settings import get_setting
from svcdesk.services.common.workcal import parse_holidays

LOOKAHEAD_DAYS = 14  # a run of holidays longer than this is a misconfiguration


def shop_holidays(session: Session) -> frozenset[date]:
    return parse_holidays(get_setting(session, "shop.holidays"))


def holiday_off(day: date) -> str:
    """Why nobody works `day` (shown per technician and per order)."""
    return f"shop holiday {day:%a %Y-%m-%d} (shop.holidays): technicians are off; force to work it"


def next_plan_day(session: Session, today: date) -> date:
    """The day after `today`, or the first one after it that is not a shop holiday."""
    holidays = shop_holidays(session)
    day = today + timedelta(days=1)
    for _ in range(LOOKAHEAD_DAYS):
        if day not in holidays:
            return day
        day += timedelta(days=1)
    return today + timedelta(days=1)
