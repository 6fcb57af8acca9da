"""The append-only order history: every change goes through `record`."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from svcdesk.clock import now
from svcdesk.models import OrderEvent, WorkOrder


def record(
    session: Session,
    order: WorkOrder,
    kind: str,
    detail: str | None = None,
    *,
    actor: str = "system",
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    event = OrderEvent(
        order_id=order.id,
        at=now(),
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
        data=encode_data(data),
    )
    session.add(event)
    return event


_ENCODER = json.JSONEncoder(default=str, sort_keys=True)  # = json.dumps(..., same options)


def encode_data(data: dict[str, Any] | None) -> str | None:
    """The stored JSON text of an event's `data` (also used by batch inserts)."""
    return _ENCODER.encode(data) if data else None
