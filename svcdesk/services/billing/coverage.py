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

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from svcdesk.models import Asset, OrderKind, OrderStatus, WorkOrder
from svcdesk.models.agreements import Agreement
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
    return agreement_terms(session, [order], {order.id: day})[order.id]


def agreement_terms(
    session: Session, orders: list[WorkOrder], days: dict[int, date]
) -> dict[int, AgreementTerms | None]:
    """Each order's agreement terms on its service day (`days`: order id -> day), or None
    when it has no agreement or the agreement is not active that day. One query for the
    agreements and one for the covered visits already used."""
    ids = sorted({o.agreement_id for o in orders if o.agreement_id is not None})
    agreements: dict[int, Agreement] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        agreements.update(
            (a.id, a) for a in session.exec(select(Agreement).where(col(Agreement.id).in_(chunk)))
        )
    live = {}
    for order in orders:
        ag = agreements.get(order.agreement_id) if order.agreement_id is not None else None
        day = days[order.id]
        if ag is not None and ag.status == "active" and ag.term_start <= day <= ag.ends_on:
            live[order.id] = ag
    counted = [
        (o, live[o.id])
        for o in orders
        if o.id in live and o.kind == OrderKind.MAINTENANCE.value and live[o.id].covered_visits
    ]
    used = covered_visits_used(session, counted)
    out: dict[int, AgreementTerms | None] = {}
    for order in orders:
        ag = live.get(order.id)
        if ag is None:
            out[order.id] = None
            continue
        visit_note = None
        if order.id in used and used[order.id] < ag.covered_visits:
            visit_note = f"covered visit {used[order.id] + 1} of {ag.covered_visits} ({ag.number})"
        out[order.id] = AgreementTerms(
            ag.id, ag.number, ag.labor_discount_bp, ag.parts_discount_bp, visit_note
        )
    return out


def covered_visits_used(
    session: Session, pairs: list[tuple[WorkOrder, Agreement]]
) -> dict[int, int]:
    """For each (maintenance order, agreement): the agreement's maintenance orders completed
    in its current term BEFORE this one (the same count as the agreements area's "visits
    used", so both screens agree, and the answer does not depend on the order in which
    invoices are made). Ties on the completion time go by order id."""
    if not pairs:
        return {}
    from svcdesk.services.common.settings import shop_zone
    from svcdesk.services.common.timefmt import day_bounds

    zone = shop_zone(session)
    starts = {ag.id: day_bounds(ag.term_start, zone)[0] for _, ag in pairs}
    done = (OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value, OrderStatus.CLOSED.value)
    completed: dict[int, list[tuple]] = {}
    ag_ids = sorted(starts)
    for start in range(0, len(ag_ids), 900):
        chunk = ag_ids[start : start + 900]
        rows = session.execute(
            select(WorkOrder.agreement_id, WorkOrder.completed_at, WorkOrder.id).where(
                col(WorkOrder.agreement_id).in_(chunk),
                WorkOrder.kind == OrderKind.MAINTENANCE.value,
                col(WorkOrder.status).in_(done),
                col(WorkOrder.completed_at) >= min(starts[a] for a in chunk),
            )
        )
        for ag_id, completed_at, order_id in rows:
            if completed_at >= starts[ag_id]:
                completed.setdefault(ag_id, []).append((completed_at, order_id))
    for keys in completed.values():
        keys.sort()
    out = {}
    for order, ag in pairs:
        term_start = starts[ag.id]
        mine = (order.completed_at or term_start, order.id)
        out[order.id] = bisect_left(completed.get(ag.id, []), mine)
    return out


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
