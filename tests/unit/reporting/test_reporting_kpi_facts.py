"""KPI facts on the order (first arrival, first invoiced): back-filled by migration
0003_kpi_facts from the history, then kept by the order_event trigger on every write path."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from svcdesk.db import make_engine, write_session
from svcdesk.models import OrderEvent, WorkOrder
from svcdesk.schema import head
from tests.unit.safety.test_schema_upgrade import _v1_database


def _facts(engine, order_id: int):
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT first_arrival_at, first_invoiced_at FROM work_order WHERE id = :i"),
            {"i": order_id},
        ).one()
    return tuple(None if v is None else str(v)[:19] for v in row)


@pytest.mark.sqlite_only
def test_upgrade_backfills_the_facts_from_history(tmp_path):
    path = _v1_database(tmp_path)
    con = sqlite3.connect(path)  # a first-release shop with some later history
    con.executemany(
        "INSERT INTO order_event (order_id, at, actor, kind, from_status, to_status) "
        "VALUES (?, ?, 'x', ?, ?, ?)",
        [
            (1, "2026-11-21 16:00:00.000000", "status", "en_route", "on_site"),  # 2nd arrival
            (1, "2026-11-21 09:30:00.000000", "status", "en_route", "on_site"),  # the first
            (1, "2026-11-21 10:00:00.000000", "note", None, "on_site"),  # not a status event
            (1, "2026-11-23 12:00:00.000000", "status", "completed", "invoiced"),
        ],
    )
    con.commit()
    con.close()
    engine = make_engine(str(path))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
    assert _facts(engine, 1) == ("2026-11-21 09:30:00", "2026-11-23 12:00:00")
    assert _facts(engine, 2) == (None, None)  # never reached on site
    # ... and the trigger keeps them from now on (installed on open)
    with write_session(engine) as s:
        s.add(OrderEvent(order_id=2, at=datetime(2026, 11, 24, 8, tzinfo=UTC), kind="status",
                         from_status="dispatched", to_status="on_site"))  # fmt: skip
    assert _facts(engine, 2) == ("2026-11-24 08:00:00", None)
    engine.dispose()


def _event(at: datetime, to_status: str, kind: str = "status") -> dict:
    return {"at": at, "kind": kind, "to_status": to_status, "actor": "t"}


def test_trigger_keeps_the_first_time_whatever_path_wrote_the_event(engine, shop):
    """ORM adds, Core bulk inserts, out-of-order history: the fact is the earliest event."""
    with write_session(engine) as s:
        order_id = s.query(WorkOrder.id).filter(WorkOrder.number == shop["o1"]).scalar()
    t = lambda d, h: datetime(2026, 11, d, h, tzinfo=UTC)  # noqa: E731
    with write_session(engine) as s:
        s.add(OrderEvent(order_id=order_id, **_event(t(24, 10), "on_site")))
    assert _facts(engine, order_id)[0] == "2026-11-24 10:00:00"
    with write_session(engine) as s:  # a later arrival (return visit) is not the first
        s.execute(
            insert(OrderEvent.__table__), [{"order_id": order_id, **_event(t(25, 9), "on_site")}]
        )
    assert _facts(engine, order_id)[0] == "2026-11-24 10:00:00"
    with write_session(engine) as s:  # history written late but dated earlier wins
        s.execute(
            insert(OrderEvent.__table__),
            [
                {"order_id": order_id, **_event(t(23, 15), "on_site")},
                {"order_id": order_id, **_event(t(22, 15), "on_site", kind="note")},
                {"order_id": order_id, **_event(t(25, 11), "invoiced")},
            ],
        )
    assert _facts(engine, order_id) == ("2026-11-23 15:00:00", "2026-11-25 11:00:00")
    with write_session(engine) as s:  # other orders are untouched
        others = s.query(WorkOrder).filter(WorkOrder.id != order_id).all()
        assert all(o.first_arrival_at is None and o.first_invoiced_at is None for o in others)
