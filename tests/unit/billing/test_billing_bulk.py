"""Bulk invoicing (`from_order.invoice_orders`, the ready-to-invoice queue and the benchmark)
gives exactly what invoicing the same orders one at a time gives: the same invoices, lines,
numbers, coverage (covered visits counted in completion order, ties by id), events, order
status/version and SLA clocks. Also the bulk status change and the settings cache it uses."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm.attributes import set_committed_value

from svcdesk.errors import Conflict, InvalidInput, InvalidTransition
from svcdesk.models import OrderEvent, OrderStatus, WorkOrder
from svcdesk.models.agreements import OrderSla
from svcdesk.models.billing import Invoice, InvoiceLine
from svcdesk.services.agreements import sla
from svcdesk.services.billing import from_order
from svcdesk.services.common import settings as shop_settings
from svcdesk.services.orders import intake, lifecycle
from tests.unit.billing import billing_helpers as h

DAYS = ("2026-11-23", "2026-11-24")


def _snapshot(session, order_ids: list[int]) -> dict:
    """Everything invoicing writes for these orders, without database ids."""
    session.flush()
    inv = Invoice.__table__
    line = InvoiceLine.__table__
    ev = OrderEvent.__table__
    clock = OrderSla.__table__
    skip_inv = {"id", "change_seq"}  # (export change markers count writes, not content)
    skip_line = {"id", "invoice_id"}
    invoices = session.execute(
        select(inv).where(inv.c.order_id.in_(order_ids)).order_by(inv.c.number)
    ).all()
    out: dict = {"invoices": [], "orders": [], "events": [], "clocks": []}
    for row in invoices:
        lines = session.execute(
            select(line).where(line.c.invoice_id == row.id).order_by(line.c.position)
        ).all()
        out["invoices"].append(
            (
                {k: v for k, v in row._mapping.items() if k not in skip_inv},
                [{k: v for k, v in ln._mapping.items() if k not in skip_line} for ln in lines],
            )
        )
    for oid in order_ids:
        o = session.execute(
            select(WorkOrder.number, WorkOrder.status, WorkOrder.version, WorkOrder.sla_due).where(
                WorkOrder.id == oid
            )
        ).one()
        out["orders"].append(tuple(o))
        out["events"].append(
            [
                (e.kind, e.detail, e.from_status, e.to_status, e.actor, e.data, e.at)
                for e in session.execute(
                    select(ev).where(ev.c.order_id == oid).order_by(ev.c.id)
                ).all()
            ]
        )
        out["clocks"].append(
            [
                {k: v for k, v in r._mapping.items() if k != "order_id"}
                for r in session.execute(select(clock).where(clock.c.order_id == oid)).all()
            ]
        )
    return out


def _make_orders(session, shop, specs, agreement_id: int) -> list[int]:
    """Completed orders for Jane Porter's site: specs are (maintenance, emergency,
    with_agreement, with_asset, warranty_part, day, hour, entries, legacy_no_clock)."""
    base = lifecycle.get_order(session, shop["o1"])
    ids = []
    for n, (maint, emerg, agreed, asset, wpart, day, hour, entries, legacy) in enumerate(specs):
        order, _ = intake.create_order(
            session,
            intake.IntakeRequest(
                summary=f"Bulk job {n}",
                customer_id=base.customer_id,
                site_id=base.site_id,
                asset_id=base.asset_id if asset else None,
                priority="emergency" if emerg else "normal",
                kind="maintenance" if maint else "repair",
            ),
        )
        order.agreement_id = agreement_id if agreed else None
        for k in range(entries):
            start = f"{day} {hour + k:02d}:00"
            h.add_time(session, order, shop["alice"], start, f"{day} {hour + k:02d}:40")
        h.use_part(session, order, f"P{n}A", 1500, price=0, cost=2500 + 700 * n)
        h.use_part(session, order, f"P{n}B", 1000, price=4200, cost=1000, warranty=wpart)
        h.add_visit(session, order, f"{day} {hour:02d}:00")
        h.complete(session, order, f"{day} {hour + entries:02d}:00")
        if legacy:  # made before SLA clocks existed
            session.execute(delete(OrderSla).where(OrderSla.order_id == order.id))
            session.expire(order, ["sla_due"])
        ids.append(order.id)
    session.flush()
    return ids


@pytest.fixture
def ready(session, shop):
    h.seed_pricebook(session)
    o1 = lifecycle.get_order(session, shop["o1"])
    h.set_tax(session, o1, 825)
    h.set_warranty(session, o1, date(2026, 11, 23))  # covers work done on or before the 23rd
    h.location(session)  # outside the savepoints (PostgreSQL ids are not given back)
    return h.add_agreement(session, o1.customer_id, labor_bp=1000, parts_bp=1500, visits=2)


def _one_by_one_vs_bulk(session, ids: list[int]) -> tuple[dict, dict]:
    point = session.begin_nested()
    for oid in ids:
        from_order.invoice_order(session, session.get(WorkOrder, oid), actor="ann")
    single = _snapshot(session, ids)
    point.rollback()
    session.expire_all()
    made = from_order.invoice_orders(
        session, [session.get(WorkOrder, oid) for oid in ids], actor="ann"
    )
    assert [i.order_id for i in made] == ids
    return single, _snapshot(session, ids)


SPECS = [
    # maint, emerg, agreement, asset, warranty part, day, hour, entries, legacy clock
    (True, False, True, False, False, DAYS[1], 9, 1, False),
    (True, False, True, True, False, DAYS[0], 15, 2, True),  # warranty day, overtime
    (False, True, True, False, True, DAYS[1], 7, 1, False),  # emergency, warranty part
    (True, False, True, False, False, DAYS[1], 9, 1, True),  # same completion as the first
    (True, False, True, False, False, DAYS[1], 12, 1, False),  # third visit: not covered
    (False, False, False, True, False, DAYS[1], 10, 2, False),
]


def test_bulk_equals_one_at_a_time(session, shop, ready):
    ids = _make_orders(session, shop, SPECS, ready.id)
    single, bulk = _one_by_one_vs_bulk(session, ids)
    assert bulk == single
    notes = [lines[0]["coverage_note"] for _, lines in bulk["invoices"]]
    assert notes == [
        "covered visit 2 of 2 (AG-000901)",  # completed at 10:00 on the 24th, lower id
        "covered visit 1 of 2 (AG-000901)",  # completed first (the 23rd)
        "AG-000901 labor discount 10%",  # a repair
        "AG-000901 labor discount 10%",  # same time as the first, higher id: third visit
        "AG-000901 labor discount 10%",
        None,
    ]
    assert [o[1] for o in bulk["orders"]] == [OrderStatus.INVOICED.value] * len(ids)
    assert all(c for c in bulk["clocks"])  # legacy orders got their clock started
    assert [e[0] for e in bulk["events"][0][-2:]] == ["invoice", "status"]


mostly = st.sampled_from([True, True, True, False])
spec = st.tuples(
    mostly,  # maintenance: covered visits are counted across the batch
    st.booleans(),
    mostly,  # on the agreement
    st.booleans(),
    st.booleans(),
    st.sampled_from(DAYS),
    st.sampled_from([7, 9, 16]),
    st.integers(0, 2),
    st.booleans(),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(spec, min_size=1, max_size=5), visits=st.integers(0, 3))
def test_property_bulk_equals_one_at_a_time(session, shop, ready, specs, visits):
    outer = session.begin_nested()
    try:
        ready.covered_visits = visits
        ids = _make_orders(session, shop, specs, ready.id)
        single, bulk = _one_by_one_vs_bulk(session, ids)
        assert bulk == single
        for header, lines in bulk["invoices"]:
            assert header["total_cents"] == sum(ln["total_cents"] for ln in lines)
    finally:
        outer.rollback()
        session.expire_all()


def test_bulk_refuses_the_whole_batch(session, shop, ready):
    ids = _make_orders(session, shop, SPECS[:2], ready.id)
    open_order = lifecycle.get_order(session, shop["o3"])
    orders = [session.get(WorkOrder, i) for i in ids]
    with pytest.raises(InvalidTransition, match=f"{open_order.number} is new"):
        from_order.invoice_orders(session, [*orders, open_order])
    with pytest.raises(InvalidInput, match="listed twice"):
        from_order.invoice_orders(session, [orders[0], orders[0]])
    assert session.scalars(select(Invoice)).all() == []
    assert {o.status for o in orders} == {OrderStatus.COMPLETED.value}
    made = from_order.invoice_orders(session, orders)
    with pytest.raises(InvalidTransition, match=f"already invoiced on {made[0].number}"):
        from_order.invoice_orders(session, orders[:1])


def test_change_statuses_version_conflict(session, shop):
    orders = [lifecycle.get_order(session, shop[k]) for k in ("o1", "o3")]
    stale = orders[1].version
    lifecycle.touch(session, orders[1], summary="edited in another window")
    set_committed_value(orders[1], "version", stale)  # what this window read
    with pytest.raises(Conflict, match=f"{orders[1].number} was changed by someone else"):
        lifecycle.change_statuses(session, orders, "on_hold", reason="parts")


def test_change_statuses_matches_change_status(session, shop):
    a, b = (lifecycle.get_order(session, shop[k]) for k in ("o1", "o3"))
    lifecycle.change_status(session, a, "on_hold", reason="waiting on parts")
    lifecycle.change_status(session, b, "on_hold", reason="waiting on parts")
    versions = [a.version, b.version]
    lifecycle.change_statuses(session, [a, b], "new", notes=["back", "back"])
    for o, before in zip((a, b), versions, strict=True):
        session.refresh(o)
        assert (o.status, o.hold_reason, o.version) == ("new", None, before + 1)
        last = session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == o.id).order_by(OrderEvent.id.desc())
        ).first()
        assert (last.kind, last.from_status, last.to_status, last.detail) == (
            "status",
            "on_hold",
            "new",
            "back",
        )
        row = session.get(OrderSla, o.id)
        assert row.paused_at is None and row.paused_seconds == 0  # resumed
    with pytest.raises(InvalidTransition):
        lifecycle.change_statuses(session, [a, b], "invoiced")
    assert (a.status, b.status) == ("new", "new")


def test_settings_cache_and_derived_objects(session):
    with shop_settings.settings_cached(session):
        first = sla.Clocks.shared(session)
        assert sla.Clocks.shared(session) is first
        with shop_settings.settings_cached(session):  # nested: the same cache
            shop_settings.set_setting(session, "shop.hours", "mon-sat 07:00-18:00")
        assert shop_settings.get_setting(session, "shop.hours") == "mon-sat 07:00-18:00"
        second = sla.Clocks.shared(session)
        assert second is not first and 5 in second.business.hours
    assert sla.Clocks.shared(session) is not sla.Clocks.shared(session)  # no block: fresh
    assert shop_settings.get_setting(session, "shop.hours") == "mon-sat 07:00-18:00"
