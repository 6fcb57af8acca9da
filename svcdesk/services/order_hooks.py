"""What issue 7 (agreements, SLA, follow-up) does when an order is created or changes
status. Called from exactly two places: intake.create_order and lifecycle.change_status."""

from __future__ import annotations

from sqlmodel import Session

from svcdesk.models import OrderStatus, WorkOrder
from svcdesk.services import agreements, followups, recalls, sla
from svcdesk.services.settings import shop_zone


def on_order_created(session: Session, order: WorkOrder) -> None:
    """Link the covering agreement (if none given), start the SLA clock, flag recalls."""
    if order.agreement_id is None:
        today = order.created_at.astimezone(shop_zone(session)).date()
        covering = agreements.covering_agreement(session, order.site_id, order.asset_id, today)
        if covering is not None:
            order.agreement_id = covering.id
            session.flush()
    sla.start_clock(session, order)
    recalls.detect(session, order)


def on_orders_created(session: Session, orders: list[WorkOrder], fresh_site_ids: set[int]) -> None:
    """`on_order_created` for a batch (intake files). Sites created in this same batch have
    no agreement and no past jobs, so only orders at existing sites need the per-order
    agreement and recall lookups; every SLA clock starts in one bulk step."""
    existing = [o for o in orders if o.site_id not in fresh_site_ids]
    zone = shop_zone(session) if existing else None
    for order in existing:
        if order.agreement_id is None:
            today = order.created_at.astimezone(zone).date()
            covering = agreements.covering_agreement(session, order.site_id, order.asset_id, today)
            if covering is not None:
                order.agreement_id = covering.id
    session.flush()
    sla.start_new_clocks(session, orders)
    for order in existing:
        recalls.detect(session, order)


def on_status_change(session: Session, order: WorkOrder, before: str, after: str) -> None:
    """Pause/resume the SLA clock and record outcomes; create follow-ups on completion."""
    sla.on_status_change(session, order, before, after)
    if after == OrderStatus.COMPLETED.value:
        followups.on_completed(session, order)
