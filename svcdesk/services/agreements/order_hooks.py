"""What agreements, SLA clocks, recalls and follow-ups add when an order is created or
changes status: the agreements area's answers to the order hooks (`services/orders/hooks.py`),
registered in `svcdesk/services/__init__.py` and so run by intake (create_order, batch
intake) and the lifecycle (change_status, change_statuses)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from svcdesk.models import OrderEvent, OrderKind, OrderStatus, WorkOrder
from svcdesk.models.agreements import OrderSla
from svcdesk.models.base import table_of
from svcdesk.models.followup import RecallFlag
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.agreements import agreements, recalls, sla
from svcdesk.services.common import events
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.sqlexpr import model_defaults
from svcdesk.services.orders.hooks import NewRows, OrderHooks


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


@dataclass
class NewOrders:
    """The hook's share of a batch of new orders, to be written once they have ids:
    per order its `order_sla` row (shared dicts: `NewRows.per_row` adds order_id) and the
    orders that look like recalls (index in the batch -> the completed order)."""

    clocks: list[dict]
    recalls: dict[int, recalls.Original]


def on_orders_created(session: Session, orders: list[dict], fresh_site_ids: set[int]) -> NewOrders:
    """`on_order_created` for a batch of order rows not inserted yet (intake files), set
    based: fills in each row's `agreement_id` (the covering agreement) and `sla_due` (its
    SLA clock's response due) and returns the clock rows and recall hits to write (see
    `NewOrders`). Sites created in this same batch have no agreement and no past jobs, so
    only orders at existing sites are looked up, with one query per chunk of sites. Rows
    need site_id, asset_id, skill_id, agreement_id, priority, source, kind, window_start,
    created_at and callback_of_id; all orders of one batch share `created_at`."""
    hits: dict[int, recalls.Original] = {}
    existing = [(n, o) for n, o in enumerate(orders) if o["site_id"] not in fresh_site_ids]
    if existing:
        created = orders[0]["created_at"]
        today = created.astimezone(shop_zone(session)).date()
        covered = agreements.coverage_at(session, {o["site_id"] for _, o in existing}, today)
        for _, order in existing:
            if order["agreement_id"] is None and order["site_id"] in covered:
                order["agreement_id"] = agreements.pick_covering(
                    covered[order["site_id"]], order["asset_id"]
                )
        days = recalls.window_days(session)
        maybe = [
            (n, o)
            for n, o in existing
            if o["kind"] != OrderKind.MAINTENANCE.value and o["callback_of_id"] is None
        ]
        if days and maybe:
            keys = {(o["site_id"], o["asset_id"], o["skill_id"]) for _, o in maybe}
            found = recalls.find_originals(session, keys, created, days)
            hits = {
                n: hit
                for n, o in maybe
                if (hit := found.get((o["site_id"], o["asset_id"], o["skill_id"])))
            }
    return NewOrders(sla.start_new_clocks(session, orders), hits)


def rows_for_new_orders(
    session: Session, orders: list[dict], fresh_site_ids: set[int]
) -> Callable[[list[int]], list[NewRows]]:
    """The batch hook: `on_orders_created`, then, once the orders have ids, their
    `order_sla` rows and per recall hit `recalls.detect`'s flag and `recall` event (actor
    "system")."""
    new = on_orders_created(session, orders, fresh_site_ids)

    def rows(ids: list[int]) -> list[NewRows]:
        out = [
            NewRows(
                table_of(OrderSla),
                new.clocks,  # (shared dicts: a few distinct clocks for the whole batch)
                model_defaults(OrderSla),
                per_row=("order_id", ids),
            )
        ]
        if new.recalls:
            created = orders[0]["created_at"]
            flags, notes, changes = [], [], []
            for n, hit in sorted(new.recalls.items()):
                days = (created - hit.completed_at).days
                after = recalls.flag_words(hit.number, hit.match, days)
                changes.append(
                    events.change_values(
                        session, "recall", orders[n]["number"], "flagged", after=after
                    )
                )
                flags.append(
                    {
                        "order_id": ids[n],
                        "original_id": hit.id,
                        "match": hit.match,
                        "days_after": days,
                    }
                )
                notes.append(
                    {"order_id": ids[n], "detail": recalls.flag_text(hit.number, hit.match, days)}
                )
            event = {
                **model_defaults(OrderEvent),
                "at": created,
                "actor": "system",
                "kind": "recall",
                "from_status": None,
                "to_status": None,
                "data": None,
            }
            out.append(
                NewRows(
                    table_of(RecallFlag),
                    flags,
                    {**model_defaults(RecallFlag), "created_at": created},
                )
            )
            out.append(NewRows(table_of(OrderEvent), notes, event))
            out.append(NewRows(table_of(ChangeEvent), changes, model_defaults(ChangeEvent)))
        return out

    return rows


def _followups_on_completed(session: Session, order: WorkOrder) -> None:
    """`followups.on_completed`, imported on the first completion: follow-ups bring the
    messages area (templates, jinja2; ~0.2 s CPU), which creating orders never needs."""
    from svcdesk.services.agreements import followups

    followups.on_completed(session, order)


def on_status_change(session: Session, order: WorkOrder, before: str, after: str) -> None:
    """Pause/resume the SLA clock and record outcomes; create follow-ups on completion."""
    sla.on_status_change(session, order, before, after)
    if after == OrderStatus.COMPLETED.value:
        _followups_on_completed(session, order)


def on_status_changes(session: Session, moves: list[tuple[WorkOrder, str, str]]) -> None:
    """`on_status_change` for many (order, before, after) moves of one bulk action
    (lifecycle.change_statuses): the SLA clocks in a few statements, then follow-ups."""
    sla.on_status_changes(session, moves)
    for order, _before, after in moves:
        if after == OrderStatus.COMPLETED.value:
            _followups_on_completed(session, order)


HOOKS = OrderHooks(
    response_due=sla.response_due_for,
    created=on_order_created,
    batch_created=rows_for_new_orders,
    status_changed=on_status_change,
    statuses_changed=on_status_changes,
)
