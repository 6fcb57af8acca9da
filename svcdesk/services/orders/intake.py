"""Intake: turn a request (phone call, portal, file row) into a work order.

An existing customer is matched by phone or e-mail when the name agrees (a match whose name
disagrees gets a new customer and a possible-duplicate record, unless `match_existing`);
an existing site of that customer by normalised address. `external_ref` makes re-imports
idempotent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput
from svcdesk.models import (
    Customer,
    OrderKind,
    OrderSource,
    OrderStatus,
    Priority,
    Site,
    Skill,
    WorkOrder,
)
from svcdesk.services.common import events, sequences
from svcdesk.services.common.choices import parse_choice, parse_priority
from svcdesk.services.common.normalize import check_length
from svcdesk.services.common.rows import row_id
from svcdesk.services.crm.customers import (
    check_contact,
    create_customer,
    duplicate_of_order,
    find_or_add_site,
    match_caller,
    record_duplicate,
)
from svcdesk.services.crm.technicians import get_skill
from svcdesk.services.orders.hooks import hooks
from svcdesk.services.orders.intake_lock import lock_intake


@dataclass(slots=True)
class IntakeRequest:
    summary: str
    customer: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    city: str = ""
    state: str = ""
    zip: str = ""
    description: str | None = None
    priority: str = Priority.NORMAL.value
    skill: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    est_minutes: int = 60
    source: str = OrderSource.PHONE.value
    kind: str = OrderKind.REPAIR.value
    external_ref: str | None = None
    customer_id: int | None = None
    site_id: int | None = None
    asset_id: int | None = None
    callback_of_id: int | None = None
    match_existing: bool = False  # take a phone/e-mail match even when the name disagrees
    # The agreement the order is placed under (maintenance generated from its plan);
    # without one, the creation hook links the agreement covering the site, if any.
    agreement_id: int | None = None
    extra: dict = field(default_factory=dict)


def sla_due_for(session: Session, priority: Priority, created: datetime) -> datetime:
    """Response due for a new order without an agreement (the SLA service does the math:
    business or calendar hours per priority; see docs/agreements.md)."""
    return hooks().response_due(session, priority.value, created)


def find_by_external_ref(session: Session, ref: str) -> WorkOrder | None:
    return session.exec(select(WorkOrder).where(WorkOrder.external_ref == ref)).first()


# Longest accepted text per field: a pasted essay or a binary blob gets a clear error
# instead of a bloated row (the same limits for one call and for a file).
MAX_LENGTH = {
    "customer": 200,
    "phone": 40,
    "email": 254,
    "address": 200,
    "city": 100,
    "state": 40,
    "zip": 12,
    "summary": 200,
    "description": 4000,
    "external_ref": 100,
    "skill": 60,
}


_LIMITS = tuple(MAX_LENGTH.items())
_BOUNDED = attrgetter(*MAX_LENGTH)  # a request's bounded texts, in _LIMITS order


def check_lengths(req: IntakeRequest) -> None:
    """Each typed text within MAX_LENGTH and free of NUL characters (`normalize.check_length`:
    PostgreSQL cannot store a NUL, and a SQLite shop holding one could not move)."""
    for (name, limit), value in zip(_LIMITS, _BOUNDED(req), strict=True):
        check_length(name, value, limit)


def lengths_ok(reqs: Sequence[IntakeRequest]) -> bool:
    """True when `check_lengths` passes every one of `reqs`, found column by column in C
    (each column's longest text, a NUL anywhere in it): batch intake checks a chunk this
    way and checks its rows one by one only when this says no."""
    columns = zip(*map(_BOUNDED, reqs), strict=True)  # (none when reqs is empty)
    for (_, limit), column in zip(_LIMITS, columns, strict=False):
        texts = list(filter(None, column))
        try:
            if max(map(len, texts), default=0) > limit or "\x00" in "".join(texts):
                return False
        except TypeError:  # a value that is not text: leave it to check_lengths
            return False
    return True


def validate(req: IntakeRequest, *, lengths: bool = True, contact: bool = True) -> None:
    """The request's rules, one InvalidInput naming the field. Batch intake passes
    `lengths=False` for rows `lengths_ok` has cleared and `contact=False` for rows whose
    phone and e-mail its parser has read with `check_contact`'s own rules."""
    if lengths:
        check_lengths(req)
    if not (req.summary or "").strip():
        raise InvalidInput("summary: required; say what the customer needs")
    if (
        req.customer_id is None
        and not (req.customer or "").strip()
        and not (req.phone or req.email)
    ):
        raise InvalidInput("customer: a name, phone or e-mail is required")
    if contact:
        check_contact(req.phone, req.email)
    if req.site_id is None and not (req.address or "").strip():
        raise InvalidInput("address: required for a new site")
    if req.window_start and req.window_end and req.window_end <= req.window_start:
        raise InvalidInput("window_end: must be after window_start")
    if not 1 <= int(req.est_minutes) <= 24 * 60:
        raise InvalidInput(f"est_minutes: {req.est_minutes} is not between 1 and 1440")


def checked(
    req: IntakeRequest, *, lengths: bool = True, contact: bool = True
) -> tuple[Priority, OrderSource, OrderKind]:
    """Validate a request and parse its choices (shared by `create_order` and batch intake;
    `lengths`, `contact`: see `validate`)."""
    validate(req, lengths=lengths, contact=contact)
    priority = parse_priority(req.priority)
    source = parse_choice(OrderSource, req.source, "source", "phone")
    kind = parse_choice(OrderKind, req.kind, "kind", "repair")
    return priority, source, kind


NEW_CUSTOMER = " (new customer)"


def created_detail(priority: Priority, kind: OrderKind, customer_name: str, new: bool) -> str:
    """The one-line detail of an order's `created` event."""
    return created_detail_head(priority, kind) + customer_name + (NEW_CUSTOMER if new else "")


def created_detail_head(priority: Priority, kind: OrderKind) -> str:
    """`created_detail` up to the customer's name (batch intake keeps one per spelling)."""
    return f"{priority.value} {kind.value} for "


def created_data(source: OrderSource, external_ref: str | None) -> dict:
    return {"source": source.value, "external_ref": external_ref}


_json_text = json.encoder.encode_basestring_ascii


def created_data_text(source: OrderSource, external_ref: str | None) -> str:
    """`events.encode_data(created_data(source, external_ref))`, written directly (batch
    intake stores one per row; the JSON encoder's generic path costs more than the row's
    insert). Same text: keys sorted, default separators, ASCII escapes."""
    return created_data_with(external_ref, created_data_tail(source))


def created_data_tail(source: OrderSource) -> str:
    """The part of `created_data_text` after the external_ref (one per source)."""
    return f', "source": {_json_text(source.value)}}}'


def created_data_with(external_ref: str | None, tail: str) -> str:
    ref = "null" if external_ref is None else _json_text(external_ref)
    return '{"external_ref": ' + ref + tail


def resolve_customer(
    session: Session, req: IntakeRequest, *, actor: str = "system"
) -> tuple[Customer, bool, tuple[Customer, str] | None]:
    """(customer, is new, (suspect, matched on) when a phone/e-mail match's name
    disagreed and the caller became a new customer)."""
    if req.customer_id is not None:
        customer = session.get(Customer, req.customer_id)
        if customer is None:
            raise InvalidInput(f"customer: no customer with id {req.customer_id}")
        return customer, False, None
    match = match_caller(
        session, name=req.customer, phone=req.phone, email=req.email, force=req.match_existing
    )
    if match.customer is not None:
        return match.customer, False, None
    name = (req.customer or "").strip() or (req.phone or req.email or "").strip()
    customer = create_customer(session, name=name, phone=req.phone, email=req.email, actor=actor)
    suspect = (match.suspect, match.matched_on or "phone") if match.suspect is not None else None
    return customer, True, suspect


def with_callers_site(session: Session, req: IntakeRequest) -> IntakeRequest:
    """A known caller's order without an address goes to their site when they have one
    (the dispatcher does not retype it); with several sites the error names them, so the
    caller can say which. An unknown caller still needs an address (`validate`)."""
    if req.site_id is not None or (req.address or "").strip():
        return req
    check_lengths(req)
    if req.customer_id is not None:
        customer = session.get(Customer, req.customer_id)
    else:
        customer = match_caller(
            session, name=req.customer, phone=req.phone, email=req.email, force=req.match_existing
        ).customer
    if customer is None:
        return req
    sites = session.exec(
        select(Site).where(col(Site.customer_id) == customer.id).order_by(col(Site.id)).limit(4)
    ).all()
    if len(sites) == 1:
        return replace(req, customer_id=customer.id, site_id=sites[0].id)
    if sites:
        named = "; ".join(s.address for s in sites[:3]) + ("; ..." if len(sites) > 3 else "")
        raise InvalidInput(
            f"address: {customer.name} has {len(sites) if len(sites) <= 3 else 'several'} "
            f"sites ({named}); give the address of the one to visit"
        )
    return req


def create_order(
    session: Session, req: IntakeRequest, *, actor: str = "dispatcher"
) -> tuple[WorkOrder, bool]:
    """Create the order (and customer/site when new). Returns (order, created); an order
    with a known external_ref is returned unchanged with created=False."""
    lock_intake(session)  # PostgreSQL: one intake at a time looks up and creates
    if req.external_ref:
        existing = find_by_external_ref(session, req.external_ref.strip())
        if existing:
            return existing, False
    req = with_callers_site(session, req)
    priority, source, kind = checked(req)
    skill = get_skill(session, req.skill) if req.skill else None
    customer, new_customer, suspect = resolve_customer(session, req, actor=actor)
    if req.site_id is not None:
        site = session.get(Site, req.site_id)
        if site is None or site.customer_id != customer.id:
            raise InvalidInput(f"site: site {req.site_id} does not belong to {customer.name}")
    else:
        site = find_or_add_site(
            session,
            customer,
            address=req.address,
            city=req.city or "",
            state=req.state or "",
            zip_code=req.zip or "",
        )
    if req.asset_id is not None:
        from svcdesk.models import Asset

        asset = session.get(Asset, req.asset_id)
        if asset is None or asset.site_id != site.id:
            raise InvalidInput(f"asset: asset #{req.asset_id} is not at {site.address}")
        if asset.retired_on is not None:
            raise InvalidInput(f"asset: asset #{asset.id} was retired on {asset.retired_on}")
    created = now()
    order = WorkOrder(
        number=sequences.next_number(session, "SO"),
        customer_id=customer.id,
        site_id=site.id,
        asset_id=req.asset_id,
        agreement_id=req.agreement_id,
        kind=kind.value,
        priority=priority.value,
        priority_rank=priority.rank,
        summary=req.summary.strip(),
        description=req.description,
        skill_id=skill.id if skill else None,
        est_minutes=int(req.est_minutes),
        window_start=req.window_start,
        window_end=req.window_end,
        sla_due=sla_due_for(session, priority, created),
        source=source.value,
        external_ref=req.external_ref.strip() if req.external_ref else None,
        callback_of_id=req.callback_of_id,
        created_at=created,
        updated_at=created,
    )
    session.add(order)
    session.flush()
    events.record(
        session,
        order,
        "created",
        created_detail(priority, kind, customer.name, new_customer),
        actor=actor,
        to_status=order.status,
        data=created_data(source, order.external_ref),
    )
    if suspect is not None:
        dup_of, matched_on = suspect
        record_duplicate(session, customer, dup_of, matched_on, order_id=order.id, actor=actor)
        events.record(
            session,
            order,
            "possible_duplicate",
            f"same {matched_on} as {dup_of.name} (#{dup_of.id}); filed under a new "
            f"customer {customer.name} (#{customer.id})",
            actor=actor,
        )
    # The hooks: covering agreement, SLA clock (replaces sla_due), recall flag.
    hooks().created(session, order)
    return order, True


def take_order(
    session: Session, req: IntakeRequest, *, actor: str = "dispatcher"
) -> tuple[WorkOrder, bool, dict | None]:
    """`create_order`, and the possible duplicate customer its intake flagged ({id, name,
    matched_on} of the existing customer, or None) for the faces to say so."""
    order, created = create_order(session, req, actor=actor)
    return order, created, (duplicate_of_order(session, row_id(order)) if created else None)


def create_callback(
    session: Session, order: WorkOrder, summary: str, *, actor: str = "dispatcher"
) -> WorkOrder:
    """A callback order (kind=callback) for the same customer, site and asset, linked to
    `order` by callback_of; both orders' histories say so."""
    if OrderStatus(order.status) == OrderStatus.CANCELLED:
        raise InvalidInput(f"{order.number} was cancelled; a callback needs real work done")
    skill = session.get(Skill, order.skill_id) if order.skill_id else None
    req = IntakeRequest(
        summary=summary,
        customer_id=order.customer_id,
        site_id=order.site_id,
        asset_id=order.asset_id,
        priority=order.priority,
        skill=skill.code if skill else None,
        est_minutes=order.est_minutes,
        kind=OrderKind.CALLBACK.value,
        callback_of_id=order.id,
    )
    callback, _ = create_order(session, req, actor=actor)
    events.record(
        session, order, "callback", f"callback {callback.number}: {summary.strip()}", actor=actor
    )
    return callback
