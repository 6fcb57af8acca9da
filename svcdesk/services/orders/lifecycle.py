"""The order lifecycle: one transition table, optimistic locking, an event per change."""

from __future__ import annotations

from sqlalchemy import tuple_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import Conflict, InvalidInput, NotFound
from svcdesk.models import OrderStatus as S
from svcdesk.models import WorkOrder
from svcdesk.services.common import events
from svcdesk.services.common.choices import parse_status
from svcdesk.services.common.versioning import touch
from svcdesk.services.common.words import move_refused, status_words
from svcdesk.services.orders.hooks import hooks

TRANSITIONS: dict[S, tuple[S, ...]] = {
    S.NEW: (S.SCHEDULED, S.ON_HOLD, S.CANCELLED),
    S.SCHEDULED: (S.DISPATCHED, S.NEW, S.ON_HOLD, S.CANCELLED),
    S.DISPATCHED: (S.EN_ROUTE, S.SCHEDULED, S.ON_HOLD, S.CANCELLED),
    S.EN_ROUTE: (S.ON_SITE, S.DISPATCHED, S.ON_HOLD, S.CANCELLED),
    S.ON_SITE: (S.COMPLETED, S.ON_HOLD, S.CANCELLED),
    S.ON_HOLD: (S.NEW, S.SCHEDULED, S.CANCELLED),
    S.COMPLETED: (S.INVOICED, S.CLOSED),
    S.INVOICED: (S.CLOSED,),
    S.CLOSED: (),
    S.CANCELLED: (),
}

REASON_REQUIRED = (S.ON_HOLD, S.CANCELLED)


def allowed_moves(status: str) -> tuple[S, ...]:
    return TRANSITIONS[S(status)]


def get_order(session: Session, number: str) -> WorkOrder:
    key = number.strip().upper()
    if key.isdigit():
        key = f"SO-{int(key):06d}"
    order = session.exec(select(WorkOrder).where(WorkOrder.number == key)).first()
    if order is None:
        raise NotFound(f"order {number!r} not found")
    return order


def _move_values(order: WorkOrder, target: S, reason: str | None) -> dict:
    """The columns a move of `order` to `target` writes; refuses moves the table forbids."""
    current = S(order.status)
    allowed = TRANSITIONS[current]
    if target not in allowed:
        raise move_refused(order.number, current, target, allowed)
    if target in REASON_REQUIRED and not (reason and reason.strip()):
        raise InvalidInput(
            f"{order.number}: a reason is required to move to {status_words(target)}"
        )
    values: dict = {"status": target.value}
    if target == S.ON_HOLD:
        values["hold_reason"] = reason
    elif current == S.ON_HOLD:
        values["hold_reason"] = None
    if target == S.CANCELLED:
        values["cancel_reason"] = reason
    if target == S.COMPLETED:
        values["completed_at"] = now()
    return values


def check_move(order: WorkOrder, to: str | S, reason: str | None = None) -> S:
    """The target status if the transition table allows moving `order` there (with the
    reason hold and cancel need); raises InvalidTransition / InvalidInput otherwise.
    Use-cases that change more than the order call it before writing anything."""
    target = parse_status(to) if isinstance(to, str) else to
    _move_values(order, target, reason)
    return target


def check_version(order: WorkOrder, expected_version: int | None) -> None:
    """Conflict when the order is no longer at the version the user was looking at."""
    if expected_version is not None and order.version != expected_version:
        raise Conflict(
            f"{order.number} was changed by someone else since you opened it; reload and retry"
        )


def change_status(
    session: Session,
    order: WorkOrder,
    to: str | S,
    *,
    actor: str = "dispatcher",
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Move `order` to status `to` if the transition table allows it."""
    target = parse_status(to) if isinstance(to, str) else to
    current = S(order.status)
    values = _move_values(order, target, reason)
    touch(session, order, expected_version, **values)
    detail = reason or note
    events.record(
        session,
        order,
        "status",
        detail,
        actor=actor,
        from_status=current.value,
        to_status=target.value,
    )
    # The hooks: SLA clock pause/resume/outcome and follow-ups.
    hooks().status_changed(session, order, current.value, target.value)
    return order


def change_statuses(
    session: Session,
    orders: list[WorkOrder],
    to: str | S,
    *,
    actor: str = "dispatcher",
    reason: str | None = None,
    notes: list[str | None] | None = None,
) -> None:
    """`change_status` for many orders of one bulk action (invoicing a batch): the same
    rules, optimistic locking on each order's version as read, one `status` event per
    order and the same hooks, with one UPDATE per 500 orders instead of one per order.
    Refuses the whole batch (nothing written) if any move is not allowed; raises Conflict
    naming the first order someone else changed."""
    if not orders:
        return
    target = parse_status(to) if isinstance(to, str) else to
    notes = notes if notes is not None else [None] * len(orders)
    moves = [(order, S(order.status), _move_values(order, target, reason)) for order in orders]
    stamp = now()
    groups: dict[tuple, list[WorkOrder]] = {}
    for order, _current, values in moves:
        groups.setdefault(tuple(sorted(values.items())), []).append(order)
    for key, group in groups.items():
        for start in range(0, len(group), 500):
            _touch_many(session, group[start : start + 500], {**dict(key), "updated_at": stamp})
    events.record_many(
        session,
        [
            {
                "order_id": order.id,
                "kind": "status",
                "detail": reason or note,
                "from_status": current.value,
                "to_status": target.value,
            }
            for (order, current, _values), note in zip(moves, notes, strict=True)
        ],
        actor=actor,
    )
    hooks().statuses_changed(
        session, [(order, current.value, target.value) for order, current, _ in moves]
    )


def _touch_many(session: Session, orders: list[WorkOrder], values: dict) -> None:
    """`touch` for many orders with the same values: each must still have the version it
    was read with (checked in the one UPDATE); versions bump by one."""
    versions = [(order.id, order.version) for order in orders]
    updated = set(
        session.execute(
            update(WorkOrder)
            .where(
                col(WorkOrder.id).in_([order_id for order_id, _ in versions]),
                tuple_(WorkOrder.id, WorkOrder.version).in_(versions),
            )
            .values(**values, version=WorkOrder.version + 1)
            .returning(col(WorkOrder.id))
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    if len(updated) != len(orders):
        changed = next(o for o in orders if o.id not in updated)
        raise Conflict(
            f"{changed.number} was changed by someone else since you opened it; reload and retry"
        )
    for order in orders:
        for key, value in values.items():
            set_committed_value(order, key, value)
        set_committed_value(order, "version", order.version + 1)
