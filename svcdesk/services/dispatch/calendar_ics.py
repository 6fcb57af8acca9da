"""A technician's schedule as an iCalendar (RFC 5545) file phones can subscribe to.

One VEVENT per visit the technician is booked on (lead or helper) in the window. The UID
is stable per visit and technician, so re-importing or re-fetching the file updates an
event instead of duplicating it; SEQUENCE follows the order's version (bumped by every
booking change) and a visit cancelled or taken off the technician stays in the file as
STATUS:CANCELLED so calendars remove it. Line escaping/folding: services/dispatch/ics.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from svcdesk.clock import now
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
from svcdesk.services.dispatch.ics import escape, fold, stamp, uid

REFRESH = "PT1H"  # how often a subscribed phone should re-fetch


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
    dtstamp = stamp(now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//svcdesk//technician schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(tech.name)} (svcdesk)",
        f"X-WR-TIMEZONE:{zone}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    cancelled = 0
    for visit, vt, order, customer, site in rows:
        gone = not vt.active or visit.status == VisitStatus.CANCELLED.value
        cancelled += gone
        address = ", ".join(
            p for p in (site.address, site.city, f"{site.state} {site.zip}".strip()) if p
        )
        others = [n for n in crews.get(visit.id, []) if n != tech.name]
        desc = [
            f"{order.number} · {order.priority} {order.kind} · {order.status}",
            order.summary,
            f"Customer: {customer.name}"
            + (f" · {display_phone(customer.phone, customer.phone_ext)}" if customer.phone else ""),
            f"Role: {vt.role}" + (f" (with {', '.join(others)})" if others else ""),
        ]
        if site.access_notes:
            desc.append(f"Access: {site.access_notes}")
        if order.description:
            desc.append(order.description)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(visit.id, tech.id)}",
            f"DTSTAMP:{dtstamp}",
            f"SEQUENCE:{order.version}",
            f"LAST-MODIFIED:{stamp(order.updated_at)}",
            f"DTSTART:{stamp(visit.starts_at)}",
            f"DTEND:{stamp(visit.ends_at)}",
            f"SUMMARY:{escape(f'{order.number} {customer.name}: {order.summary}')}",
            f"LOCATION:{escape(address)}",
            f"DESCRIPTION:{escape(chr(10).join(desc))}",
            f"STATUS:{'CANCELLED' if gone else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    text = "".join(fold(line) + "\r\n" for line in lines)
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
