"""CliRunner tests for `svcdesk intake`: one order from flags, batches from files/stdin."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlmodel import func, select
from typer.testing import CliRunner

from svcdesk.db import read_session
from svcdesk.models import Customer, OrderEvent, WorkOrder

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "intake"
runner = CliRunner()


def cli(db_path, *args, input=None):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args], input=input)


def n_orders(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(WorkOrder)).one()


CALL = [
    "intake",
    "--customer",
    "Maria Gonzalez",
    "--phone",
    "(512) 555-0142",
    "--address",
    "2107 S Lamar Blvd",
    "--city",
    "Austin",
    "--state",
    "tx",
    "--zip",
    "78704",
    "--summary",
    "No heat",
    "--priority",
    "High",
    "--skill",
    "HVAC",
    "--window-start",
    "11/26/2026 8:00 AM",
    "--window-end",
    "11/26/2026 12:00 PM",
    "--est-minutes",
    "90",
]


def test_single_order_from_flags_prints_its_number(db_path, engine, shop):
    r = cli(db_path, "--as", "sam", *CALL)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == "SO-000004"
    with read_session(engine) as s:
        order = s.exec(select(WorkOrder).where(WorkOrder.number == "SO-000004")).one()
        assert (order.priority, order.source, order.est_minutes) == ("high", "phone", 90)
        assert order.window_start.isoformat() == "2026-11-26T14:00:00+00:00"
        events = s.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
        assert [(e.actor, e.kind) for e in events] == [("sam", "created")]


def test_single_order_json_and_known_external_ref(db_path, engine, shop):
    r = cli(db_path, "--as", "sam", *CALL, "--external-ref", "CALL-9", "--json")
    data = json.loads(r.stdout)
    assert r.exit_code == 0
    assert data["number"] == "SO-000004" and data["created"] is True
    assert data["sla_due"] == "2026-11-26T14:00:00Z" and data["external_ref"] == "CALL-9"
    r = cli(db_path, *CALL, "--external-ref", "CALL-9")
    assert r.exit_code == 0
    assert r.stdout.strip() == "SO-000004 already has external_ref CALL-9; nothing created"
    assert n_orders(engine) == 4


def test_single_order_matches_existing_customer(db_path, engine, shop):
    r = cli(
        db_path,
        "intake",
        "--phone",
        "512.555.0101",
        "--address",
        "1204 Oak St",
        "--zip",
        "78704",
        "--summary",
        "Filter change",
        "--json",
    )
    data = json.loads(r.stdout)
    assert data["customer_id"] == shop["customer"] and data["site_id"] == shop["site"]


def test_single_order_bad_values_one_line_exit_1(db_path, engine, shop):
    r = cli(db_path, *CALL[:-8], "--priority", "urgentish")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "error: priority: 'urgentish' is not one of emergency, high, normal, low"
    )
    r = cli(db_path, *CALL, "--window-end", "whenever")
    assert r.exit_code == 1 and r.stderr.startswith("error: window_end: 'whenever' is not")
    assert "Traceback" not in r.stderr
    assert n_orders(engine) == 3


def test_single_order_dry_run(db_path, engine, shop):
    r = cli(db_path, *CALL, "--dry-run")
    assert r.exit_code == 0 and r.stdout.strip() == "dry run: would create SO-000004"
    assert n_orders(engine) == 3


def test_file_and_flags_are_mutually_exclusive(db_path, engine, shop):
    r = cli(db_path, "intake", "--file", str(FIX / "orders.json"), "--summary", "x")
    assert r.exit_code == 2 and "don't combine it with --summary" in r.stderr
    r = cli(db_path, "intake")
    assert r.exit_code == 2 and "give either --file F" in r.stderr
    r = cli(db_path, "intake", "--reject-file", "r.csv", "--summary", "x")
    assert r.exit_code == 2
    assert n_orders(engine) == 3


def test_file_import_summary_and_rerun(db_path, engine, shop):
    path = str(FIX / "ugly_bom_crlf.csv")
    r = cli(db_path, "intake", "--file", path)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (  # no progress bar when piped
        "created 3, skipped 0, rejected 0\n"
        "callers: 2 matched an existing customer, 1 new, 0 flagged as possible duplicates\n"
    )
    r = cli(db_path, "intake", "--file", path, "--json")
    data = json.loads(r.stdout)
    assert {k: data[k] for k in ("created", "skipped", "rejected", "format")} == {
        "created": 0,
        "skipped": 3,
        "rejected": 0,
        "format": "csv",
    }
    assert n_orders(engine) == 6


def test_file_with_bad_rows_prints_one_line_and_writes_nothing(db_path, engine, shop):
    path = str(FIX / "bad_rows.csv")
    r = cli(db_path, "intake", "--file", path)
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: 5 bad row(s); nothing imported (--reject-file FILE ")
    assert f"; first: {path} row 2, column window_start: '13/45/2026 9:00' is not" in lines[0]
    assert r.stdout == ""
    assert n_orders(engine) == 3


def test_reject_file_imports_good_rows(db_path, engine, shop, tmp_path):
    rejects = tmp_path / "rejects.csv"
    r = cli(db_path, "intake", "--file", str(FIX / "bad_rows.csv"), "--reject-file", str(rejects))
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "created 2, skipped 0, rejected 5",
        "callers: 0 matched an existing customer, 2 new, 0 flagged as possible duplicates",
        f"5 bad row(s) written to {rejects}",
    ]
    with rejects.open(newline="") as f:
        assert [row["external_ref"] for row in csv.DictReader(f)] == [
            "B-2",
            "B-3",
            "B-4",
            "B-1",
            "B-6",
        ]
    assert n_orders(engine) == 5


def test_dry_run_file(db_path, engine, shop):
    r = cli(db_path, "intake", "--file", str(FIX / "orders.jsonl"), "--dry-run", "--json")
    data = json.loads(r.stdout)
    assert r.exit_code == 0 and data["dry_run"] is True and data["created"] == 2
    assert n_orders(engine) == 3


def test_stdin(db_path, engine, shop):
    data = (FIX / "orders.json").read_text()
    r = cli(db_path, "intake", "--file", "-", input=data)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == (
        "created 2, skipped 0, rejected 0\n"
        "callers: 1 matched an existing customer, 1 new, 0 flagged as possible duplicates"
    )
    r = cli(db_path, "intake", "--file", "-", "--format", "jsonl", input=data)
    assert r.exit_code == 1  # a JSON array is not JSON Lines: one line per bad row
    assert "row 1, not valid JSON" in r.stderr
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Customer)).one() == 3


def test_missing_column_and_unknown_columns(db_path, engine, shop, tmp_path):
    path = str(FIX / "missing_column.csv")
    r = cli(db_path, "intake", "--file", path)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"error: {path}: missing required column summary")
    assert len(r.stderr.strip().splitlines()) == 1
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "external_ref,customer,phone,address,summary,Gate Code\nE-1,Al,512-555-0188,1 Elm,Leak,1234\n"
    )
    r = cli(db_path, "intake", "--file", str(extra))
    assert r.exit_code == 0 and "note: ignored unknown column 'Gate Code'" in r.stderr


def test_help_lists_the_flags(db_path):
    r = cli(db_path, "intake", "--help")
    assert r.exit_code == 0
    for flag in ("--file", "--reject-file", "--dry-run", "--window-start", "--external-ref"):
        assert flag in r.stdout


def test_progress_bar_on_a_terminal(db_path, engine, shop, monkeypatch):
    from svcdesk.cli.commands import intake as intake_cmd

    calls = []
    monkeypatch.setattr(intake_cmd, "_show_progress", lambda src: calls.append(src.name) or True)
    path = str(FIX / "ugly_bom_crlf.csv")
    r = cli(db_path, "intake", "--file", path)
    assert r.exit_code == 0, r.stderr
    assert calls == [path]
    assert r.stdout.strip().endswith(
        "created 3, skipped 0, rejected 0\n"
        "callers: 2 matched an existing customer, 1 new, 0 flagged as possible duplicates"
    )


def test_nul_byte_in_a_file_is_one_line_exit_1(db_path, engine, shop, tmp_path):
    f = tmp_path / "nul.csv"
    f.write_text(
        "external_ref,customer,phone,address,summary\nN-1,Ann Lee,512-555-0131,1 Elm St,a\x00b\n",
        encoding="utf-8",
    )
    before = n_orders(engine)
    r = cli(db_path, "intake", "--file", str(f))
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines() == [
        f"error: 1 bad row(s); nothing imported (--reject-file FILE imports the good rows and "
        f"writes the bad ones there); first: {f} row 1, column summary: holds a NUL (\\x00) "
        "character; remove it"
    ]
    assert "Traceback" not in r.output
    assert n_orders(engine) == before
