"""Coverage applied line by line when an order is invoiced (docs/billing.md, "Coverage").

* Warranty: a part used with the warranty flag, or any part on an order whose asset's
  `warranty_until` is on or after the service day, is covered in full (charged at zero).
  Labor and fees are not covered by a warranty.
* Service agreement (the order's `agreement_id`, when that agreement is active and the
  service day is inside its current term): labor lines get its labor discount, part lines
  (not already under warranty) its parts discount, both shown as agreement coverage. A
  maintenance order is a COVERED VISIT when fewer than `covered_visits` maintenance orders
  of the agreement were completed earlier in the term: its labor and trip charge are then
  covered in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.models import Asset, OrderKind, OrderStatus, WorkOrder
from svcdesk.models.billing import Coverage

FULL = 10000


@dataclass(frozen=True)
class Cover:
    kind: str
    bp: int
    note: str


@dataclass(frozen=True)
class AgreementTerms:
    id: int
    number: str
    labor_bp: int
    parts_bp: int
    covered_visit: str | None  # note when this order is a covered visit


def warranty_for(asset: Asset | None, day: date) -> Cover | None:
    if asset is None or asset.warranty_until is None or asset.warranty_until < day:
        return None
    what = " ".join(x for x in (asset.make, asset.kind) if x)
    return Cover(Coverage.WARRANTY.value, FULL, f"warranty: {what} until {asset.warranty_until}")


def agreement_for(session: Session, order: WorkOrder, day: date) -> AgreementTerms | None:
    if order.agreement_id is None:
        return None
    try:
        from svcdesk.models.agreements import Agreement
    except ImportError:  # pragma: no cover - agreements area not installed
        return None
    ag = session.get(Agreement, order.agreement_id)
    if ag is None or ag.status != "active" or not (ag.term_start <= day <= ag.ends_on):
        return None
    visit_note = None
    if order.kind == OrderKind.MAINTENANCE.value and ag.covered_visits > 0:
        used = covered_visits_used(session, ag, order)
        if used < ag.covered_visits:
            visit_note = f"covered visit {used + 1} of {ag.covered_visits} ({ag.number})"
    return AgreementTerms(ag.id, ag.number, ag.labor_discount_bp, ag.parts_discount_bp, visit_note)


def covered_visits_used(session: Session, agreement, order: WorkOrder) -> int:
    """Maintenance orders of the agreement completed in its current term BEFORE this one
    (the same count as the agreements area's "visits used", so both screens agree, and the
    answer does not depend on the order in which invoices are made)."""
    from svcdesk.services.settings import shop_zone
    from svcdesk.services.timefmt import day_bounds

    start, _ = day_bounds(agreement.term_start, shop_zone(session))
    done = (OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value, OrderStatus.CLOSED.value)
    mine = order.completed_at or start
    stmt = (
        select(func.count())
        .select_from(WorkOrder)
        .where(
            WorkOrder.agreement_id == agreement.id,
            WorkOrder.kind == OrderKind.MAINTENANCE.value,
            col(WorkOrder.status).in_(done),
            col(WorkOrder.completed_at) >= start,
            (col(WorkOrder.completed_at) < mine)
            | ((WorkOrder.completed_at == mine) & (col(WorkOrder.id) < order.id)),
        )
    )
    return session.exec(stmt).one()


def labor_cover(terms: AgreementTerms | None) -> Cover | None:
    if terms is None:
        return None
    if terms.covered_visit:
        return Cover(Coverage.AGREEMENT.value, FULL, terms.covered_visit)
    if terms.labor_bp:
        return Cover(
            Coverage.AGREEMENT.value,
            terms.labor_bp,
            f"{terms.number} labor discount {terms.labor_bp / 100:g}%",
        )
    return None


def trip_cover(terms: AgreementTerms | None) -> Cover | None:
    if terms is None or not terms.covered_visit:
        return None
    return Cover(Coverage.AGREEMENT.value, FULL, terms.covered_visit)


def part_cover(
    terms: AgreementTerms | None, warranty: Cover | None, usage_warranty: bool
) -> Cover | None:
    if usage_warranty:
        return Cover(Coverage.WARRANTY.value, FULL, "warranty part (recorded on the visit)")
    if warranty is not None:
        return warranty
    if terms is not None and terms.parts_bp:
        return Cover(
            Coverage.AGREEMENT.value,
            terms.parts_bp,
            f"{terms.number} parts discount {terms.parts_bp / 100:g}%",
        )
    return None
