"""Time entries and parts used, from typed text (the CLI's flags and the console's dialogs):
order number, technician name, times in the shop's zone, quantities like "2.5". The rules
stay in `timecards.add_entry` and `part_usage.use_part`."""

from __future__ import annotations

from sqlmodel import Session

from svcdesk.errors import InvalidInput
from svcdesk.models import Visit, WorkOrder
from svcdesk.models.execution import TimeEntry
from svcdesk.models.inventory import Part, PartUsage
from svcdesk.services.common.quantity import parse_qty
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.execution import timecards
from svcdesk.services.inventory import part_usage, parts, stock
from svcdesk.services.orders import lifecycle


def _find_visit(session: Session, order: WorkOrder, visit_id: int | None = None) -> Visit:
    # (imported here: visit progress brings in the messages area, which `time` commands
    # that book no visit, and `export timecards`, do not use; issue 20's start-up)
    from svcdesk.services.execution.visit_progress import find_visit

    return find_visit(session, order, visit_id)


def add_time_from_text(
    session: Session,
    *,
    tech: str,
    kind: str,
    start: str,
    end: str,
    order: str | None = None,
    visit_id: int | None = None,
    note: str | None = None,
    actor: str,
    flag: str = "",
) -> TimeEntry:
    """A manual time entry; `start`/`end` typed in the shop's zone ("today 09:00"), `order`
    a number (`visit_id` one of its visits). `flag` prefixes the field names in messages
    ("--" for the CLI's options)."""
    zone = shop_zone(session)
    technician = find_technician(session, tech)
    order_id = None
    if order:
        wo = lifecycle.get_order(session, order)
        order_id = wo.id
        if visit_id is not None:
            _find_visit(session, wo, visit_id)
    elif visit_id is not None:
        raise InvalidInput(f"{flag}visit needs {flag}order")
    return timecards.add_entry(
        session,
        technician_id=technician.id,
        kind=kind,
        starts_at=parse_when(start, zone, field=f"{flag}start"),
        ends_at=parse_when(end, zone, field=f"{flag}end"),
        order_id=order_id,
        visit_id=visit_id,
        note=note,
        actor=actor,
    )


def usage_visit(session: Session, order: WorkOrder, visit_id: int | None) -> Visit | None:
    """The visit a part is used on when none is named: the last completed one of an order
    completed or on hold (none if it has none), else the current one."""
    if visit_id is not None:
        return _find_visit(session, order, visit_id)
    if order.status in ("completed", "on_hold"):
        try:
            from svcdesk.services.execution.visit_progress import last_completed_visit

            return last_completed_visit(session, order)
        except InvalidInput:
            return None
    return _find_visit(session, order)


def use_part_from_text(
    session: Session,
    number: str,
    sku: str,
    qty: str,
    *,
    visit_id: int | None = None,
    pick_visit: bool = False,
    tech: str | None = None,
    location: str | None = None,
    warranty: bool = False,
    actor: str,
) -> tuple[PartUsage, Part, int]:
    """A part used on order `number` (quantity typed, e.g. "2.5"), on visit `visit_id`, or
    with `pick_visit` on the visit `usage_visit` picks; returns (usage, part, qty_milli)."""
    amount = parse_qty(qty)
    wo = lifecycle.get_order(session, number)
    part = parts.get_part(session, sku)
    if pick_visit:
        visit = usage_visit(session, wo, visit_id)
    else:
        visit = _find_visit(session, wo, visit_id) if visit_id else None
    usage = part_usage.use_part(
        session,
        wo,
        part,
        amount,
        visit=visit,
        technician_id=find_technician(session, tech).id if tech else None,
        location=stock.get_location(session, location) if location else None,
        warranty=warranty,
        actor=actor,
    )
    return usage, part, amount
