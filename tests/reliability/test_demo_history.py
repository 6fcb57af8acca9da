"""The demo writes nothing later than now (issue 14): every stamp of something that
happened (created/updated/recorded-at columns, history events) is at or before the
build's now. Future *plans* (visit starts, due dates, SLA targets) are allowed."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import SQLModel

from svcdesk import clock
from svcdesk.db import read_session
from svcdesk.demo import build_demo
from svcdesk.models.base import UTCDateTime

PLANS = {"order_sla.started_at"}  # an SLA clock may start at a promised window (a plan)


def happened_columns():
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if f"{table.name}.{column.name}" in PLANS:
                continue
            if isinstance(column.type, UTCDateTime) and (
                column.name in ("at", "used_at") or column.name.endswith("ed_at")
            ):
                yield table, column


def test_demo_stamps_nothing_in_the_future(engine):
    now = clock.now()
    build_demo(engine, orders=60, seed=7)
    assert clock.now() == now  # (the build restored the clock)
    late = {}
    with read_session(engine) as s:
        for table, column in happened_columns():
            n = len(s.execute(select(column).where(column > now).limit(5)).all())
            if n:
                late[f"{table.name}.{column.name}"] = n
    assert late == {}
