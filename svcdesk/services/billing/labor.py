"""Which hourly rate a time entry is billed at, and how long it counts for.

* An EMERGENCY-priority order bills all its labor at the emergency rate.
* Otherwise the minutes inside the technician's shift (shop-local weekly hours) are
  regular and the minutes outside it (early, late, a day without a shift) are overtime.
* Each part (regular / overtime) is rounded UP to the billing increment
  (`billing.labor_increment_minutes`, default 15; one of 6, 12, 15, 30, 60 so that hours
  stay exact in thousandths).
* A technician's `level` picks a level-specific rate when the price book has one.
Only APPROVED entries of kind `work` are billed; travel is billed as the trip charge."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from svcdesk.errors import InvalidInput
from svcdesk.models.billing import RateKind

INCREMENTS = (6, 12, 15, 30, 60)


def parse_increment(raw: str | None) -> int:
    text = (raw or "15").strip()
    if not text.isdigit() or int(text) not in INCREMENTS:
        raise InvalidInput(
            f"billing.labor_increment_minutes: {raw!r} is not one of "
            f"{', '.join(map(str, INCREMENTS))}"
        )
    return int(text)


def split_minutes(
    start: datetime,
    end: datetime,
    shifts: Iterable[tuple[int, int, int]],
    zone: ZoneInfo,
) -> tuple[int, int]:
    """(minutes inside the shifts, minutes outside) of [start, end). `shifts` are
    (weekday 0=Mon, start minute, end minute) in shop-local time."""
    if end <= start:
        return 0, 0
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, s, e in shifts:
        by_day.setdefault(weekday, []).append((s, e))
    inside = 0.0
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        for s, e in by_day.get(day.weekday(), ()):
            midnight = datetime.combine(day, time(0), tzinfo=zone)
            lo = max(start, midnight + timedelta(minutes=s))
            hi = min(end, midnight + timedelta(minutes=e))
            if hi > lo:
                inside += (hi - lo).total_seconds()
        day += timedelta(days=1)
    total = round((end - start).total_seconds() / 60)
    inside_min = min(total, round(inside / 60))
    return inside_min, total - inside_min


def billed_minutes(minutes: int, increment: int) -> int:
    """Round up to the increment (0 stays 0)."""
    return -(-minutes // increment) * increment if minutes > 0 else 0


def hours_milli(minutes: int) -> int:
    """Minutes -> thousandths of an hour (exact for the allowed increments)."""
    return minutes * 1000 // 60


def rate_parts(
    start: datetime,
    end: datetime,
    shifts: Iterable[tuple[int, int, int]],
    zone: ZoneInfo,
    *,
    emergency: bool,
    increment: int,
) -> list[tuple[RateKind, int]]:
    """[(rate kind, billed minutes)] for one entry; parts with no minutes are left out."""
    if emergency:
        total = round((end - start).total_seconds() / 60)
        parts = [(RateKind.EMERGENCY, total)]
    else:
        inside, outside = split_minutes(start, end, shifts, zone)
        parts = [(RateKind.REGULAR, inside), (RateKind.OVERTIME, outside)]
    return [(k, billed_minutes(m, increment)) for k, m in parts if m > 0]
