"""The board answers a filter typed over its loaded backlog in memory
(`queries.text_matches` over `queries.text_keys`); it must find exactly the orders, in
the same order, that the SQL filter finds (`queries.order_ids(text=…)`): one rule."""

from __future__ import annotations

import pytest

from svcdesk.db import read_session, write_session
from svcdesk.models import OrderStatus
from svcdesk.services.orders import intake, queries

CALLERS = [
    # name, phone, e-mail, address, city, zip
    ("Ana Garcia", "5125550101", "ana1985@example.com", "100 Lamar Blvd", "Austin", "78701"),
    ("Luis Lopez", "5125550102", None, "7 Burnet Rd", "Round Rock", "78664"),
    ("Eva Novak", "(737) 555-9903", "eva_n@mail.test", "42 Elm St, Apt 5%", "Pflugerville", ""),
    ("O'Brien & Sons", "512-555-7878", "ops@obrien.test", "1 Main St", "Cedar Park", "78613"),
    ("Bob 512", None, "b@x.test", "9 Oak Ln", "Austin", "78702"),
]
SUMMARIES = ["No heat", "AC leaks 50% of the time", "filter_change", "Noisy fan", "SO-7 again"]


@pytest.fixture
def backlog(engine):
    with write_session(engine) as s:
        for n in range(20):
            name, phone, email, address, city, zip_code = CALLERS[n % len(CALLERS)]
            order, _ = intake.create_order(
                s,
                intake.IntakeRequest(summary=SUMMARIES[n % len(SUMMARIES)], customer=name,
                                     phone=phone, email=email, address=address, city=city,
                                     zip=zip_code, priority=("normal", "high", "low")[n % 3]),
            )  # fmt: skip
            if n % 6 == 5:
                order.status = OrderStatus.CLOSED.value


TERMS = [
    # one to three characters (the backlog's own customers and sites) and longer (indexes)
    "a", "A", "l", "la", "lam", "lama", "lamar", "garcia", "GARCIA", "ana1", "1985",
    "5", "51", "512", "5125", "555-0101", "(512) 555", "512-555", "737", "(737)", "7878",
    "99", "990", "9903", "787", "78701", "7870", "so-", "SO-0", "so-7", "so-00001", "1",
    "12", "000012", "0000000012", "50%", "%", "_", "filter_", "r_c", "o'b", "&", "& s",
    "19-85", "1-985", "elm st", "apt 5%", "heat", "no", "zzz", "@", "@ex", "mail.test", "-", "---", "()",
]  # fmt: skip


@pytest.mark.parametrize("term", TERMS)
def test_memory_finds_what_sql_finds(engine, backlog, term):
    with read_session(engine) as s:
        everyone = queries.order_ids(s)
        keys = queries.text_keys(s, everyone)
        by_sql = queries.order_ids(s, text=term)
    assert [i for i in everyone if queries.text_matches(term, keys[i])] == by_sql


def test_an_empty_term_matches_every_order(engine, backlog):
    with read_session(engine) as s:
        everyone = queries.order_ids(s)
        keys = queries.text_keys(s, everyone)
    assert all(queries.text_matches("  ", keys[i]) for i in everyone)
