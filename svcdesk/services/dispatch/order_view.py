"""What the console's order screen shows for one order: its detail, the other orders of
its site and of its asset, its SLA state (`sla_state`, as the board colours it) and the
messages sent to the customer about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from svcdesk.services.agreements import sla_state
from svcdesk.services.agreements.sla_state import SlaState
from svcdesk.services.messages import views as message_views
from svcdesk.services.orders import queries

RELATED = 50  # other orders of the site / asset shown, newest first
MESSAGES = 50


@dataclass
class OrderView:
    detail: queries.OrderDetail
    site_orders: list[queries.OrderRow]
    asset_orders: list[queries.OrderRow]
    sla: SlaState | None = None  # the order's SLA state (sla_state: what the board shows)
    messages: list[message_views.MessageRow] = field(default_factory=list)  # to the customer


def order_view(session: Session, number: str) -> OrderView:
    detail = queries.order_detail(session, number)
    me = detail.row.id
    site = queries.list_orders(session, site_id=detail.site_id, open_only=False, limit=RELATED)
    asset = (
        queries.list_orders(session, asset_id=detail.asset_id, open_only=False, limit=RELATED)
        if detail.asset_id
        else []
    )
    return OrderView(
        detail,
        [r for r in site if r.id != me],
        [r for r in asset if r.id != me],
        sla_state.states_for(session, [me]).get(me),
        message_views.message_rows(session, order_id=me, limit=MESSAGES),
    )
