"""What queues a message: each function is called by the area whose event it is, inside
that event's transaction (booking: orders/scheduling; going en route:
execution/visit_progress; quote, invoice and payment: billing/outgoing; the review
request: agreements/followups). Times are put in the shop's zone, in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from svcdesk.clock import now
from svcdesk.models import Customer, Site, Visit, VisitStatus, WorkOrder
from svcdesk.services.common.settings import get_setting, shop_zone
from svcdesk.services.common.timefmt import day_bounds
from svcdesk.services.messages.outbox import (
    Addressee,
    Attachments,
    Item,
    LateValues,
    queue,
    queue_many,
    trigger_on,
)


def clock_words(at: datetime, zone: ZoneInfo) -> str:
    """'9:00 AM' in the shop's zone."""
    return at.astimezone(zone).strftime("%I:%M %p").lstrip("0")


def day_words(at: datetime | date, zone: ZoneInfo) -> str:
    """'Friday, December 4' (a date is taken as is; a time in the shop's zone)."""
    day = at.astimezone(zone).date() if isinstance(at, datetime) else at
    return f"{day:%A}, {day:%B} {day.day}"


def window_words(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"between {clock_words(start, zone)} and {clock_words(end, zone)}"


def company_values(session: Session, customer: Customer) -> dict:
    return {
        "customer": customer.name,
        "company": get_setting(session, "company.name") or "",
        "company_phone": get_setting(session, "company.phone") or "",
    }


def _site_text(site: Site | None) -> str:
    return _place(site.address, site.city) if site is not None else ""


def _place(address: str, city: str) -> str:
    return ", ".join(p for p in (address, city) if p)


def _order_values(order: WorkOrder, site: Site | None) -> dict:
    return {"order": order.number, "summary": order.summary, "address": _site_text(site)}


def _visit_values(visit: Visit, zone: ZoneInfo) -> dict:
    return {
        "day": day_words(visit.starts_at, zone),
        "window": window_words(visit.starts_at, visit.ends_at, zone),
    }


def _visit_item(session: Session, order: WorkOrder, visit: Visit, kind: str) -> Item | None:
    customer = session.get(Customer, order.customer_id)
    if customer is None:
        return None
    zone = shop_zone(session)
    values = company_values(session, customer)
    values |= _order_values(order, session.get(Site, order.site_id))
    values |= _visit_values(visit, zone)
    return Item(
        customer, values, f"{kind}:visit:{visit.id}:{visit.starts_at:%Y%m%dT%H%M}",
        {"order_id": order.id, "visit_id": visit.id},
    )  # fmt: skip


def booking(session: Session, order: WorkOrder, visit: Visit, *, actor: str) -> int:
    """The booking confirmation with the promised window (a reschedule confirms again)."""
    if not trigger_on(session, "booking"):
        return 0
    item = _visit_item(session, order, visit, "booking")
    return queue(session, "booking", item, actor=actor) if item else 0


def on_my_way(
    session: Session, order: WorkOrder, visit: Visit, technicians: Sequence[str], *, actor: str
) -> int:
    """'On my way' with the ETA the technician gave (or without one)."""
    if not trigger_on(session, "on_my_way"):
        return 0
    item = _visit_item(session, order, visit, "on_my_way")
    if item is None:
        return 0
    zone = shop_zone(session)
    item.values["technician"] = " and ".join(technicians) or "Your technician"
    item.values["eta"] = clock_words(visit.eta_at, zone) if visit.eta_at else ""
    item.event_key = f"on_my_way:visit:{visit.id}:{(visit.en_route_at or now()):%Y%m%dT%H%M}"
    return queue(session, "on_my_way", item, actor=actor)


def remind(session: Session, *, actor: str = "system") -> int:
    """Queue the reminders of every visit booked for tomorrow (shop's day), once each:
    the key names the visit and its start, so a moved visit is reminded again."""
    if not trigger_on(session, "reminder"):
        return 0
    zone = shop_zone(session)
    tomorrow = now().astimezone(zone).date() + timedelta(days=1)
    start, end = day_bounds(tomorrow, zone)
    columns: list = [
        Visit.id,
        Visit.starts_at,
        Visit.ends_at,
        WorkOrder.id,
        WorkOrder.number,
        WorkOrder.summary,
        Customer.id,
        Customer.name,
        Customer.email,
        Customer.phone,
        Site.address,
        Site.city,
    ]
    rows = session.execute(
        sa_select(*columns)
        .join(WorkOrder, col(WorkOrder.id) == Visit.order_id)
        .join(Customer, col(Customer.id) == WorkOrder.customer_id)
        .join(Site, col(Site.id) == WorkOrder.site_id)
        .where(
            col(Visit.starts_at) >= start,
            col(Visit.starts_at) < end,
            col(Visit.status).in_([VisitStatus.SCHEDULED.value, VisitStatus.DISPATCHED.value]),
        )
        .order_by(col(Visit.starts_at), col(Visit.id))
    ).all()
    base = {
        "company": get_setting(session, "company.name") or "",
        "company_phone": get_setting(session, "company.phone") or "",
    }
    items = [
        Item(
            Addressee(customer_id, name, email, phone),
            base | {"customer": name, "order": number, "summary": summary,
                    "address": _place(address, city), "day": day_words(starts, zone),
                    "window": window_words(starts, ends, zone)},
            f"reminder:visit:{visit_id}:{starts:%Y%m%dT%H%M}",
            {"order_id": order_id, "visit_id": visit_id},
        )
        for (visit_id, starts, ends, order_id, number, summary, customer_id, name, email, phone,
             address, city) in rows
    ]  # fmt: skip
    return queue_many(session, "reminder", items, actor=actor)


def review(session: Session, order: WorkOrder, due_at: datetime, *, actor: str) -> int:
    """The review request of the review_request follow-up, sent when it falls due."""
    if not trigger_on(session, "review"):
        return 0
    customer = session.get(Customer, order.customer_id)
    if customer is None:
        return 0
    values = company_values(session, customer) | _order_values(
        order, session.get(Site, order.site_id)
    )
    item = Item(customer, values, f"review:order:{order.id}", {"order_id": order.id},
                not_before=due_at)  # fmt: skip
    return queue(session, "review", item, actor=actor)


def document(
    session: Session,
    trigger: str,
    customer_id: int,
    event_key: str,
    values: dict,
    refs: dict,
    attachments: Attachments | None = None,
    late_values: LateValues | None = None,
    *,
    actor: str,
) -> int:
    """A quote, invoice or receipt e-mail: billing gives the values (totals, balance), the
    PDF and the customer link, which are only made when a message is really queued."""
    if not trigger_on(session, trigger):
        return 0
    customer = session.get(Customer, customer_id)
    if customer is None:
        return 0
    item = Item(customer, company_values(session, customer) | values, event_key, refs,
                attachments, late_values=late_values)  # fmt: skip
    return queue(session, trigger, item, actor=actor)
