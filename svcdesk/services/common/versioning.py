"""Optimistic locking for work orders: every write to an order goes through `touch`, which
checks the version the caller read and bumps it, so two dispatchers cannot overwrite each
other. Used by the lifecycle, scheduling, notes and recalls alike."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from svcdesk.clock import now
from svcdesk.errors import Conflict
from svcdesk.models import WorkOrder


def touch(
    session: Session, order: WorkOrder, expected_version: int | None = None, **values
) -> None:
    """Write `values` to the order if its version is still the one we read; bump version.

    Raises Conflict when another session changed the order first."""
    version = order.version if expected_version is None else expected_version
    values["updated_at"] = now()
    values["version"] = version + 1
    result = session.execute(
        update(WorkOrder)
        .where(col(WorkOrder.id) == order.id, col(WorkOrder.version) == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # DML gives a CursorResult (typed Result)
        raise Conflict(
            f"{order.number} was changed by someone else since you opened it; reload and retry"
        )
    for key, value in values.items():
        set_committed_value(order, key, value)
