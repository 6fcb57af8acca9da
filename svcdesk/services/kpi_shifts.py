"""Scheduled shift time per technician over a period (the utilization denominator)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from svcdesk.models import Shift, Technician, TimeOff
from svcdesk.services.kpi_scope import Period


def shift_minutes(
    session: Session, period: Period, zone: ZoneInfo, tech_ids: list[int] | None = None
) -> dict[int, float]:
    """Minutes of weekly shifts falling on the period's local days, minus time off, for
    active technicians (or the given ones). A technician with no shifts gets 0."""
    techs = select(Technician.id).where(Technician.active.is_(True))
    if tech_ids is not None:
        techs = select(Technician.id).where(col(Technician.id).in_(tech_ids))
    ids = list(session.exec(techs))
    shifts: dict[int, list[Shift]] = defaultdict(list)
    for s in session.exec(select(Shift).where(col(Shift.technician_id).in_(ids))):
        shifts[s.technician_id].append(s)
    offs: dict[int, list[TimeOff]] = defaultdict(list)
    for t in session.exec(
        select(TimeOff).where(
            col(TimeOff.technician_id).in_(ids),
            TimeOff.starts_at < period.end,
            TimeOff.ends_at > period.start,
        )
    ):
        offs[t.technician_id].append(t)
    out: dict[int, float] = {}
    for tech_id in ids:
        total = 0.0
        for day in period.days():
            for s in shifts[tech_id]:
                if s.weekday != day.weekday():
                    continue
                start = _at(day, s.start_minute, zone)
                end = _at(day, s.end_minute, zone)
                total += (end - start).total_seconds() / 60
                for off in offs[tech_id]:
                    overlap = min(end, off.ends_at) - max(start, off.starts_at)
                    total -= max(overlap.total_seconds(), 0) / 60
        out[tech_id] = total
    return out


def _at(day, minute: int, zone: ZoneInfo) -> datetime:
    # Wall-clock minutes (a DST day still has an 8-hour 08:00-16:00 shift).
    local = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
