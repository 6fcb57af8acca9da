"""`-` is standard input or output on every file option (issue 20): the data alone on
stdout (the command's report goes to stderr), nothing named `-` left behind."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from svcdesk.db import read_session, write_session
from svcdesk.models import WorkOrder
from svcdesk.models.execution import Attachment
from svcdesk.models.inventory import Part
from svcdesk.services.orders import lifecycle
from tests.cli.test_billing_cli import billed  # noqa: F401 - the fixture
from tests.unit.billing import billing_helpers as h
from tests.unit.inventory.helpers import CSV

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "intake"
runner = CliRunner()


def run(db_path, *args, input=None):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args], input=input)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # (a file named '-' would land here)
    yield
    assert not (tmp_path / "-").exists()


def test_pdfs_to_stdout(db_path, billed, engine):  # noqa: F811
    r = run(db_path, "invoices", "create", billed["o1"])
    assert r.exit_code == 0, r.output
    r = run(db_path, "invoices", "pdf", "INV-000001", "--out", "-")
    assert r.exit_code == 0, r.stderr
    assert r.stdout_bytes.startswith(b"%PDF-") and r.stdout_bytes.rstrip().endswith(b"%%EOF")
    assert "INV-000001 written to -" in r.stderr
    r = run(db_path, "quotes", "create", "Replace the unit", "--order", billed["o2"], "--json")
    assert r.exit_code == 0, r.output
    number = json.loads(r.stdout)["number"]
    r = run(db_path, "quotes", "pdf", number, "--out", "-")
    assert r.exit_code == 0 and r.stdout_bytes.startswith(b"%PDF-")


def test_timecards_to_stdout(db_path, engine, shop):
    with write_session(engine) as s:
        o = lifecycle.get_order(s, shop["o1"])
        h.add_time(s, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30")
    assert run(db_path, "time", "approve", "--tech", "Alice", "--day", "2026-11-24").exit_code == 0
    r = run(db_path, "export", "timecards", "--week", "2026-11-24", "--out", "-")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["technician"] for row in rows] == ["Alice Ng"]
    assert "timecards week of 2026-11-23: 1 rows to -" in r.stderr
    r = run(db_path, "export", "timecards", "--week", "2026-11-24", "--out", "-", "--json")
    assert r.stdout.startswith("technician,") and json.loads(r.stderr)["rows"] == 1


def test_route_calendar_to_stdout(db_path, shop):
    r = run(db_path, "dispatch", "route", "Bob", "--date", "2026-11-25", "--ics", "-")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("BEGIN:VCALENDAR") and r.stdout.rstrip().endswith("END:VCALENDAR")
    assert "Bob Ruiz Wed 2026-11-25: 1 stops" in r.stderr and "wrote -" in r.stderr


def test_intake_rejects_to_stdout(db_path, engine, shop):
    r = run(db_path, "intake", "--file", str(FIX / "bad_rows.csv"), "--reject-file", "-")
    assert r.exit_code == 0, r.output
    refs = [row["external_ref"] for row in csv.DictReader(io.StringIO(r.stdout))]
    assert refs == ["B-2", "B-3", "B-4", "B-1", "B-6"]
    assert "created 2, skipped 0, rejected 5" in r.stderr
    assert "5 bad row(s) written to -" in r.stderr


def test_parts_import_from_stdin(db_path, engine, shop):
    r = run(db_path, "parts", "import", "-", input=CSV)
    assert r.exit_code == 0, r.output
    with read_session(engine) as s:
        assert sorted(p.sku for p in s.exec(select(Part))) == ["CAP-35", "R410A"]


def test_attachments_and_signature_from_stdin(db_path, engine, shop):
    r = run(db_path, "attach", "add", shop["o1"], "-", input=b"photo bytes")
    assert r.exit_code == 2 and "needs --name" in r.stderr
    r = run(db_path, "attach", "add", shop["o1"], "-", "--name", "unit.jpg", input=b"photo bytes")
    assert r.exit_code == 0, r.output
    assert "attached photo unit.jpg" in r.stdout
    r = run(db_path, "attach", "sign", shop["o1"], "--signer", "Pat", "--image", "-", input=b"img")
    assert r.exit_code == 0, r.output
    with read_session(engine) as s:
        names = sorted(a.filename for a in s.exec(select(Attachment)))
    assert len(names) == 2 and "unit.jpg" in names


@pytest.mark.sqlite_only
def test_backup_to_stdout_and_restore_from_stdin(db_path, engine, shop, tmp_path):
    r = run(db_path, "db", "backup", "-")
    assert r.exit_code == 0, r.output
    assert "backup written: -" in r.stderr
    copy = tmp_path / "copy.db"
    copy.write_bytes(r.stdout_bytes)
    with sqlite3.connect(copy) as con:
        assert con.execute("SELECT count(*) FROM work_order").fetchone() == (3,)
    r = run(db_path, "db", "restore", "-", input=r.stdout_bytes)
    assert r.exit_code == 2 and "needs --yes" in r.stderr
    r = run(db_path, "db", "restore", "-", "--yes", input=copy.read_bytes())
    assert r.exit_code == 0, r.output
    with read_session(engine) as s:
        assert len(s.exec(select(WorkOrder)).all()) == 3
