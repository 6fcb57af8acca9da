"""iCalendar (RFC 5545) files: a technician's planned route and a technician's schedule feed.

Written by hand (no dependency): CRLF line ends, text escaping (backslash, `;`, `,`,
newline) and folding of lines longer than 75 octets, UTC times (`...Z`).

- `route_ics`: one VEVENT per stop of a planned route (and lunch).
- `tech_calendar`: the feed phones subscribe to, one VEVENT per visit the technician is
  booked on (lead or helper) in the window. The UID is stable per visit and technician (the
  route uses the same one), so re-importing or re-fetching updates an event instead of
  duplicating it; SEQUENCE follows the order's version (bumped by every booking change) and a
  visit cancelled or taken off the technician stays in the file as STATUS:CANCELLED so
  calendars remove it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from svcdesk.clock import now as clock_now
from svcdesk.models import (
    Customer,
    Site,
    Technician,
    Visit,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.services.common.normalize import display_phone
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import day_bounds
from svcdesk.services.common.words import status_words
from svcdesk.services.dispatch.proposal import PlannedRoute

REFRESH = "PT1H"  # how often a subscribed phone should re-fetch


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuation lines start with one space)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def uid(visit_id: int, tech_id: int) -> str:
    """A visit's event UID, stable per visit and technician (route and calendar feed alike)."""
    return f"svcdesk-visit-{visit_id}-tech-{tech_id}@svcdesk"


def stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(kind: str, name: str, zone, events: Iterable[list[str]], *extra: str) -> str:
    """A published VCALENDAR named `name` around `events` (each a VEVENT's properties)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//svcdesk//{kind}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{zone}",
        *extra,
    ]
    for props in events:
        lines += ["BEGIN:VEVENT", *props, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _event(event_uid: str, dtstamp: str, start: datetime, end: datetime, *props: str) -> list[str]:
    return [
        f"UID:{event_uid}",
        f"DTSTAMP:{dtstamp}",
        *props,
        f"DTSTART:{stamp(start)}",
        f"DTEND:{stamp(end)}",
    ]


def route_ics(route: PlannedRoute, day, zone) -> str:
    """The route as a VCALENDAR text (events in UTC; the shop zone is noted in X-WR-TIMEZONE)."""
    now = stamp(clock_now())
    events = []
    for stop in route.stops:
        # a booked visit keeps the UID of `svcdesk export ics`, so calendars update one event
        event_uid = (
            uid(stop.visit_id, route.tech_id)
            if stop.visit_id is not None
            else f"svcdesk-new-{stop.number}-{day:%Y%m%d}-tech-{route.tech_id}@svcdesk"
        )
        desc = (
            f"{stop.priority} · {stop.customer}\n{stop.summary}\n"
            f"ETA {stop.arrival.astimezone(zone):%H:%M} after {stop.travel_minutes} min drive"
        )
        events.append(
            _event(event_uid, now, stop.starts_at, stop.ends_at)
            + [
                f"SUMMARY:{escape(f'{stop.number} {stop.customer}: {stop.summary}')}",
                f"LOCATION:{escape(stop.address)}",
                f"DESCRIPTION:{escape(desc)}",
            ]
        )
    if route.lunch is not None:
        lunch_uid = f"lunch-{day:%Y%m%d}-{route.tech_id}@svcdesk"
        events.append(
            _event(lunch_uid, now, route.lunch[0], route.lunch[1])
            + ["SUMMARY:Lunch", "TRANSP:TRANSPARENT"]
        )
    return calendar("dispatch route", f"{route.tech_name} {day:%Y-%m-%d}", zone, events)


@dataclass
class CalendarResult:
    text: str
    events: int
    cancelled: int
    first: date
    last: date


def tech_calendar(session: Session, tech: Technician, first: date, days: int) -> CalendarResult:
    zone = shop_zone(session)
    last = first + timedelta(days=days - 1)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    rows = session.execute(
        select(Visit, VisitTechnician, WorkOrder, Customer, Site)
        .join(VisitTechnician, col(VisitTechnician.visit_id) == col(Visit.id))
        .join(WorkOrder, col(WorkOrder.id) == col(Visit.order_id))
        .join(Customer, col(Customer.id) == col(WorkOrder.customer_id))
        .join(Site, col(Site.id) == col(WorkOrder.site_id))
        .where(
            col(VisitTechnician.technician_id) == tech.id,
            col(Visit.starts_at) < end,
            col(Visit.ends_at) > start,
        )
        .order_by(col(Visit.starts_at), col(Visit.id))
    ).all()
    crews = _crews(session, [r[0].id for r in rows])
    dtstamp = stamp(clock_now())
    events = []
    cancelled = 0
    for visit, vt, order, customer, site in rows:
        gone = not vt.active or visit.status == VisitStatus.CANCELLED.value
        cancelled += gone
        address = ", ".join(
            p for p in (site.address, site.city, f"{site.state} {site.zip}".strip()) if p
        )
        others = [n for n in crews.get(visit.id, []) if n != tech.name]
        desc = [
            f"{order.number} · {order.priority} {order.kind} · {status_words(order.status)}",
            order.summary,
            f"Customer: {customer.name}"
            + (f" · {display_phone(customer.phone, customer.phone_ext)}" if customer.phone else ""),
            f"Role: {vt.role}" + (f" (with {', '.join(others)})" if others else ""),
        ]
        if site.access_notes:
            desc.append(f"Access: {site.access_notes}")
        if order.description:
            desc.append(order.description)
        events.append(
            _event(
                uid(visit.id, tech.id),
                dtstamp,
                visit.starts_at,
                visit.ends_at,
                f"SEQUENCE:{order.version}",
                f"LAST-MODIFIED:{stamp(order.updated_at)}",
            )
            + [
                f"SUMMARY:{escape(f'{order.number} {customer.name}: {order.summary}')}",
                f"LOCATION:{escape(address)}",
                f"DESCRIPTION:{escape(chr(10).join(desc))}",
                f"STATUS:{'CANCELLED' if gone else 'CONFIRMED'}",
            ]
        )
    text = calendar(
        "technician schedule",
        f"{tech.name} (svcdesk)",
        zone,
        events,
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    )
    return CalendarResult(text, len(rows), cancelled, first, last)


def _crews(session: Session, visit_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not visit_ids:
        return out
    for visit_id, name in session.execute(
        select(col(VisitTechnician.visit_id), col(Technician.name))
        .join(Technician, col(Technician.id) == col(VisitTechnician.technician_id))
        .where(col(VisitTechnician.visit_id).in_(visit_ids), col(VisitTechnician.active).is_(True))
        .order_by(col(VisitTechnician.role).desc(), col(Technician.name))
    ):
        out.setdefault(visit_id, []).append(name)
    return out
