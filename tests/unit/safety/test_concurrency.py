"""Several processes writing one database at once: nothing lost, nothing locked."""

from __future__ import annotations

import multiprocessing as mp

from sqlmodel import func, select

from svcdesk.db import read_session
from svcdesk.models import Note, OrderEvent, WorkOrder
from svcdesk.services.common.integrity import run_checks
from tests.support.hammer import work

WORKERS, ROUNDS = 4, 15


def test_four_writers_lose_nothing(db_path, engine, shop):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=work, args=(str(db_path), w, ROUNDS, queue)) for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [e for r in results for e in r["errors"]]
    assert errors == []  # no "database is locked", no crash
    with read_session(engine) as s:
        orders = s.exec(select(func.count()).select_from(WorkOrder)).one()
        assert orders == 3 + sum(r["created"] for r in results) == 3 + WORKERS * ROUNDS
        numbers = s.exec(select(WorkOrder.number)).all()
        assert len(set(numbers)) == len(numbers)
        assert sorted(numbers)[-1] == f"SO-{orders:06d}"  # gap-free
        assert s.exec(select(func.count()).select_from(Note)).one() == sum(
            r["notes"] for r in results
        )
        note_events = s.exec(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.kind == "note")
        ).one()
        assert note_events == sum(r["notes"] for r in results)
        assert all(r.ok for r in run_checks(s)), [r for r in run_checks(s) if not r.ok]
