"""The lean read of `svcdesk orders list` (issue 20): models/core.py's Core views name the
real tables' columns with their types, and the order list read on a Core connection
(`db.read_connection`) gives what the console's ORM session gives, equal to the ORM
objects' own values, for every filter and sort."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from svcdesk import clock
from svcdesk.db import read_connection, read_session, write_session
from svcdesk.models import Customer, Site, WorkOrder, all_models, core
from svcdesk.models.base import UTCDateTime
from svcdesk.services.common import settings
from svcdesk.services.orders import intake, lifecycle, queries


def test_every_view_column_is_the_real_tables_with_its_type():
    tables = {t.name: t for t in all_models()}
    for view in core.VIEWS:
        real = tables[view.name]
        for column in view.columns:
            assert column.name in real.columns, f"{view.name}.{column.name}"
            real_type = real.columns[column.name].type
            if isinstance(column.type, UTCDateTime):
                assert isinstance(real_type, UTCDateTime), f"{view.name}.{column.name}"
            else:
                assert column.type._type_affinity is real_type._type_affinity, (
                    f"{view.name}.{column.name}: {column.type!r} vs {real_type!r}"
                )


@pytest.fixture
def busy_shop(engine, shop):
    """The small shop with more going on: one order on hold, one closed, a callback."""
    with write_session(engine) as s:
        o1 = lifecycle.get_order(s, shop["o1"])
        lifecycle.change_status(s, o1, "on_hold", reason="parts")
        intake.create_callback(s, o1, "Still no heat", actor="kim")
        o3 = lifecycle.get_order(s, shop["o3"])
        lifecycle.change_status(s, o3, "cancelled", reason="duplicate")
    return shop


FILTERS = [
    {},
    {"open_only": False},
    {"statuses": ["on_hold", "cancelled"]},
    {"priority": "high"},
    {"unassigned": True},
    {"today": True},
    {"overdue": True},
    {"text": "porter"},
    {"text": "Oak"},
    {"text": "555-0101", "open_only": False},
    {"text": "ja"},
    {"text": "so-1", "open_only": False},
    {"text": "Jane Porter", "open_only": False, "sort": "search"},
    {"sort": "status", "open_only": False},
    {"sort": "sla"},
    {"sort": "newest", "open_only": False, "limit": 2, "offset": 1},
]


def test_the_lean_list_gives_the_sessions_rows_and_the_orm_values(engine, busy_shop):
    clock.freeze(clock.now() + timedelta(hours=5))  # (some SLA passed: `overdue` finds one)
    cases = [*FILTERS, {"tech_id": busy_shop["bob"]}, {"customer_id": busy_shop["customer"]}]
    with read_session(engine) as s, read_connection(engine) as conn:
        seen = set()
        for filters in cases:
            on_session = queries.list_orders(s, **filters)
            assert queries.list_orders(conn, **filters) == on_session, filters
            seen.update(r.number for r in on_session)
            for row in on_session:
                order = s.exec(select(WorkOrder).where(col(WorkOrder.id) == row.id)).one()
                customer, site = s.get(Customer, order.customer_id), s.get(Site, order.site_id)
                assert customer is not None and site is not None
                assert (
                    row.number, row.priority, row.status, row.summary, row.sla_due,
                    row.created_at, row.updated_at, row.version, row.customer, row.city,
                ) == (
                    order.number, order.priority, order.status, order.summary, order.sla_due,
                    order.created_at, order.updated_at, order.version, customer.name, site.city,
                )  # fmt: skip
                assert row.created_at.tzinfo is not None
        assert len(seen) == 4  # (every order met some filter)
        ids = queries.order_ids(s, open_only=False)
        assert queries.order_ids(conn, open_only=False) == ids
        assert queries.orders_by_id(conn, ids) == queries.orders_by_id(s, ids)
        assert queries.board_counts(conn) == queries.board_counts(s)
        assert queries.count_orders(conn) == queries.count_orders(s) == 4
        assert settings.all_settings(conn) == settings.all_settings(s)
        for key in ("shop.timezone", "company.name", "no.such.key"):
            assert settings.get_setting(conn, key) == settings.get_setting(s, key)
        assert settings.shop_zone(conn) == settings.shop_zone(s)
