"""PM generation: orders with the plan's fields, idempotent re-runs, two concurrent
generators (threads and processes), the unique key, completed-date anchoring, DST."""

import multiprocessing
import threading
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from svcdesk.db import make_engine, read_session, write_session
from svcdesk.models import WorkOrder
from svcdesk.models.agreements import OrderSla, PlanOccurrence
from svcdesk.services.agreements import agreements, pm_generate, pm_plans
from svcdesk.services.orders import lifecycle
from tests.conftest import FROZEN_NOW
from tests.fixtures.agreements import make_agreement

MONTHLY_26 = "FREQ=MONTHLY;BYMONTHDAY=26"
CHI = ZoneInfo("America/Chicago")


def _counts(engine):
    with read_session(engine) as s:
        orders = s.exec(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.kind == "maintenance")
        ).one()
        occ = s.exec(select(func.count()).select_from(PlanOccurrence)).one()
        dupes = s.exec(
            select(PlanOccurrence.plan_id, PlanOccurrence.due_on, func.count())
            .group_by(PlanOccurrence.plan_id, PlanOccurrence.due_on)
            .having(func.count() > 1)
        ).all()
    return orders, occ, dupes


def test_generate_creates_orders_with_the_plans_fields(engine, shop):
    ids = make_agreement(engine, shop, plan_rule=MONTHLY_26)
    with write_session(engine) as s:
        result = pm_generate.generate(s, date(2027, 1, 31))
    # Nov 26 is Thanksgiving -> Fri 27; Dec 26 Saturday -> Mon 28; Jan 26 Tuesday
    assert [i.due_on for i in result.created] == [
        date(2026, 11, 27),
        date(2026, 12, 28),
        date(2027, 1, 26),
    ]
    with read_session(engine) as s:
        order = lifecycle.get_order(s, result.created[0].order)
        assert (order.kind, order.source, order.priority, order.status) == (
            "maintenance",
            "agreement",
            "low",
            "new",
        )
        assert order.agreement_id == ids["agreement_id"] and order.asset_id == shop["asset"]
        assert order.est_minutes == 90 and order.summary == "Furnace tune-up"
        assert "- Replace filter" in order.description
        assert order.window_start == datetime(2026, 11, 27, 8, 0, tzinfo=CHI).astimezone(UTC)
        assert order.window_end == datetime(2026, 11, 27, 17, 0, tzinfo=CHI).astimezone(UTC)
        sla_row = s.get(OrderSla, order.id)
        assert sla_row.started_at == order.window_start  # the clock starts on the due day
        assert order.external_ref == f"PM-{ids['plan']}-2026-11-26"


def test_rerun_and_dry_run_never_duplicate(engine, shop):
    make_agreement(engine, shop, plan_rule=MONTHLY_26)
    with write_session(engine) as s:
        dry = pm_generate.generate(s, date(2027, 1, 31), dry_run=True)
    assert len(dry.created) == 3 and _counts(engine)[:2] == (0, 0)
    with write_session(engine) as s:
        first = pm_generate.generate(s, date(2027, 1, 31))
    with write_session(engine) as s:
        again = pm_generate.generate(s, date(2027, 2, 28))
    assert len(first.created) == 3
    assert len(again.created) == 1 and {i.reason for i in again.skipped} == {"exists"}
    assert _counts(engine) == (4, 4, [])


def test_a_date_claimed_by_another_generator_midway_is_skipped(engine, shop, monkeypatch):
    make_agreement(engine, shop, plan_rule=MONTHLY_26)
    with write_session(engine) as s:
        pm_generate.generate(s, date(2026, 12, 31))
    # Pretend this run read the table before the other generator committed.
    real = pm_generate._existing
    monkeypatch.setattr(pm_generate, "_existing", lambda s, ids: real(s, []))
    with write_session(engine) as s:
        result = pm_generate.generate(s, date(2027, 1, 31))
    assert [i.due_on for i in result.created] == [date(2027, 1, 26)]
    assert len([i for i in result.skipped if i.reason == "exists"]) == 2
    assert _counts(engine) == (3, 3, [])


def test_unique_key_on_plan_and_date(engine, shop):
    ids = make_agreement(engine, shop, plan_rule=MONTHLY_26)
    with pytest.raises(IntegrityError), write_session(engine) as s:
        for _ in range(2):
            s.add(
                PlanOccurrence(
                    plan_id=ids["plan"], occurs_on=date(2027, 3, 26), due_on=date(2027, 3, 26)
                )
            )
            s.flush()


def test_two_threads_generating_at_once(db_path, engine, shop):
    make_agreement(engine, shop, plan_rule="FREQ=WEEKLY;BYDAY=MO,WE,FR")
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            eng = make_engine(str(db_path))
            barrier.wait(timeout=60)
            with write_session(eng) as s:
                results.append(len(pm_generate.generate(s, date(2027, 3, 31)).created))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            barrier.abort()  # never leave the other thread waiting
        finally:
            if "eng" in locals():
                eng.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    orders, occ, dupes = _counts(engine)
    assert not errors and dupes == []
    assert sorted(results)[0] == 0 and sum(results) == orders == occ > 50


def _generate_in_process(db: str, barrier, queue) -> None:
    import os

    os.environ["SVCDESK_NOW"] = FROZEN_NOW.isoformat()
    eng = make_engine(db)
    barrier.wait(timeout=60)
    with write_session(eng) as s:
        queue.put(len(pm_generate.generate(s, date(2027, 3, 31)).created))
    eng.dispose()


def test_two_processes_generating_at_once(db_path, engine, shop):
    make_agreement(engine, shop, plan_rule="FREQ=WEEKLY;BYDAY=TU,TH")
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_generate_in_process, args=(str(db_path), barrier, queue))
             for _ in range(2)]  # fmt: skip
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    created = sorted([queue.get(timeout=5), queue.get(timeout=5)])
    orders, occ, dupes = _counts(engine)
    assert dupes == [] and created[0] == 0 and created[1] == orders == occ > 30


def test_completed_anchor_waits_for_completion_then_follows_it(engine, shop):
    ids = make_agreement(engine, shop)
    with write_session(engine) as s:
        ag = agreements.get_agreement(s, ids["agreement"])
        pm_plans.create_plan(s, ag, site_id=shop["site"], summary="Filter change",
                             rrule="FREQ=MONTHLY;INTERVAL=3", starts_on=date(2026, 12, 1),
                             anchor="completed")  # fmt: skip
        first = pm_generate.generate(s, date(2027, 12, 31))
    assert [i.due_on for i in first.created] == [date(2026, 12, 1)]  # only one open at a time
    with write_session(engine) as s:
        assert pm_generate.generate(s, date(2027, 12, 31)).created == []
        order = lifecycle.get_order(s, first.created[0].order)
        for status in ("scheduled", "dispatched", "en_route", "on_site"):
            lifecycle.change_status(s, order, status)
    from svcdesk import clock

    clock.freeze(datetime(2026, 12, 10, 16, 0, tzinfo=UTC))  # completed Thu Dec 10
    with write_session(engine) as s:
        lifecycle.change_status(s, lifecycle.get_order(s, first.created[0].order), "completed")
        nxt = pm_generate.generate(s, date(2027, 12, 31))
    assert [(i.rule_date, i.due_on) for i in nxt.created] == [
        (date(2027, 3, 10), date(2027, 3, 10))
    ]


def test_window_follows_dst_in_the_plans_zone(engine, shop):
    ids = make_agreement(engine, shop)
    with write_session(engine) as s:
        ag = agreements.get_agreement(s, ids["agreement"])
        plan = pm_plans.create_plan(s, ag, site_id=shop["site"], summary="Spring check",
                                    rrule="FREQ=WEEKLY;BYDAY=MO", starts_on=date(2027, 3, 1),
                                    timezone="America/Denver")  # fmt: skip
        result = pm_generate.generate(s, date(2027, 3, 15), plan_ids=[plan.id])
        windows = [lifecycle.get_order(s, i.order).window_start for i in result.created]
    # 08:00 Denver: MST (UTC-7) before Mar 14 2027, MDT (UTC-6) after
    assert [w.hour for w in windows] == [15, 15, 14]


def test_agreement_end_and_status_limit_generation(engine, shop):
    ids = make_agreement(engine, shop, plan_rule=MONTHLY_26, term_months=3)  # ends 2027-01-31
    with write_session(engine) as s:
        result = pm_generate.generate(s, date(2027, 4, 30))
    assert len(result.created) == 3
    assert {i.reason for i in result.skipped} == {"after agreement end"}
    with write_session(engine) as s:
        agreements.change_status(
            s, agreements.get_agreement(s, ids["agreement"]), "cancelled", reason="sold house"
        )
        assert pm_generate.generate(s, date(2027, 4, 30)).created == []
