"""Recall detection windows, follow-ups on completion, stale-order alerts."""

from datetime import UTC, datetime, timedelta

import pytest

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Setting
from svcdesk.models.followup import RecallFlag
from svcdesk.services.agreements import followups, recalls
from svcdesk.services.common.settings import set_setting
from svcdesk.services.orders import intake, lifecycle
from svcdesk.services.reporting import alerts
from tests.conftest import FROZEN_NOW


def _complete(engine, number):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, number)
        for status in ("scheduled", "dispatched", "en_route", "on_site", "completed"):
            if status != order.status:
                lifecycle.change_status(s, order, status)


def _new_order(engine, shop, *, asset=True, summary="Furnace noisy again"):
    with write_session(engine) as s:
        order, _ = intake.create_order(s, intake.IntakeRequest(
            summary=summary, customer_id=shop["customer"], site_id=shop["site"],
            asset_id=shop["asset"] if asset else None))  # fmt: skip
        return order.number


@pytest.mark.parametrize(("days", "flagged"), [(1, True), (29, True), (31, False)])
def test_recall_window(engine, shop, days, flagged):
    _complete(engine, shop["o1"])  # o1 is on the furnace asset
    clock.freeze(FROZEN_NOW + timedelta(days=days))
    number = _new_order(engine, shop)
    with read_session(engine) as s:
        rows = recalls.list_recalls(s)
    assert bool(rows) is flagged
    if flagged:
        assert (rows[0].number, rows[0].original, rows[0].match) == (number, shop["o1"], "asset")


def test_same_site_without_asset_and_window_setting(engine, shop):
    _complete(engine, shop["o3"])  # no asset; same site as o1
    with write_session(engine) as s:
        set_setting(s, "recall.window_days", "5")
    clock.freeze(FROZEN_NOW + timedelta(days=3))
    _new_order(engine, shop, asset=False, summary="Breaker again")
    with read_session(engine) as s:
        assert [r.match for r in recalls.list_recalls(s)] == ["site"]


def test_confirm_links_callback_of_and_dismiss(engine, shop):
    _complete(engine, shop["o1"])
    number = _new_order(engine, shop)
    with write_session(engine) as s:
        order = lifecycle.get_order(s, number)
        recalls.confirm(s, order, actor="dana")
        assert order.callback_of_id == lifecycle.get_order(s, shop["o1"]).id
        with pytest.raises(InvalidInput, match="already confirmed"):
            recalls.dismiss(s, order)
        with pytest.raises(NotFound, match="not flagged"):
            recalls.confirm(s, lifecycle.get_order(s, shop["o2"]))
    with read_session(engine) as s:
        assert recalls.list_recalls(s) == []
        assert recalls.list_recalls(s, "confirmed")[0].number == number


def test_maintenance_orders_are_never_recalls(engine, shop):
    _complete(engine, shop["o1"])
    with write_session(engine) as s:
        order, _ = intake.create_order(s, intake.IntakeRequest(
            summary="Tune-up", customer_id=shop["customer"], site_id=shop["site"],
            asset_id=shop["asset"], kind="maintenance"))  # fmt: skip
        assert s.get(RecallFlag, order.id) is None


def test_followups_created_on_completion_and_done(engine, shop):
    _complete(engine, shop["o2"])
    with read_session(engine) as s:
        rows = followups.list_followups(s)
    assert [(r.kind, r.due_at - FROZEN_NOW) for r in rows] == [
        ("callback", timedelta(days=2)),
        ("review_request", timedelta(days=5)),
    ]
    clock.freeze(FROZEN_NOW + timedelta(days=3))
    with read_session(engine) as s:
        assert [r.kind for r in followups.list_followups(s, overdue_only=True)] == ["callback"]
    with write_session(engine) as s:
        followups.complete(s, rows[0].id, note="all good", actor="dana")
        with pytest.raises(InvalidInput, match="already done"):
            followups.complete(s, rows[0].id)
    with read_session(engine) as s:
        assert len(followups.list_followups(s)) == 1
        assert len(followups.list_followups(s, include_done=True)) == 2


def test_bad_followup_plan_setting(engine, shop):
    with write_session(engine) as s, pytest.raises(InvalidInput, match="followup.plan"):
        set_setting(s, "followup.plan", "callback:two")  # refused when set...
    with write_session(engine) as s:  # ...and a database from before that holds one
        s.merge(Setting(key="followup.plan", value="callback:two"))
    with pytest.raises(InvalidInput, match="followup.plan"):
        _complete(engine, shop["o2"])


def test_stale_alerts_per_status(engine, shop):
    # o1 and o3 are new (limit 4 h); o2 is scheduled (limit 72 h)
    clock.freeze(FROZEN_NOW + timedelta(hours=5))
    with read_session(engine) as s:
        stale = alerts.stale_orders(s)
    assert sorted(a.number for a in stale) == sorted([shop["o1"], shop["o3"]])
    assert "new for 5.0 h" in stale[0].message
    with write_session(engine) as s:
        lifecycle.change_status(s, lifecycle.get_order(s, shop["o1"]), "on_hold", reason="parts")
        set_setting(s, "stale.hours.new", "6")
    with read_session(engine) as s:
        assert alerts.stale_orders(s) == []
    clock.freeze(datetime(2026, 11, 29, 15, 0, tzinfo=UTC))
    with read_session(engine) as s:
        kinds = {(a.number, a.status) for a in alerts.all_alerts(s, ("stale",))}
    assert kinds == {(shop["o3"], "new"), (shop["o2"], "scheduled"), (shop["o1"], "on_hold")}


def test_completed_not_invoiced_is_stale_after_two_days(engine, shop):
    _complete(engine, shop["o2"])
    clock.freeze(FROZEN_NOW + timedelta(days=2, hours=1))
    with read_session(engine) as s:
        found = [a for a in alerts.all_alerts(s) if a.number == shop["o2"]]
    assert {a.kind for a in found} == {"stale", "followup"}
    with pytest.raises(InvalidInput, match="kind"), read_session(engine) as s:
        alerts.all_alerts(s, ("nope",))
