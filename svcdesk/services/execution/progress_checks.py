"""`db check` invariant: every order's status agrees with its visits (the rule is
`order_progress.order_visit_problems`: no open visit on a new, held, completed or
cancelled order; a booked, dispatched or moving order has one, the one en route or on
site matching an en-route or on-site order)."""

from __future__ import annotations

from sqlalchemy import Exists, and_, exists
from sqlmodel import Session, col, select

from svcdesk.models import OrderStatus as S
from svcdesk.models import Visit, WorkOrder
from svcdesk.services.common.integrity import LIMIT, invariant
from svcdesk.services.execution.order_progress import (
    NO_OPEN_VISIT,
    OPEN,
    UNDER_WAY,
    order_visit_problems,
)

BOOKED = (S.SCHEDULED.value, S.DISPATCHED.value, S.EN_ROUTE.value, S.ON_SITE.value)


def _visits_in(statuses) -> Exists:
    return exists().where(
        and_(col(Visit.order_id) == WorkOrder.id, col(Visit.status).in_(statuses))
    )


def disagreeing_orders(session: Session, limit: int = LIMIT) -> list[str]:
    """One line per order whose status disagrees with its visits (at most `limit` per kind)."""
    conditions = [
        and_(col(WorkOrder.status).in_([s.value for s in NO_OPEN_VISIT]), _visits_in(OPEN)),
        and_(col(WorkOrder.status).in_(BOOKED), ~_visits_in(OPEN)),
        and_(
            col(WorkOrder.status).in_([S.SCHEDULED.value, S.DISPATCHED.value]),
            _visits_in(UNDER_WAY),
        ),
        and_(col(WorkOrder.status) == S.EN_ROUTE.value, ~_visits_in([S.EN_ROUTE.value])),
        and_(col(WorkOrder.status) == S.ON_SITE.value, ~_visits_in([S.ON_SITE.value])),
    ]
    found: dict[int, tuple[str, str]] = {}
    for condition in conditions:
        stmt = select(WorkOrder.id, WorkOrder.number, WorkOrder.status).where(condition)
        for oid, number, status in session.exec(stmt.order_by(col(WorkOrder.id)).limit(limit)):
            found[oid] = (number, status)
    if not found:
        return []
    visits: dict[int, list[str]] = {oid: [] for oid in found}
    rows = select(Visit.order_id, Visit.status).where(col(Visit.order_id).in_(list(found)))
    for oid, status in session.exec(rows):
        visits[oid].append(status)
    out = []
    for oid in sorted(found):
        number, status = found[oid]
        problem = order_visit_problems(status, visits[oid])
        if problem:
            out.append(f"{number}: {problem}")
    return out


@invariant("orders agree with their visits")
def _orders_agree(session: Session) -> list[str]:
    return disagreeing_orders(session)
