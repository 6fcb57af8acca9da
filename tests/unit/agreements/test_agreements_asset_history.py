"""Asset service history: orders, visits, warranty status, covering agreements and plans."""

from datetime import date

import pytest

from svcdesk.db import read_session, write_session
from svcdesk.errors import NotFound
from svcdesk.models import Asset
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm import technicians
from svcdesk.services.orders import lifecycle, scheduling
from svcdesk.services.reporting.asset_history import asset_history, warranty_status
from tests.fixtures.agreements import make_agreement


def test_warranty_status():
    today = date(2026, 11, 25)
    assert warranty_status(None, today) == "none recorded"
    assert (
        warranty_status(date(2026, 12, 5), today) == "in warranty until 2026-12-05 (10 days left)"
    )
    assert warranty_status(date(2026, 1, 1), today) == "expired 2026-01-01"


def test_history_lists_orders_visits_agreements_and_plans(engine, shop):
    ids = make_agreement(engine, shop, plan_rule="FREQ=MONTHLY;BYMONTHDAY=26")
    with write_session(engine) as s:
        s.get(Asset, shop["asset"]).warranty_until = date(2027, 1, 1)
        order = lifecycle.get_order(s, shop["o1"])  # on the furnace
        alice = technicians.find_technician(s, "Alice Ng")
        scheduling.book_visit(s, order, [alice], parse_when("2026-11-25 13:00", shop_zone(s)))
    with read_session(engine) as s:
        h = asset_history(s, shop["asset"])
    assert h.label == "furnace Carrier 59SC5 (CA1234)" and h.customer == "Jane Porter"
    assert h.warranty.startswith("in warranty until 2027-01-01")
    assert h.agreements == [f"{ids['agreement']} Comfort Club (active, until 2027-10-31)"]
    assert [p["next"][0] for p in h.plans] == ["2026-11-27"]
    assert [o.number for o in h.orders] == [shop["o1"]]
    assert h.orders[0].visits[0].technicians == ["Alice Ng"]
    assert h.to_json()["orders"][0]["visits"][0]["status"] == "scheduled"
    with pytest.raises(NotFound), read_session(engine) as s:
        asset_history(s, 999)
