"""PM generation creates its orders through intake: the orders a run generates are stored
exactly as the same orders created one at a time by `intake.create_order` (order rows,
`created` events, SLA clocks, sequence, every other table), on both backends. Only the
plan's own bookkeeping (`plan_occurrence`) is PM generation's."""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from svcdesk.db import make_engine, read_session, write_session
from svcdesk.models import Skill, WorkOrder
from svcdesk.models.agreements import MaintenancePlan, OrderSla, PlanOccurrence
from svcdesk.services.agreements import agreements, pm_generate, pm_plans
from svcdesk.services.orders import intake
from tests.conftest import BACKEND
from tests.fixtures.agreements import make_agreement
from tests.fixtures.shop import build_shop

THROUGH = date(2027, 3, 31)


@pytest.fixture
def twin(request, tmp_path):
    """A second empty database beside `engine` (same backend, same template)."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        name = f"t{os.getpid()}_twin_{request.node.name[:20].lower()}"
        url = server.create_database(name, server.template)
        eng = make_engine(url)
        yield eng
        eng.dispose()
        server.drop_database(name)
        return
    path = tmp_path / "twin.db"
    shutil.copy2(request.getfixturevalue("sqlite_template"), path)
    eng = make_engine(str(path))
    yield eng
    eng.dispose()


def prepare(engine) -> None:
    """The fixed shop, AG-000001 over Jane Porter's site (high: 2 h/8 h business) with a
    monthly plan on her furnace (low, hvac, checklist), plus a quarterly high-priority plan
    without asset or checklist in another time zone (its window and its SLA term differ),
    and a second customer's order nearby (numbers keep counting from the shop's)."""
    shop = build_shop(engine)
    ids = make_agreement(engine, shop, plan_rule="FREQ=MONTHLY;BYMONTHDAY=26")
    with write_session(engine) as s:
        ag = agreements.get_agreement(s, ids["agreement"])
        pm_plans.create_plan(s, ag, site_id=shop["site"], summary="Water heater flush",
                             rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", priority="high",
                             starts_on=date(2026, 12, 1), timezone="America/New_York",
                             est_minutes=45, skill="plumbing")  # fmt: skip


def by_intake(engine, wanted: list[pm_generate.Item]) -> None:
    """The generated orders, created by hand through `intake.create_order` from the plans'
    fields, in the order PM generation creates them."""
    with write_session(engine) as s:
        for item in wanted:
            plan = s.get(MaintenancePlan, item.plan_id)
            agreement = agreements.get_agreement(s, item.agreement)
            lines = pm_plans.checklist_lines(plan)
            span = pm_plans.calendar_for(s, plan.timezone).day_span(item.due_on)
            skill = s.get(Skill, plan.skill_id) if plan.skill_id else None
            req = intake.IntakeRequest(
                summary=plan.summary,
                customer_id=agreement.customer_id,
                site_id=plan.site_id,
                asset_id=plan.asset_id,
                agreement_id=agreement.id,
                description="Checklist:\n" + "\n".join(f"- {c}" for c in lines) if lines else None,
                priority=plan.priority,
                skill=skill.code if skill else None,
                est_minutes=plan.est_minutes,
                window_start=span[0] if span else None,
                window_end=span[1] if span else None,
                source="agreement",
                kind="maintenance",
                external_ref=f"PM-{plan.id}-{item.rule_date.isoformat()}",
            )
            order, created = intake.create_order(s, req, actor="pm-generator")
            assert created and order.number == item.order


def dump(engine) -> dict[str, list[tuple]]:
    """Every table's rows in key order; events per order in their order (without ids).
    Left out: the export change markers (`change_seq` columns, the `change_counter` row),
    which count writes, not what was written (one path writes a row in fewer statements)."""
    tables = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in (PlanOccurrence.__tablename__, "change_counter"):
                continue
            keys = list(table.primary_key.columns) or list(table.columns)
            columns = [c for c in table.columns if c.name != "change_seq"]
            stmt = select(*columns).order_by(*keys)
            tables[table.name] = [tuple(r) for r in conn.execute(stmt)]
        tables["order_event"] = [
            tuple(r)[1:]
            for r in conn.execute(text("SELECT * FROM order_event ORDER BY order_id, id"))
        ]
    return tables


def test_pm_generated_orders_equal_intakes_table_by_table(engine, twin):
    prepare(engine)
    prepare(twin)
    with write_session(engine) as s:
        result = pm_generate.generate(s, THROUGH)
    assert {i.plan_id for i in result.created} == {1, 2} and len(result.created) >= 6
    by_intake(twin, result.created)
    got, want = dump(engine), dump(twin)
    assert got.keys() == want.keys()
    for table in want:
        assert got[table] == want[table], table
    assert len(got["order_sla"]) == 3 + len(result.created)
    # Each date's claim links its order; the high plan's orders run on the agreement's
    # term, the low plan's on the shop's (the creation hook's SLA clock, as for any order).
    with read_session(engine) as s:
        rows = s.exec(
            select(PlanOccurrence.plan_id, WorkOrder.number, OrderSla.policy)
            .join(WorkOrder, WorkOrder.id == PlanOccurrence.order_id)
            .join(OrderSla, OrderSla.order_id == WorkOrder.id)
        ).all()
    assert sorted((p, n) for p, n, _ in rows) == sorted(
        (i.plan_id, i.order) for i in result.created
    )
    assert {(p, policy) for p, _, policy in rows} == {(1, "shop"), (2, "AG-000001")}
