"""customer_view: the directory rows and one customer's card."""

from __future__ import annotations

from datetime import date

import pytest

from svcdesk.db import read_session, write_session
from svcdesk.errors import NotFound
from svcdesk.models import Asset, Customer
from svcdesk.services.crm import customers
from svcdesk.services.orders import lifecycle
from svcdesk.services.orders.customer_view import customer_card, customer_rows


def test_rows_search_and_counts(engine, shop):
    with read_session(engine) as s:
        rows = customer_rows(s)
        assert [(r.name, r.open_orders, r.total_orders, r.city) for r in rows] == [
            ("Jane Porter", 2, 2, "Austin"),
            ("Riverside Cafe", 1, 1, "Austin"),
        ]
        assert [r.name for r in customer_rows(s, "river")] == ["Riverside Cafe"]
        assert [r.name for r in customer_rows(s, "0101")] == ["Jane Porter"]
        assert [r.name for r in customer_rows(s, "oak st")] == ["Jane Porter"]
        assert customer_rows(s, "nobody here") == []


def test_card(engine, shop):
    with write_session(engine) as s:
        jane = s.get(Customer, shop["customer"])
        customers.add_contact(s, jane, name="Tom Porter", role="spouse", phone="512-555-0199")
        s.get(Asset, shop["asset"]).warranty_until = date(2027, 1, 1)
        lifecycle.change_status(s, lifecycle.get_order(s, shop["o3"]), "cancelled", reason="dup")
    with read_session(engine) as s:
        card = customer_card(s, shop["customer"])
    assert card.name == "Jane Porter" and card.phone == "(512) 555-0101"
    assert [site.label for site in card.sites] == ["1204 Oak Street, Austin, TX 78704"]
    assert [(c.name, c.role) for c in card.contacts] == [("Tom Porter", "spouse")]
    (asset,) = card.assets
    assert (asset.kind, asset.make, asset.under_warranty) == ("furnace", "Carrier", True)
    assert {o.number for o in card.orders} == {shop["o1"], shop["o3"]}
    assert [o.number for o in card.open_orders] == [shop["o1"]]


def test_card_unknown(engine, shop):
    with read_session(engine) as s, pytest.raises(NotFound):
        customer_card(s, 999)
