"""Small hand-made shop days for the dispatch tests (Austin, times shop-local).

Thursday 2026-11-26 is "tomorrow" under the frozen clock (Wed 2026-11-25 08:00 local)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from svcdesk.db import write_session
from svcdesk.models import Site, Technician
from svcdesk.services.common.settings import set_setting
from svcdesk.services.crm import technicians
from svcdesk.services.orders import intake, scheduling

ZONE = ZoneInfo("America/Chicago")
THU = date(2026, 11, 26)
WED = date(2026, 11, 25)  # today under the frozen clock (08:00)
HOME = (30.2672, -97.7431)  # downtown Austin
OTHER_HOLIDAYS = "2026-12-25,2027-01-01"


@pytest.fixture
def thursday_is_a_working_day(request):
    """THU is Thanksgiving, a shop holiday in the default `shop.holidays`. The dispatch tests
    are about ordinary working days, so their shop works it (the holiday rules have their
    own tests: test_dispatch_holiday.py). Pure tests (no database) are left alone."""
    if "db_path" not in request.fixturenames:
        return
    with write_session(request.getfixturevalue("engine")) as s:
        set_setting(s, "shop.holidays", OTHER_HOLIDAYS)


def at(day: date, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=ZONE)


def north(km: float) -> tuple[float, float]:
    """A point `km` north of HOME."""
    return round(HOME[0] + km / 111.2, 6), HOME[1]


def tech(session, name: str, skills=("hvac",), *, km: float = 0.0, shifts="mon-fri 08:00-17:00"):
    lat, lon = north(km)
    return technicians.create_technician(
        session, name=name, skills=list(skills), shifts=shifts, home_lat=lat, home_lon=lon
    )


def order(
    session,
    summary: str,
    *,
    km: float | None = 5.0,
    skill: str | None = "hvac",
    priority: str = "normal",
    minutes: int = 60,
    window: tuple[datetime, datetime] | None = None,
    customer: str | None = None,
    zip_code: str = "78701",
    same_site_as=None,
):
    o, _ = intake.create_order(
        session,
        intake.IntakeRequest(
            summary=summary,
            customer=customer or f"Customer {summary}",
            phone=None,
            address=f"{abs(hash(summary)) % 9000 + 100} Test St",
            city="Austin",
            state="TX",
            zip=zip_code,
            priority=priority,
            skill=skill,
            est_minutes=minutes,
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
            customer_id=same_site_as.customer_id if same_site_as else None,
            site_id=same_site_as.site_id if same_site_as else None,
        ),
    )
    site = session.get(Site, o.site_id)
    if km is None:
        site.lat = site.lon = None
    else:
        site.lat, site.lon = north(km)
    session.flush()
    return o


def booked(session, o, t: Technician, starts: datetime, minutes: int | None = None, force=False):
    return scheduling.book_visit(session, o, [t], starts, minutes, force=force)


def full_day(s, *, with_bob: bool):
    """Ann's Wednesday is full: a low plumbing visit 08:10-12:00 and a normal one
    12:30-16:55 at one site (lunch 12:00-12:30 between them). Bob, if there, is a plumber
    with a free day: he can take the low visit but not an HVAC emergency."""
    ann = tech(s, "Ann", skills=("hvac", "plumbing"), km=0)
    if with_bob:
        tech(s, "Bob", skills=("plumbing",), km=1)
    low = order(s, "low job", km=2, skill="plumbing", priority="low", minutes=230)
    v_low = booked(s, low, ann, at(WED, "08:10"), 230)
    normal = order(s, "normal job", km=2, minutes=265)
    booked(s, normal, ann, at(WED, "12:30"), 265)
    return low.number, v_low.id
