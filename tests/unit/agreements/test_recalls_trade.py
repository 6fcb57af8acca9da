"""Recalls count only the same trade (skill), and the same asset where one is known —
for one order (intake) and for a batch (`find_originals`, file intake) alike. Was: a
plumbing order flagged as a recall of an HVAC tune-up at the same site."""

from __future__ import annotations

from datetime import timedelta

import pytest

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models import Site
from svcdesk.services.agreements import recalls
from svcdesk.services.crm.customers import add_asset
from svcdesk.services.orders import intake, lifecycle
from tests.conftest import FROZEN_NOW


@pytest.fixture
def done_hvac(engine, shop):
    """o1 (hvac, on the furnace) completed; a second unit at the same site; 3 days later."""
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o1"])
        for status in ("scheduled", "dispatched", "en_route", "on_site", "completed"):
            lifecycle.change_status(s, order, status)
        other = add_asset(s, s.get(Site, shop["site"]), kind="water heater", make="Rheem")
        shop = {**shop, "water_heater": other.id}
    clock.freeze(FROZEN_NOW + timedelta(days=3))
    return shop


def _call(engine, shop, skill, asset_key=None):
    with write_session(engine) as s:
        order, _ = intake.create_order(s, intake.IntakeRequest(
            summary="Not working again", customer_id=shop["customer"], site_id=shop["site"],
            asset_id=shop[asset_key] if asset_key else None, skill=skill))  # fmt: skip
        return order.number


def _flags(engine):
    with read_session(engine) as s:
        return {r.number: (r.original, r.match) for r in recalls.list_recalls(s)}


def test_other_trade_at_the_same_site_is_not_a_recall(engine, done_hvac):
    number = _call(engine, done_hvac, "plumbing")
    assert number not in _flags(engine)


def test_same_trade_at_the_site_is(engine, done_hvac):
    number = _call(engine, done_hvac, "hvac")
    assert _flags(engine)[number] == (done_hvac["o1"], "site")


def test_another_asset_at_the_site_is_not_a_recall(engine, done_hvac):
    assert _call(engine, done_hvac, "hvac", "water_heater") not in _flags(engine)
    number = _call(engine, done_hvac, "hvac", "asset")
    assert _flags(engine)[number] == (done_hvac["o1"], "asset")


def test_batch_lookup_agrees_with_the_single_one(engine, done_hvac):
    with write_session(engine) as s:
        ids = {}
        for skill in ("hvac", "plumbing", None):
            for asset_key in (None, "asset", "water_heater"):
                order = intake.create_order(s, intake.IntakeRequest(
                    summary="Again", customer_id=done_hvac["customer"], site_id=done_hvac["site"],
                    asset_id=done_hvac[asset_key] if asset_key else None, skill=skill))[0]  # fmt: skip
                ids[(skill, asset_key)] = order
        created = clock.now()
        keys = {(o.site_id, o.asset_id, o.skill_id) for o in ids.values()}
        batch = recalls.find_originals(s, keys, created, 30)
        for order in ids.values():
            single = recalls.find_original(s, order, 30)
            got = batch.get((order.site_id, order.asset_id, order.skill_id))
            assert (single and (single[0].number, single[1])) == (got and (got.number, got.match))
        hvac_site = ids[("hvac", None)]
        assert batch[(hvac_site.site_id, None, hvac_site.skill_id)].number == done_hvac["o1"]
        plumbing = ids[("plumbing", None)]
        assert (plumbing.site_id, None, plumbing.skill_id) not in batch
