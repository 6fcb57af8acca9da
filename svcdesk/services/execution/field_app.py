"""The technician's phone (svcdesk/web): what a technician sees and what their taps do.

Read models: `my_day` (today's and tomorrow's visits in route order) and `job` (one
visit with the order, customer, site and asset history, checklist, notes, parts, photos,
signatures and the truck's stock). Actions go through the same services as the console
and the CLI (lifecycle, visit_progress, checklists, notes, part_usage, attachments,
timecards), with the technician's phone as the actor ("Dana Ruiz (phone)", `who`).

Rules of the phone, on top of those services:
- A technician reaches only visits they are on (an active crew row); anything else is
  `NotFound`, so another technician's visit is indistinguishable from a missing one.
- Every action carries an idempotency key; `apply` records it (one `FieldRequest` row
  per device and key) in the same transaction as the change, so a replay is not applied
  again — it answers "already recorded".
- Actions that change or overwrite what the office sees (status, checklist answers,
  notes) carry the order's version as read; if the order changed since, `Conflict`
  (nothing written)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import Conflict, InvalidInput, NotFound
from svcdesk.models import (
    Asset,
    Customer,
    Note,
    Site,
    Technician,
    Visit,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.models.base import UTCDateTime, table_of
from svcdesk.models.execution import AttachmentKind, TimeEntry, TimeKind, TimeSource
from svcdesk.models.field import FieldDevice, FieldRequest
from svcdesk.models.reporting import CHANGE_TRACKED  # noqa: F401 (adds the change_seq read below)
from svcdesk.services.common import events
from svcdesk.services.common.normalize import display_phone
from svcdesk.services.common.quantity import fmt_qty, parse_qty
from svcdesk.services.common.rows import must_get, row_id
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import day_bounds, fmt
from svcdesk.services.crm import devices
from svcdesk.services.execution import attachments, checklists, timecards
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.inventory import part_usage, parts, stock
from svcdesk.services.orders import notes as order_notes

PHOTO_MAX_BYTES = 10 * 1024 * 1024
SIGNATURE_MAX_BYTES = 512 * 1024
IMAGE_TYPES = {  # magic bytes -> (extension, content type)
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
}
STATUS_WORDS = {
    "new": "new",
    "scheduled": "scheduled",
    "dispatched": "dispatched",
    "en_route": "en route",
    "on_site": "on site",
    "on_hold": "on hold",
    "completed": "completed",
    "invoiced": "invoiced",
    "closed": "closed",
    "cancelled": "cancelled",
}
OUTCOME_WORDS = {
    "fixed": "fixed",
    "quoted": "quoted extra work",
    "needs_parts": "needs parts",
    "needs_return": "needs a return visit",
    "no_access": "no access to the site",
}
CANT_COMPLETE = ("needs_parts", "needs_return", "no_access")
CLOCK_KINDS = {"work": TimeKind.WORK, "travel": TimeKind.TRAVEL, "break": TimeKind.BREAK}


def words(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", (status or "").replace("_", " "))


def maps_link(site: Site) -> str:
    if site.lat is not None and site.lon is not None:
        return f"https://www.google.com/maps/search/?api=1&query={site.lat},{site.lon}"
    text = ", ".join(p for p in (site.address, site.city, site.state, site.zip) if p)
    return f"https://www.google.com/maps/search/?api=1&query={quote_plus(text)}"


def tel_link(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if digits else None


# -- access ---------------------------------------------------------------------------


def technician(session: Session, device: FieldDevice) -> Technician:
    return must_get(session, Technician, device.technician_id)


def who(tech: Technician) -> str:
    """The actor of a phone's changes: "Dana Ruiz (phone)" (`devices.phone_actor`)."""
    return devices.phone_actor(tech.name)


def my_visit(session: Session, tech_id: int, visit_id: int) -> tuple[Visit, WorkOrder]:
    """The visit if `tech_id` is on its active crew; otherwise NotFound (no hint why)."""
    row = session.exec(
        select(Visit, WorkOrder)
        .join(VisitTechnician, col(VisitTechnician.visit_id) == Visit.id)
        .join(WorkOrder, col(WorkOrder.id) == Visit.order_id)
        .where(
            Visit.id == visit_id,
            VisitTechnician.technician_id == tech_id,
            VisitTechnician.active == True,  # noqa: E712
        )
    ).first()
    if row is None:
        raise NotFound(f"visit {visit_id} not found")
    return row[0], row[1]


def device_visit(
    session: Session, device: FieldDevice, visit_id: int
) -> tuple[Technician, Visit, WorkOrder]:
    """The phone's technician and their visit `visit_id` (`my_visit`) with its order."""
    tech = technician(session, device)
    visit, order = my_visit(session, row_id(tech), visit_id)
    return tech, visit, order


# -- my day ---------------------------------------------------------------------------


@dataclass
class DayVisit:
    visit_id: int
    number: str
    summary: str
    status: str  # the visit's, in words
    order_status: str
    priority: str
    time: str  # booked "10:00-11:30"
    window: str | None  # promised window "10:00-12:00"
    customer: str
    phone: str | None
    tel: str | None
    address: str
    maps: str
    sla: str | None
    sla_overdue: bool
    eta: str | None
    role: str
    starts_at: datetime | None = None


@dataclass
class MyDay:
    technician: str
    today_label: str
    tomorrow_label: str
    today: list[DayVisit]
    tomorrow: list[DayVisit]
    clock: str | None  # "work since 10:05" when a time clock entry runs
    clock_kind: str | None


_DAY_WHERE = (  # the technician's crew rows overlapping [start, end)
    VisitTechnician.technician_id == bindparam("tech_id"),
    VisitTechnician.active == True,  # noqa: E712
    VisitTechnician.starts_at < bindparam("end", type_=UTCDateTime()),
    VisitTechnician.ends_at > bindparam("start", type_=UTCDateTime()),
)
_DAY_QUERY = (
    select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
        Visit, WorkOrder, Customer, Site, col(VisitTechnician.role)
    )
    .join(VisitTechnician, col(VisitTechnician.visit_id) == Visit.id)
    .join(WorkOrder, col(WorkOrder.id) == Visit.order_id)
    .join(Customer, col(Customer.id) == WorkOrder.customer_id)
    .join(Site, col(Site.id) == WorkOrder.site_id)
    .where(*_DAY_WHERE)
    .order_by(VisitTechnician.starts_at, Visit.id)
)  # built once: My day is polled by every phone every 15 s


def _day_visits(session: Session, tech_id: int, start: datetime, end: datetime, zone):
    """The technician's visits overlapping [start, end) in route (start time) order."""
    rows = session.exec(_DAY_QUERY, params={"tech_id": tech_id, "start": start, "end": end}).all()
    at = now()
    out = []
    for visit, order, customer, site, role in rows:
        if visit.status == VisitStatus.CANCELLED.value:
            continue
        window = None
        if order.window_start and order.window_end:
            window = (
                f"{fmt(order.window_start, zone, '%H:%M')}-{fmt(order.window_end, zone, '%H:%M')}"
            )
        open_order = order.status not in ("completed", "invoiced", "closed", "cancelled")
        out.append(
            DayVisit(
                visit_id=visit.id,
                number=order.number,
                summary=order.summary,
                status=words(visit.status),
                order_status=words(order.status),
                priority=order.priority,
                time=f"{fmt(visit.starts_at, zone, '%H:%M')}-{fmt(visit.ends_at, zone, '%H:%M')}",
                window=window,
                customer=customer.name,
                phone=display_phone(customer.phone, customer.phone_ext),
                tel=tel_link(customer.phone),
                address=", ".join(p for p in (site.address, site.city) if p),
                maps=maps_link(site),
                sla=fmt(order.sla_due, zone, "%a %b %-d %H:%M") if order.sla_due else None,
                sla_overdue=bool(order.sla_due and order.sla_due < at and open_order),
                eta=fmt(visit.eta_at, zone, "%H:%M") if visit.eta_at else None,
                role=role,
                starts_at=visit.starts_at,
            )
        )
    return out


def _clock_text(session: Session, tech_id: int, zone) -> tuple[str | None, str | None]:
    running = timecards.running_entries(session, tech_id)
    if not running:
        return None, None
    entry = running[0]
    return f"{entry.kind} since {fmt(entry.starts_at, zone, '%H:%M')}", entry.kind


def _two_days(session: Session):
    """(zone, today, start of today, start of tomorrow, end of tomorrow) in the shop's zone."""
    zone = shop_zone(session)
    today = now().astimezone(zone).date()
    start, mid = day_bounds(today, zone)
    _, end = day_bounds(today + timedelta(days=1), zone)
    return zone, today, start, mid, end


_VISIT_T, _ORDER_T, _CUSTOMER_T = table_of(Visit), table_of(WorkOrder), table_of(Customer)
_STAMP_QUERY = (
    select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
        col(VisitTechnician.id), col(VisitTechnician.role), _VISIT_T.c.change_seq,
        _ORDER_T.c.change_seq, col(WorkOrder.status), col(WorkOrder.sla_due),
        _CUSTOMER_T.c.change_seq, col(Site.address), col(Site.city), col(Site.lat), col(Site.lon),
    )
    .select_from(VisitTechnician)
    .join(Visit, col(VisitTechnician.visit_id) == Visit.id)
    .join(WorkOrder, col(WorkOrder.id) == Visit.order_id)
    .join(Customer, col(Customer.id) == WorkOrder.customer_id)
    .join(Site, col(Site.id) == WorkOrder.site_id)
    .where(*_DAY_WHERE)  # the same visits as My day
    .order_by(VisitTechnician.starts_at, Visit.id)
)  # fmt: skip
_RUNNING_QUERY = select(col(TimeEntry.id), col(TimeEntry.kind), col(TimeEntry.starts_at)).where(
    TimeEntry.technician_id == bindparam("tech_id"), col(TimeEntry.ends_at).is_(None)
)


def day_stamp(session: Session, tech_id: int) -> str:
    """A version stamp of what My day's visit list shows the technician now: equal stamps,
    equal lists, so an unchanged poll (every phone, every 15 s) is answered "not modified"
    from two index look-ups instead of building and rendering the list.

    It covers the visits in the two days (crew row, role), the change markers the database
    stamps on every write of their visit, order and customer (`db_changes`; site rows
    carry none, so the site's shown columns are taken), the running time clock entry, the
    day, the shop's zone, and whether each SLA is overdue at this moment (time alone turns
    it)."""
    zone, today, start, _mid, end = _two_days(session)
    rows = session.exec(_STAMP_QUERY, params={"tech_id": tech_id, "start": start, "end": end})
    at = now()
    parts: list[object] = [tech_id, today, str(zone)]
    for row in rows.all():
        status, sla_due = row[4], row[5]
        open_order = status not in ("completed", "invoiced", "closed", "cancelled")
        parts.append((*row[:5], *row[6:], bool(sla_due and sla_due < at and open_order)))
    parts.append(session.exec(_RUNNING_QUERY, params={"tech_id": tech_id}).all())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def my_day(session: Session, tech_id: int) -> MyDay:
    zone, today, start, mid, end = _two_days(session)
    tomorrow = today + timedelta(days=1)
    tech = must_get(session, Technician, tech_id)
    clock, kind = _clock_text(session, tech_id, zone)
    both = _day_visits(session, tech_id, start, end, zone)  # one query for both days
    return MyDay(
        technician=tech.name,
        today_label=today.strftime("%A %b %-d"),
        tomorrow_label=tomorrow.strftime("%A %b %-d"),
        today=[v for v in both if v.starts_at < mid],
        tomorrow=[v for v in both if v.starts_at >= mid],
        clock=clock,
        clock_kind=kind,
    )


# -- a job ----------------------------------------------------------------------------


@dataclass
class PastJob:
    number: str
    date: str
    summary: str
    status: str
    work: str | None


@dataclass
class Job:
    visit_id: int
    number: str
    version: int
    summary: str
    description: str | None
    priority: str
    order_status: str
    order_status_raw: str
    visit_status: str
    visit_status_raw: str
    time: str
    window: str | None
    sla: str | None
    eta: str | None
    outcome: str | None
    work_performed: str | None
    customer: str
    customer_notes: str | None
    phone: str | None
    tel: str | None
    address: str
    maps: str
    access_notes: str | None
    asset: str | None
    asset_warranty: str | None
    asset_history: list[PastJob]
    site_history: list[PastJob]
    crew: list[str]
    checklist: list[checklists.ChecklistLine]
    notes: list[tuple[str, str, str]]  # when, author, text
    parts_used: list[str]
    truck: list[stock.OnHandRow]
    photos: list[tuple[int, str, str | None]]  # id, filename, caption
    signatures: list[str]
    my_time: list[str]
    actions: list[str] = field(default_factory=list)  # en_route | arrived | complete
    clock: str | None = None  # the technician's running time clock entry


def _history(session: Session, where, exclude_id: int, zone, limit: int = 8) -> list[PastJob]:
    orders = session.exec(
        select(WorkOrder)
        .where(where, WorkOrder.id != exclude_id)
        .order_by(col(WorkOrder.created_at).desc())
        .limit(limit)
    ).all()
    if not orders:
        return []
    work: dict[int, str] = {}
    for v in session.exec(
        select(Visit)
        .where(
            col(Visit.order_id).in_([o.id for o in orders]), col(Visit.work_performed).is_not(None)
        )
        .order_by(col(Visit.starts_at))
    ):
        if v.order_id is not None and v.work_performed is not None:
            work[v.order_id] = v.work_performed
    return [
        PastJob(
            o.number,
            fmt(o.completed_at or o.created_at, zone, "%Y-%m-%d"),
            o.summary,
            words(o.status),
            work.get(o.id),
        )
        for o in orders
    ]


def _actions(visit: Visit, order: WorkOrder) -> list[str]:
    if order.status in ("completed", "invoiced", "closed", "cancelled"):
        return []
    if visit.status in (VisitStatus.SCHEDULED.value, VisitStatus.DISPATCHED.value):
        return ["en_route", "arrived"]
    if visit.status == VisitStatus.EN_ROUTE.value:
        return ["arrived"]
    if visit.status == VisitStatus.ON_SITE.value:
        return ["complete"]
    return []


def job(session: Session, tech_id: int, visit_id: int) -> Job:
    visit, order = my_visit(session, tech_id, visit_id)
    zone = shop_zone(session)
    customer = must_get(session, Customer, order.customer_id)
    site = must_get(session, Site, order.site_id)
    asset = session.get(Asset, order.asset_id) if order.asset_id else None
    window = None
    if order.window_start and order.window_end:
        window = (
            f"{fmt(order.window_start, zone, '%a %H:%M')}-{fmt(order.window_end, zone, '%H:%M')}"
        )
    asset_text = None
    warranty = None
    if asset is not None:
        asset_text = " ".join(
            p
            for p in (
                asset.kind,
                asset.make,
                asset.model,
                f"s/n {asset.serial}" if asset.serial else None,
            )
            if p
        )
        if asset.warranty_until:
            state = (
                "in warranty"
                if asset.warranty_until >= now().astimezone(zone).date()
                else "warranty ended"
            )
            warranty = f"{state} ({asset.warranty_until:%Y-%m-%d})"
    note_rows = session.exec(
        select(Note).where(Note.order_id == order.id).order_by(col(Note.at).desc()).limit(30)
    ).all()
    truck = stock.truck_of(session, tech_id)
    my_time = [
        f"{t.kind} {fmt(t.starts_at, zone, '%H:%M')}-"
        + (fmt(t.ends_at, zone, "%H:%M") if t.ends_at else "now")
        for t in session.exec(
            select(TimeEntry)
            .where(TimeEntry.visit_id == visit.id, TimeEntry.technician_id == tech_id)
            .order_by(col(TimeEntry.starts_at))
        )
    ]
    return Job(
        visit_id=visit.id,
        number=order.number,
        version=order.version,
        summary=order.summary,
        description=order.description,
        priority=order.priority,
        order_status=words(order.status),
        order_status_raw=order.status,
        visit_status=words(visit.status),
        visit_status_raw=visit.status,
        time=f"{fmt(visit.starts_at, zone, '%a %b %-d %H:%M')}-{fmt(visit.ends_at, zone, '%H:%M')}",
        window=window,
        sla=fmt(order.sla_due, zone, "%a %b %-d %H:%M") if order.sla_due else None,
        eta=fmt(visit.eta_at, zone, "%H:%M") if visit.eta_at else None,
        outcome=OUTCOME_WORDS.get(visit.outcome or "", visit.outcome),
        work_performed=visit.work_performed,
        customer=customer.name,
        customer_notes=customer.notes,
        phone=display_phone(customer.phone, customer.phone_ext),
        tel=tel_link(customer.phone),
        address=", ".join(p for p in (site.address, site.city, site.state, site.zip) if p),
        maps=maps_link(site),
        access_notes=site.access_notes,
        asset=asset_text,
        asset_warranty=warranty,
        asset_history=_history(session, WorkOrder.asset_id == asset.id, order.id, zone)
        if asset
        else [],
        site_history=_history(session, WorkOrder.site_id == site.id, order.id, zone),
        crew=[f"{t.name} ({role})" for t, role in vp.crew(session, visit)],
        checklist=checklists.visit_lines(session, visit.id),
        notes=[(fmt(n.at, zone, "%b %-d %H:%M"), n.author, n.text) for n in note_rows],
        parts_used=[
            f"{fmt_qty(u.qty_milli)} {p.unit} {p.sku} {p.name} ({loc})"
            for u, p, loc in part_usage.order_usages(session, order.id)
        ],
        truck=stock.on_hand_rows(session, truck.id, limit=200) if truck else [],
        photos=[
            (a.id, a.filename, a.caption)
            for a in attachments.order_attachments(session, order.id)
            if a.kind == AttachmentKind.PHOTO.value
        ],
        signatures=[
            f"{s.signer_name} at {fmt(s.signed_at, zone, '%b %-d %H:%M')}"
            for s in attachments.order_signatures(session, order.id)
        ],
        my_time=my_time,
        actions=_actions(visit, order),
        clock=_clock_text(session, tech_id, zone)[0],
    )


def attachment_file(
    session: Session, tech_id: int, attachment_id: int, data_dir: Path
) -> tuple[Path, str]:
    """A photo or signature of an order the technician has a visit on (else NotFound)."""
    att = session.get(attachments.Attachment, attachment_id)
    if att is None:
        raise NotFound(f"attachment {attachment_id} not found")
    mine = session.exec(
        select(Visit.id)
        .join(VisitTechnician, col(VisitTechnician.visit_id) == Visit.id)
        .where(
            Visit.order_id == att.order_id,
            VisitTechnician.technician_id == tech_id,
            VisitTechnician.active == True,  # noqa: E712
        )
    ).first()
    if mine is None:
        raise NotFound(f"attachment {attachment_id} not found")
    return attachments.stored_file(att, data_dir), att.content_type or "application/octet-stream"


# -- actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    message: str
    replayed: bool = False


def new_idem_key() -> str:
    return secrets.token_urlsafe(16)


def apply(
    session: Session, device: FieldDevice, idem_key: str | None, action: str, fn: Callable[[], str]
) -> Done:
    """Run `fn` once per (device, idempotency key): a replay answers without applying."""
    key = (idem_key or "").strip()
    if not key or len(key) > 100:
        raise InvalidInput("idempotency key: missing; reload the page and send again")
    seen = session.exec(
        select(FieldRequest).where(
            FieldRequest.device_id == device.id, FieldRequest.idem_key == key
        )
    ).first()
    if seen is not None:
        return Done("already recorded", replayed=True)
    message = fn()
    session.add(FieldRequest(device_id=row_id(device), idem_key=key, action=action, at=now()))
    try:
        session.flush()
    except IntegrityError:  # the same key applied by a concurrent request: this one rolls back
        raise Conflict("this was already sent; reload to see it") from None
    return Done(message)


def _check_version(order: WorkOrder, version: int | str | None) -> None:
    try:
        expected = int(version)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput("version: missing; reload the page and send again") from None
    if order.version != expected:
        raise Conflict(
            f"{order.number} was changed by the office since you opened it (now {words(order.status)}); "
            "check the job and send again if still right"
        )


def _parse_eta(text: str | None, zone) -> datetime | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        minutes = int(raw)
        if not 1 <= minutes <= 600:
            raise InvalidInput("eta: minutes must be between 1 and 600")
        return now() + timedelta(minutes=minutes)
    try:
        hh, mm = raw.split(":")
        local = (
            now().astimezone(zone).replace(hour=int(hh), minute=int(mm), second=0, microsecond=0)
        )
    except ValueError:
        raise InvalidInput(
            f"eta: {raw!r} is not minutes (e.g. 25) or a time (e.g. 10:40)"
        ) from None
    if local < now().astimezone(zone):
        local += timedelta(days=1)
    return local


def _stop_phone_clock(session: Session, tech: Technician) -> None:
    """Visit progress keeps travel and work time itself: a time clock entry still running
    from the phone ends when the technician taps en route or arrived."""
    at = now()
    for entry in timecards.running_entries(session, tech.id):
        if entry.source == TimeSource.PHONE.value and at > entry.starts_at:
            timecards.close_entry(session, entry, at, actor=who(tech))


def change_status(
    session: Session,
    device: FieldDevice,
    visit_id: int,
    *,
    idem_key: str | None,
    version: int | str | None,
    step: str,
    eta: str | None = None,
    outcome: str | None = None,
    text: str | None = None,
) -> Done:
    """A status tap: en_route (with the ETA), arrived, complete (fixed / quoted) or
    cant_complete (needs parts / needs a return visit / no access, with the reason)."""
    tech, visit, order = device_visit(session, device, visit_id)
    zone = shop_zone(session)

    def run() -> str:
        _check_version(order, version)
        if step in ("en_route", "arrived"):
            _stop_phone_clock(session, tech)
        if step == "en_route":
            eta_at = _parse_eta(eta, zone)
            if eta_at is not None:  # (set first: the customer's "on my way" tells it)
                visit.eta_at = eta_at
            vp.start_travel(session, visit, tech_ids=[tech.id], actor=who(tech))
            if eta_at is not None:
                session.add(visit)
                events.record(
                    session,
                    order,
                    "eta",
                    f"ETA {fmt(eta_at, zone, '%H:%M')}",
                    actor=who(tech),
                    data={"visit_id": visit.id, "eta": eta_at.isoformat()},
                )
            return "en route" + (f", ETA {fmt(eta_at, zone, '%H:%M')}" if eta_at else "")
        if step == "arrived":
            vp.arrive(session, visit, tech_ids=[tech.id], actor=who(tech))
            return "arrived"
        if step == "complete":
            kind = (outcome or "fixed").strip()
            if kind not in ("fixed", "quoted"):
                raise InvalidInput("outcome: choose fixed or quoted extra work")
            vp.complete(session, visit, kind, work_performed=text, actor=who(tech))
            return f"completed: {OUTCOME_WORDS[kind]}"
        if step == "cant_complete":
            kind = (outcome or "").strip()
            if kind not in CANT_COMPLETE:
                raise InvalidInput("reason: choose needs parts, needs a return visit or no access")
            reason = (text or "").strip()
            if not reason:
                raise InvalidInput("reason: say what stopped the job")
            vp.complete(session, visit, kind, work_performed=reason, force=True, actor=who(tech))
            return f"can't complete: {OUTCOME_WORDS[kind]}"
        raise InvalidInput(f"status: {step!r} is not en_route, arrived, complete or cant_complete")

    return apply(session, device, idem_key, f"status:{step}", run)


def add_note(
    session: Session, device: FieldDevice, visit_id: int, *, idem_key, version, text: str
) -> Done:
    tech, visit, order = device_visit(session, device, visit_id)

    def run() -> str:
        _check_version(order, version)
        order_notes.add_note(session, order, text, author=who(tech), visit_id=visit.id)
        return "note saved"

    return apply(session, device, idem_key, "note", run)


def answer_checklist(
    session: Session,
    device: FieldDevice,
    visit_id: int,
    *,
    idem_key,
    version,
    answers: dict[int, str],
) -> Done:
    """Answers by item id (blank ones are skipped: the technician fills in as they go)."""
    tech, visit, order = device_visit(session, device, visit_id)

    def run() -> str:
        _check_version(order, version)
        lines = {ln.item_id: ln for ln in checklists.visit_lines(session, visit.id)}
        count = 0
        for item_id, value in answers.items():
            line = lines.get(item_id)
            if line is None:
                raise InvalidInput(f"checklist: item {item_id} is not on this visit")
            if not (value or "").strip() or value == line.value:
                continue
            checklists.answer(
                session, visit, f"{line.template}:{line.position}", value, actor=who(tech)
            )
            count += 1
        return f"{count} answer(s) saved" if count else "nothing changed"

    return apply(session, device, idem_key, "checklist", run)


def use_part(
    session: Session, device: FieldDevice, visit_id: int, *, idem_key, sku: str, qty: str
) -> Done:
    tech, visit, order = device_visit(session, device, visit_id)

    def run() -> str:
        part = parts.get_part(session, (sku or "").strip())
        qty_milli = parse_qty(qty or "1")
        truck = stock.truck_of(session, tech.id)
        if truck is None:
            raise InvalidInput("parts: you have no truck stock location; ask the office")
        part_usage.use_part(
            session, order, part, qty_milli, visit=visit, technician_id=tech.id,
            location=truck, actor=who(tech),
        )  # fmt: skip
        return f"used {fmt_qty(qty_milli)} {part.unit} {part.sku} from {truck.name}"

    return apply(session, device, idem_key, "part", run)


def sniff_image(data: bytes) -> tuple[str, str]:
    for magic, kind in IMAGE_TYPES.items():
        if data.startswith(magic):
            return kind
    raise InvalidInput("photo: not a JPEG or PNG image")


@contextmanager
def _stored_bytes(data: bytes, data_dir: Path, suffix: str) -> Iterator[Path]:
    """A private temp file (0600, exclusive create) under the data dir's tmp/ holding
    `data`, removed when the block ends (the attachment store keeps its own copy)."""
    tmp = data_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = tmp / f"field-{secrets.token_hex(8)}.{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        yield path
    finally:
        path.unlink(missing_ok=True)


def add_photo(
    session: Session,
    device: FieldDevice,
    visit_id: int,
    *,
    idem_key,
    data: bytes,
    filename: str | None,
    caption: str | None,
    data_dir: Path,
) -> Done:
    tech, visit, order = device_visit(session, device, visit_id)

    def run() -> str:
        if not data:
            raise InvalidInput("photo: no file chosen")
        if len(data) > PHOTO_MAX_BYTES:
            raise InvalidInput(f"photo: over the {PHOTO_MAX_BYTES // 2**20} MB limit")
        ext, _type = sniff_image(data)
        stem = Path((filename or "").replace("\\", "/")).stem[:60] or "photo"
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
        with _stored_bytes(data, data_dir, ext) as path:
            attachments.add_attachment(
                session, order, path, data_dir, visit=visit, kind=AttachmentKind.PHOTO,
                name=f"{safe}.{ext}", caption=(caption or "").strip() or None, actor=who(tech),
            )  # fmt: skip
        return "photo saved"

    return apply(session, device, idem_key, "photo", run)


def decode_signature(data_url: str | None) -> bytes:
    prefix = "data:image/png;base64,"
    text = (data_url or "").strip()
    if not text.startswith(prefix):
        raise InvalidInput("signature: draw the signature first")
    try:
        data = base64.b64decode(text[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("signature: the drawing did not arrive intact; send again") from None
    if len(data) > SIGNATURE_MAX_BYTES:
        raise InvalidInput(f"signature: over the {SIGNATURE_MAX_BYTES // 1024} KB limit")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput("signature: not a PNG image")
    return data


def sign(
    session: Session,
    device: FieldDevice,
    visit_id: int,
    *,
    idem_key,
    signer: str,
    image: str | None,
    data_dir: Path,
) -> Done:
    tech, visit, order = device_visit(session, device, visit_id)

    def run() -> str:
        name = (signer or "").strip()
        if not name:
            raise InvalidInput("signer: the signer's name is required")
        data = decode_signature(image)
        with _stored_bytes(data, data_dir, "png") as path:
            attachments.sign_off(
                session, order, name, visit=visit, image=path, data_dir=data_dir, actor=who(tech)
            )
        return f"signed by {name}"

    return apply(session, device, idem_key, "signature", run)


def time_clock(
    session: Session,
    device: FieldDevice,
    *,
    idem_key,
    action: str,
    kind: str | None = None,
    visit_id: int | None = None,
) -> Done:
    """start KIND (work, travel, break) / stop: the technician's own time entries (source
    phone, for approval). Starting one ends the running one first (entries never overlap)."""
    tech = technician(session, device)
    visit = order = None
    if visit_id:
        visit, order = my_visit(session, tech.id, visit_id)
    zone = shop_zone(session)

    def run() -> str:
        at = now()
        stopped = []
        for entry in timecards.running_entries(session, tech.id):
            if at <= entry.starts_at:
                raise InvalidInput(f"clock: {entry.kind} only just started; try again in a minute")
            timecards.close_entry(session, entry, at, actor=who(tech))
            stopped.append(entry.kind)
        if action == "stop":
            if not stopped:
                raise InvalidInput("clock: nothing is running")
            if order is not None:
                events.record(session, order, "time", f"time clock: {', '.join(stopped)} stopped",
                              actor=who(tech), data={"visit_id": visit.id if visit else None})  # fmt: skip
            return f"{', '.join(stopped)} stopped at {fmt(at, zone, '%H:%M')}"
        if action != "start" or (kind or "") not in CLOCK_KINDS:
            raise InvalidInput("clock: choose start work, start travel, start break or stop")
        entry = timecards.add_entry(
            session,
            technician_id=tech.id,
            kind=CLOCK_KINDS[kind or ""],
            starts_at=at,
            ends_at=None,
            order_id=order.id if order and kind != "break" else None,
            visit_id=visit.id if visit and kind != "break" else None,
            source=TimeSource.PHONE,
            note="time clock",
            actor=who(tech),
        )
        if order is not None and entry.order_id is not None:
            events.record(session, order, "time", f"time clock: {kind} started",
                          actor=who(tech), data={"time_entry_id": entry.id})  # fmt: skip
        return f"{kind} started at {fmt(at, zone, '%H:%M')}"

    return apply(session, device, idem_key, f"clock:{action}", run)
