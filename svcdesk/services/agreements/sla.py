"""SLA clocks: each order's response and resolution due times, from its priority and its
agreement (agreement wins over the shop's defaults), counted in business or calendar hours
as configured per priority. The clock pauses while the order is on hold and resumes with
the same working time left. Outcomes (met/missed) are recorded on the order's `OrderSla`.

`WorkOrder.sla_due` mirrors the *active* target (response until a technician is on site,
then resolution) so the board and `orders list` sort and filter on one indexed column."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput
from svcdesk.models import OrderSource, OrderStatus, WorkOrder
from svcdesk.models.agreements import Agreement, AgreementSla, AgreementStatus, OrderSla, SlaClock
from svcdesk.models.base import table_of
from svcdesk.services.common.settings import derived, get_setting, shop_zone
from svcdesk.services.common.workcal import CalendarClock, WorkCalendar, shop_calendar


@dataclass(frozen=True)
class Policy:
    source: str  # "shop" or the agreement number
    clock: str
    response_minutes: int
    resolution_minutes: int


def _hours_setting(session: Session, key: str) -> int:
    raw = get_setting(session, key)
    try:
        minutes = round(float(raw or "") * 60)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key}: {raw!r} is not a number of hours") from None
    if minutes <= 0:
        raise InvalidInput(f"{key}: {raw!r} must be more than 0 hours")
    return minutes


def parse_clock(value: str | None, field: str = "clock") -> SlaClock:
    text = (value or "").strip().lower()
    aliases = {"24/7": "calendar", "24x7": "calendar", "business_hours": "business"}
    try:
        return SlaClock(aliases.get(text, text))
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not one of business, calendar") from None


def shop_policy(session: Session, priority: str) -> Policy:
    return Policy(
        source="shop",
        clock=parse_clock(get_setting(session, f"sla.clock.{priority}"), f"sla.clock.{priority}"),
        response_minutes=_hours_setting(session, f"sla.hours.{priority}"),
        resolution_minutes=_hours_setting(session, f"sla.resolve_hours.{priority}"),
    )


def policy_for(session: Session, priority: str, agreement_id: int | None) -> Policy:
    """The agreement's terms for this priority when it is active and has them, else the shop's."""
    if agreement_id is not None:
        agreement = session.get(Agreement, agreement_id)
        if agreement is not None and agreement.status == AgreementStatus.ACTIVE.value:
            row = session.exec(
                select(AgreementSla).where(
                    AgreementSla.agreement_id == agreement_id, AgreementSla.priority == priority
                )
            ).first()
            if row is not None:
                return Policy(
                    agreement.number, row.clock, row.response_minutes, row.resolution_minutes
                )
    return shop_policy(session, priority)


def policy_table(
    session: Session, keys: set[tuple[str, int | None]]
) -> dict[tuple[str, int | None], Policy]:
    """`policy_for` for many (priority, agreement_id) pairs with two queries (bulk use)."""
    agreement_ids = {a for _, a in keys if a is not None}
    numbers: dict[int, str] = {}
    terms: dict[tuple[str, int | None], AgreementSla] = {}
    for start in range(0, len(agreement_ids), 900):
        chunk = sorted(agreement_ids)[start : start + 900]
        numbers.update(
            session.exec(
                select(Agreement.id, Agreement.number).where(
                    col(Agreement.id).in_(chunk), Agreement.status == AgreementStatus.ACTIVE.value
                )
            ).all()
        )
        for row in session.exec(
            select(AgreementSla).where(col(AgreementSla.agreement_id).in_(chunk))
        ):
            terms[(row.priority, row.agreement_id)] = row
    shop = {p: shop_policy(session, p) for p in {p for p, _ in keys}}
    table = {}
    for priority, agreement_id in keys:
        term = terms.get((priority, agreement_id)) if agreement_id in numbers else None
        table[(priority, agreement_id)] = (
            Policy(
                numbers[agreement_id], term.clock, term.response_minutes, term.resolution_minutes
            )
            if term is not None and agreement_id is not None
            else shop[priority]
        )
    return table


class Clocks:
    """The two ways of counting time, built once per session use."""

    def __init__(self, session: Session):
        self.business: WorkCalendar = shop_calendar(session)
        self.calendar = CalendarClock(shop_zone(session))

    def get(self, clock: str) -> WorkCalendar | CalendarClock:
        return self.business if clock == SlaClock.BUSINESS.value else self.calendar

    @classmethod
    def shared(cls, session: Session) -> Clocks:
        """One `Clocks` per `settings_cached` block (a fresh one outside a block)."""
        return derived(session, "sla.clocks", lambda: cls(session))


def clock_start(order: WorkOrder) -> datetime:
    """When the clock starts: creation, or for a generated maintenance order the start of
    the day it is due (a visit booked months ahead is not late the day it is created)."""
    return start_of(order.source, order.window_start, order.created_at)


def start_of(source: str, window_start: datetime | None, created_at: datetime) -> datetime:
    """`clock_start` from an order's values (bulk paths work on rows, not objects)."""
    if source == OrderSource.AGREEMENT.value and window_start is not None:
        return max(window_start, created_at)
    return created_at


def due_times(policy: Policy, start: datetime, clocks: Clocks) -> tuple[datetime, datetime]:
    counter = clocks.get(policy.clock)
    return (
        counter.add(start, policy.response_minutes * 60),
        counter.add(start, policy.resolution_minutes * 60),
    )


def start_clock(session: Session, order: WorkOrder, clocks: Clocks | None = None) -> OrderSla:
    """Create (or recompute) the order's SLA clock and mirror the response due in sla_due."""
    clocks = clocks or Clocks.shared(session)
    policy = policy_for(session, order.priority, order.agreement_id)
    start = clock_start(order)
    response_due, resolution_due = due_times(policy, start, clocks)
    row = session.get(OrderSla, order.id)
    if row is None:
        row = OrderSla(
            order_id=order.id,
            policy=policy.source,
            clock=policy.clock,
            started_at=start,
            response_minutes=policy.response_minutes,
            resolution_minutes=policy.resolution_minutes,
            response_due=response_due,
            resolution_due=resolution_due,
        )
        session.add(row)
    else:
        row.policy, row.clock, row.started_at = policy.source, policy.clock, start
        row.response_minutes, row.resolution_minutes = (
            policy.response_minutes,
            policy.resolution_minutes,
        )
        row.response_due, row.resolution_due = response_due, resolution_due
    _mirror(session, order, row)
    session.flush()
    return row


def active_due(row: OrderSla) -> datetime:
    return row.response_due if row.responded_at is None else row.resolution_due


def _mirror_many(session: Session, pairs: list[tuple[WorkOrder, OrderSla]]) -> None:
    """`_mirror` for many orders: one executemany for those whose due time changed."""
    changed = [(order, active_due(row)) for order, row in pairs if order.sla_due != active_due(row)]
    if not changed:
        return
    table = table_of(WorkOrder)
    session.execute(
        update(table).where(table.c.id == bindparam("oid")).values(sla_due=bindparam("due")),
        [{"oid": o.id, "due": due} for o, due in changed],
    )
    for order, due in changed:
        set_committed_value(order, "sla_due", due)


def _mirror(session: Session, order: WorkOrder, row: OrderSla) -> None:
    """Copy the active due time to work_order.sla_due. Not a user edit: no version bump."""
    due = active_due(row)
    if order.sla_due == due:
        return
    session.execute(
        update(WorkOrder)
        .where(col(WorkOrder.id) == order.id)
        .values(sla_due=due)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(order, "sla_due", due)


def _resume(row: OrderSla, at: datetime, clocks: Clocks) -> None:
    """Give back the working time the hold took: each unmet due keeps the time it had left."""
    counter = clocks.get(row.clock)
    paused = row.paused_at
    if paused is None:
        return
    if row.responded_at is None and row.response_due > paused:
        row.response_due = counter.add(at, counter.seconds_between(paused, row.response_due))
    if row.resolved_at is None and row.resolution_due > paused:
        row.resolution_due = counter.add(at, counter.seconds_between(paused, row.resolution_due))
    row.paused_seconds += int((at - paused).total_seconds())
    row.paused_at = None


def on_status_change(session: Session, order: WorkOrder, before: str, after: str) -> None:
    """Called by lifecycle.change_status after every move: pause/resume, record outcomes."""
    row = session.get(OrderSla, order.id)
    if row is None:  # made before clocks existed, or by a bulk path that skipped them
        row = start_clock(session, order)
    _apply(session, row, before, after, now())
    _mirror(session, order, row)
    session.flush()


def on_status_changes(session: Session, moves: list[tuple[WorkOrder, str, str]]) -> None:
    """`on_status_change` for many (order, before, after) moves at once (bulk invoicing):
    the clock rows are read in one query per 900 orders and `sla_due` is mirrored in one
    statement. (An order made before clocks existed gets its clock started first.)"""
    if not moves:
        return
    rows = _clock_rows(session, [order.id for order, _, _ in moves])
    missing = [order for order, _, _ in moves if order.id not in rows]
    if missing:
        _start_missing(session, missing)
        rows.update(_clock_rows(session, [order.id for order in missing]))
    at = now()
    for order, before, after in moves:
        _apply(session, rows[order.id], before, after, at)
    _mirror_many(session, [(order, rows[order.id]) for order, _, _ in moves])
    session.flush()


def _start_missing(session: Session, orders: list[WorkOrder]) -> None:
    """`start_clock` (without the mirror, which the caller does) for orders that have no
    clock: the same rows batch intake makes (`start_new_clocks`), inserted at once."""
    specs = [
        {"priority": o.priority, "agreement_id": o.agreement_id, "source": o.source,
         "window_start": o.window_start, "created_at": o.created_at}
        for o in orders
    ]  # fmt: skip
    clocks = start_new_clocks(session, specs, Clocks.shared(session))
    session.execute(
        insert(table_of(OrderSla)),
        [{**clock, "order_id": o.id} for clock, o in zip(clocks, orders, strict=True)],
    )


def _clock_rows(session: Session, order_ids: list[int]) -> dict[int, OrderSla]:
    found: dict[int, OrderSla] = {}
    for start in range(0, len(order_ids), 900):
        chunk = order_ids[start : start + 900]
        found.update(
            (row.order_id, row)
            for row in session.exec(select(OrderSla).where(col(OrderSla.order_id).in_(chunk)))
        )
    return found


def _apply(session: Session, row: OrderSla, before: str, after: str, at: datetime) -> None:
    """What one status move does to an order's clock: resume after a hold, pause on hold,
    record the response (on site) and resolution (completed) outcomes."""
    if before == OrderStatus.ON_HOLD.value and row.paused_at is not None:
        _resume(row, at, Clocks.shared(session))
    if after == OrderStatus.ON_HOLD.value and row.paused_at is None:
        row.paused_at = at
    if after == OrderStatus.ON_SITE.value and row.responded_at is None:
        row.responded_at = at
        row.response_met = at <= row.response_due
    if after == OrderStatus.COMPLETED.value and row.resolved_at is None:
        if row.responded_at is None:
            row.responded_at = at
            row.response_met = at <= row.response_due
        row.resolved_at = at
        row.resolution_met = at <= row.resolution_due


def response_due_for(
    session: Session, priority: str, created: datetime, agreement_id: int | None = None
) -> datetime:
    """Response due for a new order created at `created` (used by intake)."""
    policy = policy_for(session, priority, agreement_id)
    return due_times(policy, created, Clocks(session))[0]


def start_new_clocks(
    session: Session, orders: list[dict], clocks: Clocks | None = None
) -> list[dict]:
    """`start_clock` for many orders created together, as plain rows not yet inserted
    (batch intake): each row's `sla_due` is set to its response due, and the `order_sla`
    rows are returned (without `order_id`, which the caller adds once the orders have
    ids). Policies come from one `policy_table`, due times are computed once per distinct
    (policy, start). Rows need priority, agreement_id, source, window_start, created_at."""
    if not orders:
        return []
    clocks = clocks or Clocks(session)
    policies = policy_table(session, {(o["priority"], o["agreement_id"]) for o in orders})
    dues: dict[tuple[Policy, datetime], tuple[dict, datetime]] = {}
    # the same clock for the same priority, agreement and start (`start_of`: the window
    # counts for agreement orders only): a batch repeats a few dozen of them
    seen: dict[tuple, tuple[dict, datetime]] = {}
    agreement = OrderSource.AGREEMENT.value
    rows = []
    for order in orders:
        key = (
            order["priority"],
            order["agreement_id"],
            order["window_start"] if order["source"] == agreement else None,
            order["created_at"],
        )
        found = seen.get(key)
        if found is not None:
            rows.append(found[0])
            order["sla_due"] = found[1]
            continue
        policy = policies[(order["priority"], order["agreement_id"])]
        start = start_of(order["source"], order["window_start"], order["created_at"])
        found = dues.get((policy, start))
        if found is None:
            response_due, resolution_due = due_times(policy, start, clocks)
            clock = {
                "policy": policy.source, "clock": policy.clock, "started_at": start,
                "response_minutes": policy.response_minutes,
                "resolution_minutes": policy.resolution_minutes,
                "response_due": response_due, "resolution_due": resolution_due,
                "paused_at": None, "paused_seconds": 0, "responded_at": None,
                "resolved_at": None, "response_met": None, "resolution_met": None,
            }  # fmt: skip
            found = dues[(policy, start)] = (clock, response_due)
        seen[key] = found
        rows.append(found[0])  # shared: the caller copies it when adding order_id
        order["sla_due"] = found[1]  # the active due of a new clock (see `_mirror`)
    return rows


def start_clocks(session: Session, order_ids: list[int]) -> int:
    """Start the clocks of many new orders at once (for bulk creation paths such as batch
    intake); orders that already have one are left alone. Returns how many were started."""
    clocks = Clocks(session)
    started = 0
    for chunk_start in range(0, len(order_ids), 900):
        chunk = order_ids[chunk_start : chunk_start + 900]
        have = set(session.exec(select(OrderSla.order_id).where(col(OrderSla.order_id).in_(chunk))))
        for order in session.exec(select(WorkOrder).where(col(WorkOrder.id).in_(chunk))):
            if order.id not in have:
                start_clock(session, order, clocks)
                started += 1
    return started
