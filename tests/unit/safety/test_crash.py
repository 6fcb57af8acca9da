"""kill -9 midway through an import, a PM generation and an export: the database stays
consistent, a re-run completes the work without duplicates, no half-written file remains.

The kill is placed deterministically by tests/support/crashpoint (a profile hook that
SIGKILLs the process on the Nth call of a named function)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from svcdesk.db import read_session
from svcdesk.models import WorkOrder
from svcdesk.services.common.integrity import run_checks

ROOT = Path(__file__).resolve().parents[3]
CRASHPOINT = ROOT / "tests" / "support" / "crashpoint"


def svcdesk(db, *args, crash: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SVCDESK_NOW="2026-11-25T14:00:00Z")
    env.pop("SVCDESK_CRASH", None)
    if crash:
        env["SVCDESK_CRASH"] = crash
        env["PYTHONPATH"] = os.pathsep.join([str(CRASHPOINT), str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "svcdesk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def killed(result) -> bool:
    return result.returncode == -signal.SIGKILL


def consistent(engine) -> None:
    with read_session(engine) as s:
        bad = [r for r in run_checks(s) if not r.ok]
    assert bad == []


def count_orders(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(WorkOrder)).one()


def write_intake(path: Path, rows: int) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["external_ref", "customer", "phone", "address", "zip", "summary", "priority"])
        for i in range(rows):
            w.writerow(
                [
                    f"R{i}",
                    f"Cust {i % 700}",
                    f"512-555-{i % 700:04d}",
                    f"{i % 700} Main St",
                    "78701",
                    "Fix it",
                    "normal",
                ]
            )


def test_killed_import_writes_nothing_and_rerun_completes(db_path, engine, shop, tmp_path):
    src = tmp_path / "in.csv"
    write_intake(src, 2500)
    r = svcdesk(db_path, "intake", "--file", str(src), crash="intake_io/batch.py:_insert_orders:2")
    assert killed(r), r.stderr
    assert count_orders(engine) == 3  # one transaction: the shop's orders only
    consistent(engine)
    r = svcdesk(db_path, "intake", "--file", str(src))
    assert r.returncode == 0, r.stderr
    assert "created 2500, skipped 0" in r.stdout
    r = svcdesk(db_path, "intake", "--file", str(src))
    assert "created 0, skipped 2500" in r.stdout
    assert count_orders(engine) == 3 + 2500
    consistent(engine)


def test_killed_reject_file_is_never_half_written(db_path, engine, shop, tmp_path):
    src = tmp_path / "in.csv"
    write_intake(src, 2500)
    with open(src, "a", newline="") as f:
        csv.writer(f).writerow(["BAD1", "X", "512-555-9999", "1 A St", "78701", "Fix", "urgentish"])
    rejects = tmp_path / "rejects.csv"
    r = svcdesk(
        db_path,
        "intake",
        "--file",
        str(src),
        "--reject-file",
        str(rejects),
        crash="intake_io/batch.py:_insert_orders:2",
    )
    assert killed(r)
    assert not rejects.exists()
    r = svcdesk(db_path, "intake", "--file", str(src), "--reject-file", str(rejects))
    assert r.returncode == 0 and rejects.exists()
    assert "urgentish" in rejects.read_text()
    consistent(engine)


@pytest.fixture
def pm_shop(db_path, engine, shop):
    """One agreement with a monthly maintenance plan at Jane Porter's site."""
    from datetime import date

    from svcdesk.db import write_session
    from svcdesk.services.agreements import agreements, pm_plans

    with write_session(engine) as s:
        ag = agreements.create_agreement(
            s,
            customer_id=shop["customer"],
            name="Comfort Club",
            starts_on=date(2026, 12, 1),
            term_months=36,
        )
        agreements.add_coverage(s, ag, site_id=shop["site"])
        agreements.change_status(s, ag, "active")
        pm_plans.create_plan(
            s,
            ag,
            site_id=shop["site"],
            summary="Monthly RTU check",
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            starts_on=date(2026, 12, 1),
            skill="hvac",
        )
    return db_path


def test_killed_pm_generation_reruns_without_duplicates(pm_shop, engine):
    r = svcdesk(
        pm_shop,
        "pm",
        "generate",
        "--through",
        "2028-11-30",
        # killed inside the batch write: the order rows are in, their events are not
        crash="intake_io/batch.py:_insert_rows:2",
    )
    assert killed(r), r.stdout + r.stderr
    consistent(engine)
    r = svcdesk(pm_shop, "pm", "generate", "--through", "2028-11-30")
    assert r.returncode == 0, r.stderr
    after_first = count_orders(engine)
    r = svcdesk(pm_shop, "pm", "generate", "--through", "2028-11-30")
    assert r.returncode == 0
    assert count_orders(engine) == after_first
    with read_session(engine) as s:
        pm = s.exec(
            select(WorkOrder.summary, WorkOrder.window_start).where(WorkOrder.kind == "maintenance")
        ).all()
    assert len(pm) == len(set(pm)) >= 20
    consistent(engine)


def test_killed_export_leaves_no_file_and_keeps_the_watermark(db_path, engine, shop, tmp_path):
    src = tmp_path / "in.csv"
    write_intake(src, 2500)
    assert svcdesk(db_path, "intake", "--file", str(src)).returncode == 0
    out = tmp_path / "orders.csv"
    r = svcdesk(
        db_path,
        "export",
        "orders",
        "--format",
        "csv",
        "--incremental",
        "nightly",
        "--out",
        str(out),
        crash="services/reporting/exports.py:_chunks:2",
    )
    assert killed(r)
    assert not out.exists()
    r = svcdesk(db_path, "export", "watermarks", "--json")
    assert "nightly" not in r.stdout or json.loads(r.stdout) == []
    r = svcdesk(
        db_path,
        "export",
        "orders",
        "--format",
        "csv",
        "--incremental",
        "nightly",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    with open(out, newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == 1 + 2503
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    consistent(engine)
