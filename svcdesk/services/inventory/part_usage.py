"""Parts used on a visit: the usage record and its CONSUME move in one transaction.

By default the part comes off the truck of the technician who used it (the visit's lead
when none is named); a named location overrides. Removing a usage puts the stock back with
a RETURN move to the same location. Prices are captured at use time."""

from __future__ import annotations

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Visit, VisitTechnician, WorkOrder
from svcdesk.models.inventory import MoveKind, Part, PartUsage, StockLocation
from svcdesk.services.common import events
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.words import status_words
from svcdesk.services.inventory import stock

USABLE_ORDER_STATUSES = ("dispatched", "en_route", "on_site", "on_hold", "completed", "scheduled")


def _lead_technician_id(session: Session, visit_id: int) -> int | None:
    row = session.exec(
        select(VisitTechnician.technician_id)
        .where(VisitTechnician.visit_id == visit_id)
        .order_by(col(VisitTechnician.role) != "lead", col(VisitTechnician.id))
    ).first()
    return row


def use_part(
    session: Session,
    order: WorkOrder,
    part: Part,
    qty_milli: int,
    *,
    visit: Visit | None = None,
    technician_id: int | None = None,
    location: StockLocation | None = None,
    warranty: bool = False,
    actor: str = "dispatcher",
) -> PartUsage:
    if order.status not in USABLE_ORDER_STATUSES:
        raise InvalidInput(
            f"{order.number} is {status_words(order.status)}; parts can't be recorded on it"
        )
    if visit is not None and visit.order_id != order.id:
        raise InvalidInput(f"visit {visit.id} is not on {order.number}")
    if not part.active:
        raise InvalidInput(f"part: {part.sku} is inactive")
    if technician_id is None and visit is not None:
        technician_id = _lead_technician_id(session, visit.id)
    if location is None:
        if technician_id is None:
            raise InvalidInput("location: no technician on the visit; name a location")
        location = stock.truck_of(session, technician_id)
        if location is None:
            raise NotFound("location: the technician has no truck; name a location")
    stock.post_move(
        session,
        part=part,
        qty_milli=qty_milli,
        kind=MoveKind.CONSUME,
        from_loc=location,
        order_id=order.id,
        visit_id=visit.id if visit else None,
        actor=actor,
    )
    usage = PartUsage(
        order_id=order.id,
        visit_id=visit.id if visit else None,
        part_id=part.id,
        location_id=location.id,
        technician_id=technician_id,
        qty_milli=qty_milli,
        unit_cost_cents=part.cost_cents,
        unit_price_cents=part.list_price_cents,
        taxable=part.taxable,
        warranty=warranty,
        used_at=now(),
        recorded_by=actor,
    )
    session.add(usage)
    session.flush()
    events.record(
        session,
        order,
        "part_used",
        f"{fmt_qty(qty_milli)} {part.unit} {part.sku} {part.name} from {location.name}"
        + (" (warranty)" if warranty else ""),
        actor=actor,
        data={"usage_id": usage.id, "part_id": part.id, "qty_milli": qty_milli},
    )
    return usage


def remove_usage(session: Session, usage_id: int, *, actor: str = "dispatcher") -> PartUsage:
    usage = session.get(PartUsage, usage_id)
    if usage is None:
        raise NotFound(f"part usage {usage_id} not found")
    order = must_get(session, WorkOrder, usage.order_id)
    if order.status in ("invoiced", "closed"):
        raise InvalidInput(
            f"{order.number} is {status_words(order.status)}; its parts can no longer change"
        )
    part = must_get(session, Part, usage.part_id)
    location = must_get(session, StockLocation, usage.location_id)
    stock.post_move(
        session,
        part=part,
        qty_milli=usage.qty_milli,
        kind=MoveKind.RETURN,
        to_loc=location,
        order_id=order.id,
        visit_id=usage.visit_id,
        reason=f"usage {usage.id} removed",
        actor=actor,
    )
    session.delete(usage)
    session.flush()
    events.record(
        session,
        order,
        "part_removed",
        f"{fmt_qty(usage.qty_milli)} {part.unit} {part.sku} returned to {location.name}",
        actor=actor,
        data={"usage_id": usage_id, "part_id": part.id},
    )
    return usage


def order_usages(session: Session, order_id: int) -> list[tuple[PartUsage, Part, str]]:
    rows = session.exec(
        select(PartUsage, Part, StockLocation.name)
        .join(Part, col(Part.id) == col(PartUsage.part_id))
        .join(StockLocation, col(StockLocation.id) == col(PartUsage.location_id))
        .where(PartUsage.order_id == order_id)
        .order_by(col(PartUsage.id))
    ).all()
    return [(u, p, loc) for u, p, loc in rows]
