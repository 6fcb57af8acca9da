"""Backups, restore, check, audit, migrate-to, file permissions, the acting user."""

from __future__ import annotations

import json
import os
import stat

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from svcdesk.db import make_engine, write_session
from svcdesk.services.orders import lifecycle

runner = CliRunner()


def cli(db, *args, **kw):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db), *args], **kw)


@pytest.mark.sqlite_only
def test_database_and_backups_are_owner_only(db_path, tmp_path, shop):
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    target = tmp_path / "b" / "copy.db"
    assert cli(db_path, "db", "backup", str(target)).exit_code == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


@pytest.mark.sqlite_only
def test_restore_verifies_and_keeps_current_aside(db_path, tmp_path, shop):
    backup = tmp_path / "b.db"
    cli(db_path, "db", "backup", str(backup))
    cli(db_path, "orders", "status", shop["o1"], "cancelled", "--note", "oops")
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    r = cli(db_path, "db", "restore", str(junk), "--yes")
    assert r.exit_code == 1 and "is not an SQLite database" in r.stderr
    r = cli(db_path, "db", "restore", str(tmp_path / "missing.db"), "--yes")
    assert r.exit_code == 1 and "does not exist" in r.stderr
    r = cli(db_path, "db", "restore", str(backup), "--yes")
    assert r.exit_code == 0, r.output
    assert "previous database kept at" in r.stdout
    data = json.loads(cli(db_path, "orders", "show", shop["o1"], "--json").stdout)
    assert data["status"] == "new"
    aside = list(db_path.parent.glob("svcdesk.db.before-restore-*"))
    assert len(aside) == 1
    data = json.loads(cli(aside[0], "orders", "show", shop["o1"], "--json").stdout)
    assert data["status"] == "cancelled"


@pytest.mark.sqlite_only
def test_rotation_keeps_n_days(db_path, engine, shop):
    from datetime import date

    from svcdesk.backups import rotate

    for day in range(1, 6):
        rotate(engine, keep=3, today=date(2026, 11, day))
    assert rotate(engine, keep=3, today=date(2026, 11, 5)) is None  # once per day
    names = sorted(p.name for p in (db_path.parent / "backups").iterdir())
    assert names == ["svcdesk-2026-11-03.db", "svcdesk-2026-11-04.db", "svcdesk-2026-11-05.db"]
    r = cli(db_path, "db", "backup", "--rotate")
    assert r.exit_code == 0 and "backup written" in r.stdout
    assert cli(db_path, "db", "backup").exit_code == 2


def test_check_passes_then_finds_a_broken_trail(db_path, engine, shop):
    r = cli(db_path, "db", "check", "--json")
    assert r.exit_code == 0, r.output
    assert all(v == [] for v in json.loads(r.stdout).values())
    with write_session(engine) as s:  # corrupt: status changed behind the history's back
        s.execute(
            text("UPDATE work_order SET status = 'completed' WHERE number = :n"), {"n": shop["o2"]}
        )
    r = cli(db_path, "db", "check")
    assert r.exit_code == 1
    assert f"{shop['o2']}: status completed but history ends at scheduled" in r.stdout


def test_audit_records_the_acting_user(db_path, shop, monkeypatch):
    monkeypatch.setenv("SVCDESK_USER", "morgan")
    cli(db_path, "orders", "note", shop["o1"], "called back")
    cli(db_path, "--as", "dana", "orders", "status", shop["o1"], "on_hold", "--note", "parts")
    rows = json.loads(cli(db_path, "audit", shop["o1"], "--json").stdout)
    assert [(r["actor"], r["kind"]) for r in rows][-2:] == [("morgan", "note"), ("dana", "status")]
    rows = json.loads(cli(db_path, "audit", "--actor", "dana", "--json").stdout)
    assert [r["order"] for r in rows] == [shop["o1"]]
    r = cli(db_path, "audit", shop["o1"])
    assert r.exit_code == 0 and "morgan" in r.stdout


@pytest.mark.sqlite_only
def test_migrate_to_postgresql_copies_and_verifies(db_path, engine, shop, pg_server):
    url = pg_server.create_database("migrated_target")
    r = cli(db_path, "db", "migrate-to", url.replace("+psycopg", ""))
    assert r.exit_code == 0, r.output
    assert "counts and totals verified" in r.stdout
    pg = make_engine(url)
    with write_session(pg) as s:  # ids continue after the copied ones; numbers too
        order = lifecycle.get_order(s, shop["o1"])
        assert order.summary == "No heat upstairs"
    rows = json.loads(cli(url, "orders", "list", "--json").stdout)
    assert len(rows) == 3
    r = cli(
        url,
        "intake",
        "--customer",
        "New Person",
        "--phone",
        "512-555-4444",
        "--address",
        "1 A St",
        "--summary",
        "Test after migration",
    )
    if r.exit_code == 0:  # the intake command exists: new ids must not collide
        assert "SO-000004" in r.stdout
    r = cli(db_path, "db", "migrate-to", url.replace("+psycopg", ""))
    assert r.exit_code == 1 and "already has rows" in r.stderr
    pg.dispose()
