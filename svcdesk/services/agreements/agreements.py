"""Service agreements: create (draft), cover sites/assets, SLA terms per priority, activate,
cancel, expire/auto-renew at term end, renewal list, discounts for billing, visits used."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Asset, Customer, OrderKind, OrderStatus, Site, WorkOrder
from svcdesk.models.agreements import (
    Agreement,
    AgreementCoverage,
    AgreementSla,
    AgreementStatus,
    BillingCycle,
)
from svcdesk.services.agreements.sla import parse_clock
from svcdesk.services.common import sequences
from svcdesk.services.common.choices import parse_choice, parse_priority
from svcdesk.services.common.events import record_change
from svcdesk.services.common.money import parse_percent
from svcdesk.services.common.rows import children
from svcdesk.services.common.words import move_refused

ST = AgreementStatus
MOVES: dict[ST, tuple[ST, ...]] = {
    ST.DRAFT: (ST.ACTIVE, ST.CANCELLED),
    ST.ACTIVE: (ST.EXPIRED, ST.CANCELLED),
    ST.EXPIRED: (),
    ST.CANCELLED: (),
}


def term_end(start: date, months: int) -> date:
    """Last day of a term of `months` starting on `start` (Jan 31 + 1 month -> Feb 28)."""
    return start + relativedelta(months=months) - timedelta(days=1)


def parse_bp(value: str | float | int | None, field: str) -> int:
    """'10' or '10%' or '12.5' percent -> basis points (1000, 1250)."""
    return parse_percent(str(value if value is not None else "0"), field=field)


def create_agreement(
    session: Session,
    *,
    customer_id: int,
    name: str,
    starts_on: date,
    term_months: int = 12,
    auto_renew: bool = False,
    price_cents: int = 0,
    billing_cycle: str = "annual",
    labor_discount_bp: int = 0,
    parts_discount_bp: int = 0,
    covered_visits: int = 0,
    notes: str | None = None,
) -> Agreement:
    if session.get(Customer, customer_id) is None:
        raise NotFound(f"customer: no customer with id {customer_id}")
    if not (name or "").strip():
        raise InvalidInput("name: required (e.g. 'Comfort Club - 2 tune-ups a year')")
    if not 1 <= term_months <= 120:
        raise InvalidInput(f"term: {term_months} months is not between 1 and 120")
    if price_cents < 0:
        raise InvalidInput("price: must not be negative")
    if covered_visits < 0:
        raise InvalidInput("visits: must not be negative")
    cycle = parse_choice(BillingCycle, billing_cycle, "billing cycle", "annual")
    agreement = Agreement(
        number=sequences.next_number(session, "AG"),
        customer_id=customer_id,
        name=name.strip(),
        starts_on=starts_on,
        term_start=starts_on,
        ends_on=term_end(starts_on, term_months),
        term_months=term_months,
        auto_renew=auto_renew,
        price_cents=price_cents,
        billing_cycle=cycle.value,
        labor_discount_bp=labor_discount_bp,
        parts_discount_bp=parts_discount_bp,
        covered_visits=covered_visits,
        notes=notes,
    )
    session.add(agreement)
    session.flush()
    record_change(session, "agreement", agreement.number, "created", after=_snapshot(agreement))
    return agreement


def _snapshot(agreement: Agreement) -> dict:
    """An agreement's audited fields (`events.record_change` shows them in words)."""
    a = agreement
    return {
        "customer_id": a.customer_id, "name": a.name, "status": a.status,
        "term": f"{a.term_start} to {a.ends_on}", "auto_renew": a.auto_renew,
        "price_cents": a.price_cents, "billing_cycle": a.billing_cycle,
        "labor_discount_bp": a.labor_discount_bp, "parts_discount_bp": a.parts_discount_bp,
        "covered_visits": a.covered_visits,
    }  # fmt: skip


def get_agreement(session: Session, ref: str | int) -> Agreement:
    """By number (AG-000001, or just 1) or id."""
    text = str(ref).strip().upper()
    if text.isdigit():
        text = sequences.format_number("AG", int(text))
    found = session.exec(select(Agreement).where(Agreement.number == text)).first()
    if found is None:
        raise NotFound(f"agreement {ref!r} not found")
    return found


def add_coverage(
    session: Session, agreement: Agreement, *, site_id: int, asset_id: int | None = None
) -> AgreementCoverage:
    site = session.get(Site, site_id)
    if site is None or site.customer_id != agreement.customer_id:
        raise InvalidInput(f"site: site {site_id} does not belong to the agreement's customer")
    if asset_id is not None:
        asset = session.get(Asset, asset_id)
        if asset is None or asset.site_id != site_id:
            raise InvalidInput(f"asset: asset {asset_id} is not at site {site_id}")
    existing = session.exec(
        select(AgreementCoverage).where(
            AgreementCoverage.agreement_id == agreement.id,
            AgreementCoverage.site_id == site_id,
            AgreementCoverage.asset_id == asset_id,
        )
    ).first()
    if existing:
        return existing
    row = AgreementCoverage(agreement_id=agreement.id, site_id=site_id, asset_id=asset_id)
    session.add(row)
    session.flush()
    record_change(session, "agreement", agreement.number, "coverage added",
                  after={"site_id": site_id, "asset_id": asset_id})  # fmt: skip
    return row


def set_sla(
    session: Session,
    agreement: Agreement,
    *,
    priority: str,
    response_hours: float,
    resolution_hours: float,
    clock: str = "business",
) -> AgreementSla:
    prio = parse_priority(priority).value
    if response_hours <= 0 or resolution_hours <= 0:
        raise InvalidInput(f"sla {prio}: hours must be more than 0")
    if resolution_hours < response_hours:
        raise InvalidInput(f"sla {prio}: resolution hours must not be less than response hours")
    kind = parse_clock(clock, f"sla {prio} clock").value
    row = session.exec(
        select(AgreementSla).where(
            AgreementSla.agreement_id == agreement.id, AgreementSla.priority == prio
        )
    ).first()
    before = None
    if row is None:
        row = AgreementSla(
            agreement_id=agreement.id, priority=prio, response_minutes=0, resolution_minutes=0
        )
        session.add(row)
    else:
        before = _sla_snapshot(row)
    row.response_minutes = round(response_hours * 60)
    row.resolution_minutes = round(resolution_hours * 60)
    row.clock = kind
    session.flush()
    if before != _sla_snapshot(row):
        record_change(session, "agreement", agreement.number, f"sla {prio} set",
                      before=before, after=_sla_snapshot(row))  # fmt: skip
    return row


def _sla_snapshot(row: AgreementSla) -> dict:
    return {"priority": row.priority, "response_minutes": row.response_minutes,
            "resolution_minutes": row.resolution_minutes, "clock": row.clock}  # fmt: skip


def parse_sla_spec(text: str) -> tuple[str, float, float, str]:
    """'high=4/24' or 'emergency=2/8/calendar' -> (priority, response h, resolution h, clock)."""
    try:
        prio, rest = text.split("=", 1)
        parts = rest.split("/")
        response, resolution = float(parts[0]), float(parts[1])
        clock = parts[2] if len(parts) > 2 else "business"
        if not (math.isfinite(response) and math.isfinite(resolution)):
            raise ValueError
    except (ValueError, IndexError):
        raise InvalidInput(
            f"sla: {text!r} is not like PRIORITY=RESPONSE_H/RESOLUTION_H[/business|calendar]"
        ) from None
    return prio.strip(), response, resolution, clock.strip()


def change_status(
    session: Session, agreement: Agreement, to: str, *, reason: str | None = None
) -> Agreement:
    target = parse_choice(ST, to, "status", "active")
    current = ST(agreement.status)
    if target not in MOVES[current]:
        raise move_refused(agreement.number, current, target, MOVES[current])
    if target == ST.ACTIVE and not coverage(session, agreement.id):
        raise InvalidInput(f"{agreement.number}: add at least one covered site before activating")
    if target == ST.CANCELLED:
        if not (reason or "").strip():
            raise InvalidInput(f"{agreement.number}: a reason is required to cancel")
        agreement.cancel_reason = reason
    before = {"status": agreement.status}
    agreement.status = target.value
    agreement.updated_at = now()
    session.flush()
    after = {"status": agreement.status, "reason": reason} if reason else {"status": target.value}
    record_change(session, "agreement", agreement.number, "status", before=before, after=after)
    return agreement


def coverage(session: Session, agreement_id: int) -> list[AgreementCoverage]:
    return children(session, AgreementCoverage, AgreementCoverage.agreement_id, agreement_id)


def covering_agreement(
    session: Session, site_id: int, asset_id: int | None, on: date
) -> Agreement | None:
    """The active agreement covering this asset (or its whole site) on day `on`."""
    found = pick_covering(coverage_at(session, {site_id}, on).get(site_id, []), asset_id)
    return session.get(Agreement, found) if found is not None else None


Covering = list[tuple[int, frozenset[int | None]]]  # (agreement id, covered asset ids)


def coverage_at(session: Session, site_ids: set[int], on: date) -> dict[int, Covering]:
    """Per site, the active agreements covering part of it on day `on`, in the order they
    are tried: agreements naming an asset first, then by id (one query, for bulk callers)."""
    stmt = (
        select(AgreementCoverage.site_id, AgreementCoverage.asset_id, Agreement.id)
        .join(Agreement, col(AgreementCoverage.agreement_id) == col(Agreement.id))
        .where(
            Agreement.status == ST.ACTIVE.value,
            Agreement.term_start <= on,
            Agreement.ends_on >= on,
        )
    )
    assets: dict[tuple[int, int], set[int | None]] = {}
    for start in range(0, len(site_ids), 900):
        chunk = sorted(site_ids)[start : start + 900]
        for site_id, asset_id, agreement_id in session.exec(
            stmt.where(col(AgreementCoverage.site_id).in_(chunk))
        ):
            assets.setdefault((site_id, agreement_id), set()).add(asset_id)
    out: dict[int, Covering] = {}
    for (site_id, agreement_id), covered in assets.items():
        out.setdefault(site_id, []).append((agreement_id, frozenset(covered)))
    for found in out.values():
        found.sort(key=lambda a: (a[1] == {None}, a[0]))
    return out


def pick_covering(found: Covering, asset_id: int | None) -> int | None:
    """The first agreement (of `coverage_at`'s list) covering the whole site or this asset."""
    for agreement_id, covered in found:
        if None in covered or (asset_id is not None and asset_id in covered):
            return agreement_id
    return None


def discounts_for(session: Session, agreement_id: int | None) -> tuple[int, int]:
    """(labor, parts) discount in basis points for an order's agreement (0, 0 if none)."""
    agreement = session.get(Agreement, agreement_id) if agreement_id else None
    if agreement is None or agreement.status != ST.ACTIVE.value:
        return 0, 0
    return agreement.labor_discount_bp, agreement.parts_discount_bp


def visits_used(session: Session, agreement: Agreement) -> int:
    """Completed maintenance orders under the agreement in its current term."""
    from svcdesk.services.common.settings import shop_zone
    from svcdesk.services.common.timefmt import day_bounds

    zone = shop_zone(session)
    start, _ = day_bounds(agreement.term_start, zone)
    _, end = day_bounds(agreement.ends_on, zone)
    done = [OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value, OrderStatus.CLOSED.value]
    return session.exec(
        select(func.count())
        .select_from(WorkOrder)
        .where(
            WorkOrder.agreement_id == agreement.id,
            WorkOrder.kind == OrderKind.MAINTENANCE.value,
            col(WorkOrder.status).in_(done),
            col(WorkOrder.completed_at) >= start,
            col(WorkOrder.completed_at) < end,
        )
    ).one()


def renewals(session: Session, today: date, days: int) -> list[Agreement]:
    """Active agreements whose term ends within `days` days of `today`, soonest first."""
    if days < 0:
        raise InvalidInput("days: must not be negative")
    return list(
        session.exec(
            select(Agreement)
            .where(
                Agreement.status == ST.ACTIVE.value,
                Agreement.ends_on >= today,
                Agreement.ends_on <= today + timedelta(days=days),
            )
            .order_by(col(Agreement.ends_on), col(Agreement.number))
        )
    )


@dataclass
class RollResult:
    renewed: list[str]
    expired: list[str]


def roll(session: Session, today: date) -> RollResult:
    """End-of-term job: an active agreement whose term ended before `today` is renewed for
    another term when auto-renew is on (repeatedly if several terms passed), else expired."""
    result = RollResult([], [])
    ended = session.exec(
        select(Agreement)
        .where(Agreement.status == ST.ACTIVE.value, Agreement.ends_on < today)
        .order_by(Agreement.number)
    ).all()
    for agreement in ended:
        if agreement.auto_renew:
            while agreement.ends_on < today:
                agreement.term_start = agreement.ends_on + timedelta(days=1)
                agreement.ends_on = term_end(agreement.term_start, agreement.term_months)
                agreement.renewals += 1
            result.renewed.append(agreement.number)
        else:
            agreement.status = ST.EXPIRED.value
            result.expired.append(agreement.number)
        agreement.updated_at = now()
    session.flush()
    return result
