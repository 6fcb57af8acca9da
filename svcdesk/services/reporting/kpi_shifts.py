"""Scheduled shift time per technician over a period (the utilization denominator)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from svcdesk.models import Shift, Technician, TimeOff
from svcdesk.services.common.settings import get_setting
from svcdesk.services.common.workcal import parse_holidays
from svcdesk.services.reporting.kpi_scope import Period


def shift_minutes(
    session: Session, period: Period, zone: ZoneInfo, tech_ids: list[int] | None = None
) -> dict[int, float]:
    """Minutes of weekly shifts falling on the period's local days, minus time off, for
    active technicians (or the given ones). A technician with no shifts gets 0. Shop
    holidays (`shop.holidays`) are not counted: the crew is off (docs/dispatch.md), so a
    holiday week's utilization is not diluted by hours nobody could work.

    Shift lengths are wall-clock (08:00-16:00 is 8 h on a DST day too)."""
    techs = select(Technician.id).where(col(Technician.active).is_(True))
    if tech_ids is not None:
        techs = select(Technician.id).where(col(Technician.id).in_(tech_ids))
    ids = list(session.exec(techs))
    shifts: dict[int, list[Shift]] = defaultdict(list)
    for s in session.exec(select(Shift).where(col(Shift.technician_id).in_(ids))):
        shifts[s.technician_id].append(s)
    holidays = parse_holidays(get_setting(session, "shop.holidays"))
    weekdays = Counter(day.weekday() for day in period.days() if day not in holidays)
    out = {
        tech_id: float(
            sum(
                weekdays[s.weekday] * max(s.end_minute - s.start_minute, 0) for s in shifts[tech_id]
            )
        )
        for tech_id in ids
    }
    for off in session.exec(
        select(TimeOff).where(
            col(TimeOff.technician_id).in_(ids),
            TimeOff.starts_at < period.end,
            TimeOff.ends_at > period.start,
        )
    ):
        out[off.technician_id] -= _off_minutes(
            off, shifts[off.technician_id], period, zone, holidays
        )
    return {tech_id: max(minutes, 0.0) for tech_id, minutes in out.items()}


def _off_minutes(
    off: TimeOff, shifts: list[Shift], period: Period, zone: ZoneInfo, holidays=frozenset()
) -> float:
    """Shift minutes inside one time-off interval (only the days it touches; holidays
    were never counted)."""
    first = max(off.starts_at.astimezone(zone).date(), period.first)
    last = min(off.ends_at.astimezone(zone).date(), period.last)
    total, day = 0.0, first
    while day <= last:
        for s in shifts if day not in holidays else ():
            if s.weekday == day.weekday():
                start, end = _at(day, s.start_minute, zone), _at(day, s.end_minute, zone)
                overlap = min(end, off.ends_at) - max(start, off.starts_at)
                total += max(overlap.total_seconds(), 0) / 60
        day += timedelta(days=1)
    return total


def _at(day, minute: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
