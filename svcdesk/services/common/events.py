"""The append-only order history: every change goes through `record`."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from svcdesk.clock import now
from svcdesk.models import OrderEvent, WorkOrder
from svcdesk.models.base import table_of


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


def record_many(session: Session, rows: list[dict[str, Any]], *, actor: str = "system") -> None:
    """`record` for many events of one bulk action, in one executemany. Each row has
    `order_id` and `kind`, optionally `detail`, `from_status`, `to_status` and `data` (a
    dict). Inserted at once, in the order given (ids ascend like separate `record` calls)."""
    if not rows:
        return
    at = now()
    session.execute(
        insert(table_of(OrderEvent)),
        [
            {
                "order_id": row["order_id"],
                "at": at,
                "actor": actor,
                "kind": row["kind"],
                "from_status": row.get("from_status"),
                "to_status": row.get("to_status"),
                "detail": row.get("detail"),
                "data": encode_data(row.get("data")),
            }
            for row in rows
        ],
    )


_ENCODER = json.JSONEncoder(default=str, sort_keys=True)  # = json.dumps(..., same options)


def encode_data(data: dict[str, Any] | None) -> str | None:
    """The stored JSON text of an event's `data` (also used by batch inserts)."""
    return _ENCODER.encode(data) if data else None


def record_change(
    session: Session,
    entity: str,
    ref: str | int,
    kind: str,
    detail: str,
    *,
    actor: str = "system",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit a change to a record that is not an order (a setting, a tax zone, a site):
    who, when, and the fields' values before and after (`svcdesk audit` lists them)."""
    from svcdesk.models.shop import ChangeEvent

    data = {k: v for k, v in (("before", before), ("after", after)) if v is not None}
    session.add(
        ChangeEvent(
            at=now(),
            actor=actor,
            entity=entity,
            ref=str(ref),
            kind=kind,
            detail=detail,
            data=encode_data(data),
        )
    )
