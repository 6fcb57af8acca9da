"""A board filter of one to three characters tests the backlog's own customers and sites
(by primary key) instead of collecting every matching customer and site of the shop; it
finds exactly what the longer-term path (the search indexes) finds."""

from __future__ import annotations

import pytest

from svcdesk.db import read_session, write_session
from svcdesk.models import OrderStatus
from svcdesk.services.common import search
from svcdesk.services.orders import intake, lifecycle, queries

CALLERS = [
    ("Ana Garcia", "5125550101", "100 Lamar Blvd", "Austin", "78701"),
    ("Luis Lopez", "5125550102", "7 Burnet Rd", "Round Rock", "78664"),
    ("Eva Novak", "5125559903", "42 Elm St", "Pflugerville", "78660"),
]


@pytest.fixture
def orders(engine):
    with write_session(engine) as s:
        for n in range(12):
            name, phone, address, city, zip_code = CALLERS[n % 3]
            order, _ = intake.create_order(
                s,
                intake.IntakeRequest(summary=f"job {n}", customer=name, phone=phone,
                                     address=address, city=city, zip=zip_code),
            )  # fmt: skip
            if n % 4 == 3:
                order.status = OrderStatus.CLOSED.value


def _reference(session, term: str) -> list[int]:
    """The long-term path: every matching customer and site, then the open orders."""
    customers = set(session.execute(search.customer_ids_matching(session, term)).scalars())
    sites = set(session.execute(search.site_ids_matching(session, term)).scalars())
    out = []
    for row in queries.list_orders(session, limit=None):
        order = lifecycle.get_order(session, row.number)
        text_hit = term.lower() in row.summary.lower() or term.upper() in row.number
        if order.customer_id in customers or order.site_id in sites or text_hit:
            out.append(row.id)
    return sorted(out)


@pytest.mark.parametrize(
    "term", ["a", "L", "la", "lAm", "ga", "z", "78", "786", "990", "rock", "55", "o", "elm"]
)
def test_short_terms_find_what_the_indexes_find(engine, orders, term):
    with read_session(engine) as s:
        got = sorted(queries.order_ids(s, text=term))
        assert got == _reference(s, term)


def test_short_terms_do_not_read_every_customer(engine, orders):
    with read_session(engine) as s:
        sql = str(queries._order_ids(s, text="la").compile(s.get_bind()))
    assert "EXISTS" in sql and "customer.id = work_order.customer_id" in sql
