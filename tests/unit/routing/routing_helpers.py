from __future__ import annotations

from svcdesk.routing.model import Job, Location, LunchBreak, Tech
from svcdesk.routing.travel import HaversineTravel

BASE = Location(39.74, -104.99)


def at(dx_km: float, dy_km: float) -> Location:
    """A point dx km east and dy km north of BASE (good enough at city scale)."""
    return Location(round(BASE.lat + dy_km / 111.2, 6), round(BASE.lon + dx_km / 85.5, 6))


def job(jid: str, dx: float, dy: float, minutes: int = 60, **kw) -> Job:
    kw.setdefault("skills", frozenset({"hvac"}))
    return Job(jid, at(dx, dy), minutes, **kw)


def tech(
    tid: str, dx: float = 0, dy: float = 0, skills=("hvac",), lunch: bool = False, **kw
) -> Tech:
    kw.setdefault("shift_start", 8 * 60)
    kw.setdefault("shift_end", 16 * 60)
    return Tech(
        tid,
        at(dx, dy),
        skills=frozenset(skills),
        lunch=LunchBreak(11 * 60 + 30, 13 * 60 + 30, 30) if lunch else None,
        **kw,
    )


TRAVEL = HaversineTravel(road_factor=1.3, speed_kmh=40)
