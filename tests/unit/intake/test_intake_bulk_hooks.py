"""Batch intake runs the order hook set-based (covering agreement, SLA clock, recall flag)
from the row data: it must write what `create_order` + `order_hooks.on_order_created`
write, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from svcdesk.clock import now
from svcdesk.db import make_engine, read_session, write_session
from svcdesk.models import OrderEvent, WorkOrder
from svcdesk.models.agreements import OrderSla
from svcdesk.models.followup import RecallFlag
from svcdesk.services.crm import technicians
from svcdesk.services.orders.intake_io import import_source, open_source, run_file_intake
from tests.bench.intake import SKILLS
from tests.fixtures.agreements import make_agreement
from tests.fixtures.shop import build_shop
from tests.unit.intake.test_intake_same_as_create_order import dump, one_by_one

ROWS = """external_ref,customer,phone,address,city,state,zip,summary,priority,kind,skill
H-1,Jane Porter,512-555-0101,1204 Oak Street,Austin,TX,78704,Thermostat dead,high,,hvac
H-2,Jane Porter,(512) 555-0101,1204 Oak St.,Austin,TX,78704,Low airflow,normal,,hvac
H-3,Riverside Cafe,512-555-0303,88 Riverside Dr,Austin,TX,78741,Sink leaks again,normal,,plumbing
H-4,Riverside Cafe,512-555-0303,88 Riverside Dr,Austin,TX,78741,Annual check,low,maintenance,
H-5,New Person,512-555-0999,5 Elm St,Austin,TX,78701,No hot water,emergency,,plumbing
H-6,Riverside Cafe,512-555-0303,12 Lake Rd,Austin,TX,78741,Door heater,normal,,
"""


def prepare(engine) -> dict:
    """The fixed shop, an active agreement over Jane Porter's site (high = 2 h business),
    and Riverside Cafe's order completed three days ago (recall window is 30 days)."""
    shop = build_shop(engine)
    shop |= make_agreement(engine, shop)
    with write_session(engine) as s:
        for code in SKILLS:
            technicians.ensure_skill(s, code)
        s.execute(
            update(WorkOrder)
            .where(WorkOrder.number == shop["o2"])
            .values(status="completed", completed_at=now() - timedelta(days=3))
        )
    return shop


def test_batch_writes_agreement_sla_and_recall(db_path, tmp_path):
    engine = make_engine(str(db_path))
    shop = prepare(engine)
    file = tmp_path / "hooks.csv"
    file.write_text(ROWS)
    result = run_file_intake(engine, str(file))
    assert result.created == 6
    with read_session(engine) as s:
        orders = {
            o.external_ref: o
            for o in s.exec(select(WorkOrder).where(WorkOrder.external_ref.startswith("H-")))
        }
        clocks = {c.order_id: c for c in s.exec(select(OrderSla))}
        flags = {f.order_id: f for f in s.exec(select(RecallFlag))}
        recall_events = {
            e.order_id: e for e in s.exec(select(OrderEvent).where(OrderEvent.kind == "recall"))
        }
        o2 = s.exec(select(WorkOrder).where(WorkOrder.number == shop["o2"])).one()
    covered = orders["H-1"]
    assert covered.agreement_id == shop["agreement_id"]
    assert orders["H-2"].agreement_id == shop["agreement_id"]
    assert {orders[r].agreement_id for r in ("H-3", "H-4", "H-5", "H-6")} == {None}
    # The agreement's high-priority term (2 business hours from 08:00 local) wins.
    assert clocks[covered.id].policy == shop["agreement"]
    assert covered.sla_due == clocks[covered.id].response_due == now() + timedelta(hours=2)
    assert clocks[orders["H-5"].id].policy == "shop"
    assert all(o.sla_due == clocks[o.id].response_due for o in orders.values())
    # Same site as a job completed 3 days ago: a possible recall (not for maintenance, not
    # at the cafe's new site).
    again = orders["H-3"]
    assert set(flags) == set(recall_events) == {again.id}
    assert (flags[again.id].original_id, flags[again.id].match) == (o2.id, "site")
    assert flags[again.id].days_after == 3
    assert recall_events[again.id].detail == f"possible recall of {o2.number} (same site, 3 days)"
    assert recall_events[again.id].actor == "system"


@pytest.mark.sqlite_only
def test_batch_hook_matches_create_order(tmp_path):
    file = tmp_path / "hooks.csv"
    file.write_text(ROWS)
    batch_db, single_db = tmp_path / "batch.db", tmp_path / "single.db"
    batch, single = make_engine(str(batch_db)), make_engine(str(single_db))
    prepare(batch)
    prepare(single)
    with open_source(str(file)) as src, write_session(batch) as s:
        import_source(s, src, actor="import", chunk_size=4)
    one_by_one(single, file)
    batch.dispose()
    single.dispose()
    got, want = dump(batch_db), dump(single_db)
    assert len(got["recall_flag"]) == 1 and len(got["order_sla"]) == 3 + 6
    for table in want:
        assert got[table] == want[table], table
