"""kill -9 between an export and a long intake batch (issue 15, tests): an export killed
while a batch sits inside its transaction, and a batch killed while an export streams its
file. Afterwards the exports that finished hold every committed order exactly once, on both
backends. Interleavings are forced (the batch stopped with SIGSTOP while it holds the write
lock; the export paused inside its snapshot), kills placed by tests/support/crashpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text

from svcdesk.db import is_sqlite
from svcdesk.services.orders.intake_lock import INTAKE_LOCK
from svcdesk.services.reporting import exports
from tests.reliability.test_export_race import Exporter, all_numbers, batch_file, small_order
from tests.unit.safety.test_crash import CRASHPOINT, ROOT, killed, svcdesk


def writer_busy(engine) -> bool:
    """Whether another process holds the write side (SQLite's lock, PostgreSQL's intake lock)."""
    if is_sqlite(engine):
        import sqlite3

        conn = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": INTAKE_LOCK})
        free = got.scalar()
        conn.rollback()
        return not free


def start_batch(db, path) -> subprocess.Popen:
    env = dict(os.environ, SVCDESK_NOW="2026-11-25T14:00:00Z")
    env.pop("SVCDESK_CRASH", None)
    return subprocess.Popen(
        [sys.executable, "-m", "svcdesk", "--db", str(db), "intake", "--file", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def stop_inside_transaction(engine, proc: subprocess.Popen) -> None:
    """SIGSTOP the batch once it holds the write side (polled; the batch never commits
    before it is seen holding it, since it holds it from its first insert to commit)."""
    while proc.poll() is None:
        if writer_busy(engine):
            proc.send_signal(signal.SIGSTOP)
            return
        time.sleep(0.01)
    pytest.fail(f"the batch ended before it was seen writing: {proc.stderr.read()[-500:]}")


@pytest.mark.parametrize(
    "crash",
    ["services/reporting/exports.py:_chunks:2", "services/reporting/exports.py:_advance:1"],
    ids=["killed-while-writing", "killed-before-its-mark"],
)
def test_export_killed_during_a_long_batch_skips_and_repeats_nothing(
    db_path, engine, shop, tmp_path, crash
):
    exporter = Exporter(engine, tmp_path)
    exporter.run()
    small_order(engine, 1)  # (the killed run has a row to write: it never reaches its mark)
    batch = start_batch(db_path, batch_file(tmp_path, 3000))
    try:
        stop_inside_transaction(engine, batch)
        out = tmp_path / "killed.jsonl"
        r = svcdesk(
            db_path, "export", "orders", "--format", "jsonl", "--incremental", "books",
            "--out", str(out), crash=crash,
        )  # fmt: skip
        assert killed(r), r.stderr[-500:]
    finally:
        batch.send_signal(signal.SIGCONT)
    assert batch.wait(300) == 0, batch.stderr.read()[-500:]
    exporter.run()  # the batch's rows and whatever the killed run did not get to store
    assert sorted(exporter.seen) == sorted(all_numbers(engine))
    assert len(exporter.seen) == 3 + 1 + 3000


def test_batch_killed_during_an_export_skips_and_repeats_nothing(
    db_path, engine, shop, tmp_path, monkeypatch
):
    exporter = Exporter(engine, tmp_path)
    exporter.run()
    small_order(engine, 1)
    inside, release = threading.Event(), threading.Event()
    chunks = exports._chunks

    def paused_chunks(session, stmt):  # the export holds its snapshot mid-file
        for chunk in chunks(session, stmt):
            yield chunk
            inside.set()
            assert release.wait(300), "test never released the export"

    monkeypatch.setattr(exports, "_chunks", paused_chunks)
    errors: list[BaseException] = []

    def export():
        try:
            exporter.run()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            inside.set()

    worker = threading.Thread(target=export)
    worker.start()
    try:
        assert inside.wait(120)
        src = batch_file(tmp_path, 3000)
        r = svcdesk(
            db_path, "intake", "--file", str(src), crash="intake_io/batch.py:_insert_orders:2"
        )
        assert killed(r), r.stderr[-500:]
    finally:
        release.set()
        worker.join(300)
    assert not errors
    monkeypatch.setattr(exports, "_chunks", chunks)
    small_order(engine, 2)
    assert svcdesk(db_path, "intake", "--file", str(src)).returncode == 0  # the re-run
    exporter.run()
    assert sorted(exporter.seen) == sorted(all_numbers(engine))
    assert len(exporter.seen) == 3 + 2 + 3000


assert CRASHPOINT.is_dir() and ROOT.is_dir()
