"""Reading an order and its events back in tests (each in its own read session)."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import OrderEvent, WorkOrder
from svcdesk.services.orders import lifecycle


def order(engine, number) -> WorkOrder:
    with read_session(engine) as s:
        return lifecycle.get_order(s, number)


def events(engine, number) -> list[OrderEvent]:
    with read_session(engine) as s:
        o = lifecycle.get_order(s, number)
        return list(s.exec(select(OrderEvent).where(OrderEvent.order_id == o.id)))
