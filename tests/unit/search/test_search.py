"""Search through the indexes: substrings of names, phones, addresses; kept in step."""

from __future__ import annotations

import pytest

from svcdesk.db import read_session, write_session
from svcdesk.models import OPEN_STATUSES, Customer
from svcdesk.models.orders import OPEN_SQL
from svcdesk.services.orders import queries


def numbers(engine, text, **kw):
    with read_session(engine) as s:
        return sorted(r.number for r in queries.list_orders(s, text=text, **kw))


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("porter", ["o1", "o3"]),  # inside the name, any case
        ("JANE", ["o1", "o3"]),
        ("555-0303", ["o2"]),  # phone with punctuation
        ("5125550101", ["o1", "o3"]),
        ("riverside", ["o2"]),  # address
        ("78741", ["o2"]),  # ZIP
        ("oak st", ["o1", "o3"]),
        ("SO-000002", ["o2"]),
        ("so-2", ["o2"]),  # a short order number
        ("2", ["o1", "o2", "o3"]),  # short terms are substrings of anything (here addresses)
        ("sink", ["o2"]),  # summary (open orders)
        ("nothing like this", []),
        ("0101 Nowhere Rd", []),  # an address's digits are not a phone (Jane's ends 0101)
    ],
)
def test_board_text_filter(engine, shop, term, expected):
    assert numbers(engine, term) == sorted(shop[k] for k in expected)


def test_all_orders_search_uses_customer_and_site(engine, shop):
    assert numbers(engine, "porter", open_only=False) == sorted([shop["o1"], shop["o3"]])
    assert numbers(engine, "cafe", open_only=False) == [shop["o2"]]


def test_renamed_customer_is_found_by_the_new_name(engine, shop):
    with write_session(engine) as s:
        s.get(Customer, shop["customer"]).name = "Janet Porterhouse"
    assert numbers(engine, "porterhouse") == sorted([shop["o1"], shop["o3"]])
    assert numbers(engine, "jane porter") == []


def test_open_index_predicate_matches_open_statuses():
    assert "status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")" == OPEN_SQL
