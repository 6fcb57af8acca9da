"""The field-work screen's read model: one order's execution detail (visits, time, parts,
checklist, files), its customer, and the visit the technician's keys act on — the current
visit, else the last completed one, else none."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Customer, WorkOrder
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.execution.execution_view import ExecutionDetail, execution_detail
from svcdesk.services.orders import lifecycle


@dataclass
class FieldView:
    detail: ExecutionDetail
    customer: str
    visit_id: int | None  # the visit the keys act on
    visit_status: str | None


def field_view(session: Session, order_ref: str | int) -> FieldView:
    """`order_ref`: an order number ('SO-000123', '123') or an order id (int)."""
    if isinstance(order_ref, int):
        order = session.get(WorkOrder, order_ref)
        if order is None:
            raise NotFound(f"order id {order_ref} not found")
    else:
        order = lifecycle.get_order(session, order_ref)
    visit = None
    try:
        visit = vp.find_visit(session, order)
    except InvalidInput:
        try:
            visit = vp.last_completed_visit(session, order)
        except InvalidInput:
            visit = None
    customer = session.get(Customer, order.customer_id)
    return FieldView(
        execution_detail(session, order),
        customer.name if customer else "",
        visit.id if visit else None,
        visit.status if visit else None,
    )
