"""Dispatch settings: lunch break, travel model, default plan time limit, the depot."""

from __future__ import annotations

import re

from sqlmodel import Session

from svcdesk.errors import InvalidInput
from svcdesk.routing import HaversineTravel, Location, LunchBreak, TravelCache, locate_zip
from svcdesk.services.common.settings import get_setting

_LUNCH = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*/\s*(\d{1,3})\s*$")
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\s*$")
_CACHES: dict[tuple[float, float], TravelCache] = {}


def parse_lunch(text: str | None) -> LunchBreak | None:
    """'12:00-13:00/30': a 30-minute break starting between 12:00 and 13:00; '' = none."""
    if not text or text.strip().lower() in ("none", "off", "0"):
        return None
    m = _LUNCH.match(text)
    if not m:
        raise InvalidInput(
            f"setting dispatch.lunch: {text!r} is not like 12:00-13:00/30 (start window/minutes)"
        )
    h1, m1, h2, m2, dur = (int(g) for g in m.groups())
    lo, hi = h1 * 60 + m1, h2 * 60 + m2
    if hi < lo or hi >= 24 * 60:
        raise InvalidInput(f"setting dispatch.lunch: {text!r}: the window ends before it starts")
    return LunchBreak(lo, hi, dur)


def _number(session: Session, key: str) -> float:
    raw = get_setting(session, key) or ""
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(f"setting {key}: {raw!r} is not a number") from None
    if value <= 0:
        raise InvalidInput(f"setting {key}: {raw!r} must be positive")
    return value


def lunch(session: Session) -> LunchBreak | None:
    return parse_lunch(get_setting(session, "dispatch.lunch"))


def default_time_limit(session: Session) -> float:
    return _number(session, "dispatch.time_limit")


def travel(session: Session) -> TravelCache:
    """The shop's travel-time provider, with a per-day matrix cache kept across calls."""
    key = (_number(session, "dispatch.road_factor"), _number(session, "dispatch.speed_kmh"))
    if key not in _CACHES:
        _CACHES[key] = TravelCache(HaversineTravel(road_factor=key[0], speed_kmh=key[1]))
    return _CACHES[key]


def depot_zip(address: str | None) -> str | None:
    """The ZIP at the end of a company address, when it is a known US ZIP."""
    m = _ZIP.search(address or "")
    return m.group(1) if m and locate_zip(m.group(1)) is not None else None


def depot(session: Session) -> Location | None:
    """Where a technician without a home location starts: the ZIP of company.address
    (None without one: the first leg of such a technician's day then costs nothing)."""
    zip_code = depot_zip(get_setting(session, "company.address"))
    return locate_zip(zip_code) if zip_code else None
