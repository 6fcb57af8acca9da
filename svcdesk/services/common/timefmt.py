"""Parsing what people type as times, and showing UTC times in the shop's zone."""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from svcdesk.clock import now
from svcdesk.errors import InvalidInput

_RELATIVE = re.compile(r"^\s*(today|tomorrow|yesterday)\b\s*(.*)$", re.IGNORECASE)
# What dateutil would misread: a sign ('-5' was the 5th, '-05:00' five o'clock) and a bare
# number ('9' the 9th, not 9:00; '1405' the year 1405). Eight digits are a date: 20261125.
_AMBIGUOUS = re.compile(r"^[+-]|[+-]$|^\d{1,7}(\.\d*)?$|^\d{9,}$")


def parse_when(text: str, zone: ZoneInfo, *, field: str = "time") -> datetime:
    """ISO or common US forms ('11/25/2026 9:00 AM'), or 'today 14:00' / 'tomorrow 9am'.

    Naive input is taken as shop-local time; the result is aware UTC."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput(f"{field}: empty; expected a date and time like 2026-11-25 09:00")
    base: date | None = None
    m = _RELATIVE.match(raw)
    if m:
        offset = {"today": 0, "tomorrow": 1, "yesterday": -1}[m.group(1).lower()]
        base = now().astimezone(zone).date() + timedelta(days=offset)
        raw = m.group(2).strip() or "00:00"
    if _AMBIGUOUS.search(raw):
        raise InvalidInput(
            f"{field}: {text!r} is not a date/time; expected e.g. 2026-11-25 09:00, 9:00 AM "
            "or tomorrow 9am"
        )
    default = datetime.combine(base if base is not None else now().astimezone(zone).date(), time(0))
    from dateutil import parser as dtparser  # (on use: showing times is most commands' need)

    try:
        with warnings.catch_warnings():
            # dateutil only warns about a zone name it doesn't know ('9:00 EST') and then
            # ignores it; taking that as shop time would silently shift the appointment.
            warnings.simplefilter("error", dtparser.UnknownTimezoneWarning)
            parsed = dtparser.parse(raw, default=default)
    except dtparser.UnknownTimezoneWarning:
        raise InvalidInput(
            f"{field}: {text!r} names a time zone svcdesk can't read; give the time in shop "
            "time, UTC, or with an offset like -06:00"
        ) from None
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"{field}: {text!r} is not a date/time; expected e.g. 2026-11-25 09:00 or 11/25/2026 9:00 AM"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.astimezone(ZoneInfo("UTC"))
    except (ValueError, OverflowError):  # e.g. an offset of more than 24 hours
        raise InvalidInput(f"{field}: {text!r} has an impossible time zone offset") from None


def parse_day(text: str | None, zone: ZoneInfo) -> date:
    """A calendar day in the shop's zone: ISO, US form, today/tomorrow/yesterday; None = today."""
    if not text:
        return now().astimezone(zone).date()
    return parse_when(text, zone, field="date").astimezone(zone).date()


def local(dt: datetime | None, zone: ZoneInfo) -> datetime | None:
    return dt.astimezone(zone) if dt else None


def fmt(dt: datetime | None, zone: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return dt.astimezone(zone).strftime(pattern) if dt else ""


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a local calendar day (DST-safe)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def iso(dt: datetime | None) -> str | None:
    """Stable JSON form: UTC ISO 8601 with Z."""
    return dt.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None
