"""Concurrent intakes (issue 15, item 5), as separate processes, on both backends (the
PostgreSQL run is the one that failed: split customers, UniqueViolation tracebacks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from svcdesk.db import make_engine, read_session
from svcdesk.models import Customer, WorkOrder

ROOT = Path(__file__).resolve().parents[2]
HEADER = "external_ref,customer,phone,address,zip,summary,priority\n"


def write_file(path: Path, prefix: str, phones: range) -> Path:
    with path.open("w") as fh:
        fh.write(HEADER)
        for i in phones:
            fh.write(f"{prefix}-{i},Caller {i},512-558-{i:04d},{i} Pine St,78701,Job {i},normal\n")
    return path


def run_parallel(db, commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SVCDESK_DB": str(db)}
    env.pop("SVCDESK_NOW", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "svcdesk", "--db", str(db), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for args in commands
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    for r in out:
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == 0, r.stderr
    return out


def customers_by_phone(db) -> dict[str, int]:
    with read_session(make_engine(str(db))) as s:
        rows = s.exec(
            select(Customer.phone_key, func.count())
            .where(Customer.phone_key.like("512558%"))
            .group_by(Customer.phone_key)
        ).all()
    return dict(rows)


def test_parallel_files_sharing_phones_make_one_customer_per_phone(db_path, shop, tmp_path):
    files = [
        write_file(tmp_path / f"f{n}.csv", f"F{n}", range(n * 50, n * 50 + 300)) for n in range(4)
    ]  # overlapping phone ranges: 450 distinct phones
    results = run_parallel(db_path, [["intake", "--file", str(f), "--json"] for f in files])
    assert sum(json.loads(r.stdout)["created"] for r in results) == 1200
    by_phone = customers_by_phone(db_path)
    assert len(by_phone) == 450 and set(by_phone.values()) == {1}
    from typer.testing import CliRunner

    from svcdesk.cli.main import app

    r = CliRunner().invoke(app, ["--db", str(db_path), "db", "check", "--json"])
    assert json.loads(r.stdout)["one customer per phone"] == []


def test_the_same_file_twice_in_parallel_is_skipped_not_a_traceback(db_path, shop, tmp_path):
    f = write_file(tmp_path / "same.csv", "SAME", range(400))
    results = run_parallel(db_path, [["intake", "--file", str(f), "--json"]] * 2)
    created = sorted(json.loads(r.stdout)["created"] for r in results)
    skipped = sorted(json.loads(r.stdout)["skipped"] for r in results)
    assert created == [0, 400] and skipped == [0, 400]


def test_one_external_ref_from_four_single_intakes_creates_one_order(db_path, shop):
    args = [
        "intake",
        "--summary",
        "Leak",
        "--customer",
        "Pat Doe",
        "--phone",
        "512-558-9999",
        "--address",
        "9 Elm St",
        "--external-ref",
        "WEB-77",
        "--json",
    ]
    run_parallel(db_path, [args] * 4)
    with read_session(make_engine(str(db_path))) as s:
        n = s.exec(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.external_ref == "WEB-77")
        ).one()
    assert n == 1 and customers_by_phone(db_path) == {"5125589999": 1}


def test_db_check_reports_split_phone_keys(engine, shop):
    from svcdesk.db import write_session
    from svcdesk.services.common.integrity import run_checks

    with write_session(engine) as s:
        s.add(Customer(name="Twin", phone="512-555-0101", phone_key="5125550101"))
    with read_session(engine) as s:
        found = {r.name: r.problems for r in run_checks(s)}["one customer per phone"]
    assert len(found) == 1 and "5125550101" in found[0] and "2 customers" in found[0]


def test_db_check_leaves_merged_and_recorded_possible_duplicates_alone(engine, shop):
    from svcdesk.db import write_session
    from svcdesk.models import PossibleDuplicate
    from svcdesk.services.common.integrity import run_checks

    def found() -> list[str]:
        with read_session(engine) as s:
            return {r.name: r.problems for r in run_checks(s)}["one customer per phone"]

    with write_session(engine) as s:
        first = s.exec(select(Customer).where(Customer.phone_key == "5125550101")).first()
        assert first is not None
        merged = Customer(name="Old", phone_key="5125550101", merged_into_id=first.id)
        caller = Customer(name="Other Name", phone_key="5125550101")
        s.add(merged)
        s.add(caller)
        s.flush()
        s.add(PossibleDuplicate(customer_id=caller.id, existing_id=first.id, matched_on="phone"))
    assert found() == []
    with write_session(engine) as s:
        s.add(Customer(name="Twin", phone_key="5125550101"))  # unexplained: reported
    assert len(found()) == 1 and "5125550101" in found()[0]
