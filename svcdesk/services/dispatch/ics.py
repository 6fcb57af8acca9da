"""iCalendar (RFC 5545) export of a technician's route: one VEVENT per stop (and lunch).

Written by hand (no dependency): CRLF line ends, text escaping (backslash, `;`, `,`,
newline) and folding of lines longer than 75 octets, UTC times (`...Z`)."""

from __future__ import annotations

from datetime import UTC, datetime

from svcdesk.clock import now as clock_now
from svcdesk.services.dispatch.proposal import PlannedRoute


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


def route_ics(route: PlannedRoute, day, zone) -> str:
    """The route as a VCALENDAR text (events in UTC; the shop zone is noted in X-WR-TIMEZONE)."""

    now = stamp(clock_now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//svcdesk//dispatch route//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(route.tech_name)} {day:%Y-%m-%d}",
        f"X-WR-TIMEZONE:{zone}",
    ]
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
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event_uid}",
            f"DTSTAMP:{now}",
            f"DTSTART:{stamp(stop.starts_at)}",
            f"DTEND:{stamp(stop.ends_at)}",
            f"SUMMARY:{escape(f'{stop.number} {stop.customer}: {stop.summary}')}",
            f"LOCATION:{escape(stop.address)}",
            f"DESCRIPTION:{escape(desc)}",
            "END:VEVENT",
        ]
    if route.lunch is not None:
        lines += [
            "BEGIN:VEVENT",
            f"UID:lunch-{day:%Y%m%d}-{route.tech_id}@svcdesk",
            f"DTSTAMP:{now}",
            f"DTSTART:{stamp(route.lunch[0])}",
            f"DTEND:{stamp(route.lunch[1])}",
            "SUMMARY:Lunch",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
