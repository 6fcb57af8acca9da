"""Agreements & PM (`e`) and Alerts (`l`) screens: Pilot tests and snapshots."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models import WorkOrder
from svcdesk.models.agreements import MaintenancePlan
from svcdesk.services.orders import intake, lifecycle
from svcdesk.tui.screens.agreements import AgreementsScreen, PlanModal
from svcdesk.tui.screens.alerts import AlertsScreen
from tests.conftest import FROZEN_NOW
from tests.fixtures.agreements import make_agreement
from tests.tui.helpers import SIZE, console_app, press, run_app, settle, snapshot_before, table_keys

RULE = "FREQ=MONTHLY;BYMONTHDAY=26"


def text(app, selector) -> str:
    return str(app.screen.query_one(selector).render())


async def test_agreements_list_detail_and_generate(engine, shop):
    ids = make_agreement(engine, shop, plan_rule=RULE)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "M")
        assert isinstance(app.screen, AgreementsScreen)
        assert table_keys(app, "#agreements") == [ids["agreement"]]
        detail = text(app, "#ag-detail")
        assert "Comfort Club" in detail and "high 2/8 h business" in detail
        assert table_keys(app, "#ag-plans") == [str(ids["plan"])]
        await press(pilot, "x")
        with read_session(engine) as s:
            made = s.exec(
                select(func.count()).select_from(WorkOrder).where(WorkOrder.kind == "maintenance")
            ).one()
        assert made == 2  # Nov 27 (holiday moved) and Dec 28, within 60 days
        await press(pilot, "x")
        with read_session(engine) as s:
            assert (
                s.exec(
                    select(func.count())
                    .select_from(WorkOrder)
                    .where(WorkOrder.kind == "maintenance")
                ).one()
                == 2
            )
        await press(pilot, "f")  # active only
        assert table_keys(app, "#agreements") == [ids["agreement"]]
        await press(pilot, "f")  # drafts
        assert table_keys(app, "#agreements") == []


async def test_plan_editor_previews_before_saving(engine, shop):
    make_agreement(engine, shop)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "M", "a")
        assert isinstance(app.screen, PlanModal)
        preview = text(app, "#preview")
        assert preview.startswith("Next: Mon 2027-04-05, Mon 2027-10-04")
        rule = app.screen.query_one("#rrule")
        rule.value = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
        await settle(pilot)
        assert "Mon 2026-12-28 (holiday)" in text(app, "#preview")
        rule.value = "FREQ=NEVER"
        await settle(pilot)
        assert "rrule:" in text(app, "#preview")
        with read_session(engine) as s:
            assert s.exec(select(MaintenancePlan)).all() == []  # nothing saved by previewing
        rule.value = "FREQ=MONTHLY;INTERVAL=3"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AgreementsScreen)
        with read_session(engine) as s:
            plan = s.exec(select(MaintenancePlan)).one()
        assert plan.rrule == "FREQ=MONTHLY;INTERVAL=3" and plan.asset_id is None


async def test_alerts_recall_confirm_and_followup_done(engine, shop):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o2"])
        for status in ("dispatched", "en_route", "on_site", "completed"):
            lifecycle.change_status(s, order, status)
        again, _ = intake.create_order(s, intake.IntakeRequest(
            summary="Leaking again", customer_id=order.customer_id, site_id=order.site_id))  # fmt: skip
        again_number = again.number
    clock.freeze(FROZEN_NOW + timedelta(days=2, hours=1))
    async with run_app(engine) as (app, pilot):
        await press(pilot, "l")
        assert isinstance(app.screen, AlertsScreen)
        head = text(app, "#al-head")
        assert "1 possible recalls" in head and "1 overdue follow-ups" in head
        kinds = [k.split(":")[0] for k in table_keys(app, "#alerts")]
        assert kinds.count("recall") == 1
        table = app.screen.query_one("#alerts")
        table.move_cursor(row=kinds.index("recall"))
        await press(pilot, "y")
        with read_session(engine) as s:
            assert lifecycle.get_order(s, again_number).callback_of_id is not None
        assert "0 possible recalls" in text(app, "#al-head")
        app.screen.query_one("#followups").focus()
        await press(pilot, "d")
        assert "1 open follow-ups" in text(app, "#fu-head")


def test_agreements_snapshot(engine, shop, snap_compare):
    make_agreement(engine, shop, plan_rule=RULE)
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(("M",)))


def test_plan_editor_snapshot(engine, shop, snap_compare):
    make_agreement(engine, shop)
    assert snap_compare(
        console_app(engine), terminal_size=SIZE, run_before=snapshot_before(("M", "a"))
    )


def test_alerts_snapshot(engine, shop, snap_compare):
    async def run_before(pilot):
        clock.freeze(FROZEN_NOW + timedelta(hours=5))
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


async def test_enter_on_plan_opens_asset_history(engine, shop):
    from svcdesk.tui.screens.asset import AssetScreen

    make_agreement(engine, shop, plan_rule=RULE)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "M", "enter")
        assert app.screen.query_one("#ag-plans").has_focus
        await press(pilot, "enter")
        assert isinstance(app.screen, AssetScreen)
        assert "furnace Carrier 59SC5" in text(app, "#asset-head")
        assert table_keys(app, "#asset-orders") == [shop["o1"]]
        await press(pilot, "escape")
        assert isinstance(app.screen, AgreementsScreen)


def test_asset_screen_snapshot(engine, shop, snap_compare):
    make_agreement(engine, shop, plan_rule=RULE)

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_item("asset", shop["asset"])
        await settle(pilot)

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)
