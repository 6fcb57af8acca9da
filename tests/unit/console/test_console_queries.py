"""Service additions for the console: board counters, today/overdue filters, sorting,
callback orders, technician search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models import OrderEvent
from svcdesk.services.crm.technicians import search_technicians
from svcdesk.services.orders import intake, lifecycle, queries


def numbers(rows) -> list[str]:
    return [r.number for r in rows]


def test_board_counts(engine, shop):
    with read_session(engine) as s:
        c = queries.board_counts(s)
    assert (c.new, c.unassigned, c.today, c.overdue, c.on_hold, c.open) == (2, 2, 1, 0, 0, 3)


def test_counts_and_filters_follow_the_clock(engine, shop):
    with write_session(engine) as s:
        lifecycle.change_status(s, lifecycle.get_order(s, shop["o1"]), "on_hold", reason="parts")
    clock.freeze(clock.now() + timedelta(hours=5))  # emergency o3 SLA (4 h) has passed
    with read_session(engine) as s:
        c = queries.board_counts(s)
        assert (c.overdue, c.on_hold, c.new) == (1, 1, 1)
        assert numbers(queries.list_orders(s, overdue=True)) == [shop["o3"]]
        assert numbers(queries.list_orders(s, today=True)) == [shop["o2"]]
    clock.freeze(clock.now() + timedelta(days=1))
    with read_session(engine) as s:
        assert queries.board_counts(s).today == 0  # o2's visit was yesterday
        assert queries.list_orders(s, today=True) == []


def test_sorts(engine, shop):
    with read_session(engine) as s:
        assert numbers(queries.list_orders(s)) == [shop["o3"], shop["o1"], shop["o2"]]
        assert numbers(queries.list_orders(s, sort="status"))[-1] == shop["o2"]
        assert numbers(queries.list_orders(s, sort="sla")) == [shop["o3"], shop["o1"], shop["o2"]]
        assert numbers(queries.list_orders(s, sort="newest"))[0] == shop["o3"]
        with pytest.raises(InvalidInput, match="sort: 'size' is not one of"):
            queries.list_orders(s, sort="size")


def test_create_callback_links_the_orders(engine, shop):
    with write_session(engine) as s:
        original = lifecycle.get_order(s, shop["o1"])
        cb = intake.create_callback(s, original, "Still no heat", actor="kim")
        assert (cb.kind, cb.callback_of_id, cb.customer_id, cb.site_id, cb.asset_id) == (
            "callback",
            original.id,
            original.customer_id,
            original.site_id,
            original.asset_id,
        )
        assert (cb.priority, cb.skill_id, cb.status) == ("high", original.skill_id, "new")
        kinds = [
            e.detail
            for e in s.exec(select(OrderEvent).where(OrderEvent.order_id == original.id))
            if e.kind == "callback"
        ]
        assert kinds == [f"callback {cb.number}: Still no heat"]
    with read_session(engine) as s:
        assert queries.order_detail(s, cb.number).callback_of == shop["o1"]


def test_callback_refused_for_cancelled_and_without_summary(engine, shop):
    with write_session(engine) as s:
        o = lifecycle.get_order(s, shop["o1"])
        with pytest.raises(InvalidInput, match="summary: required"):
            intake.create_callback(s, o, "  ")
        lifecycle.change_status(s, o, "cancelled", reason="dup")
        with pytest.raises(InvalidInput, match="was cancelled"):
            intake.create_callback(s, o, "again")


def test_search_technicians(engine, shop):
    with read_session(engine) as s:
        assert [t.name for t in search_technicians(s, "ruiz")] == ["Bob Ruiz"]
        assert [t.name for t in search_technicians(s, "0201")] == ["Alice Ng"]
        assert len(search_technicians(s, "")) == 3


def test_list_orders_pages_and_order_ids(session, shop):
    everything = [r.number for r in queries.list_orders(session, limit=None)]
    assert everything == [shop["o3"], shop["o1"], shop["o2"]]
    pages = [
        [r.number for r in queries.list_orders(session, limit=2, offset=offset)]
        for offset in (0, 2, 4)
    ]
    assert pages == [everything[:2], everything[2:], []]
    ids = queries.order_ids(session)
    assert [r.number for r in queries.orders_by_id(session, ids)] == everything
    assert [r.number for r in queries.orders_by_id(session, ids[1:])] == everything[1:]
    assert queries.orders_by_id(session, []) == []
    unassigned = queries.order_ids(session, unassigned=True, sort="sla")
    assert [r.id for r in queries.list_orders(session, unassigned=True, sort="sla")] == unassigned
    assert len(queries.order_ids(session, text="river")) == 1
