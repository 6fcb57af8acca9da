"""A database whose upgrade fails (issue 15, item 6 follow-up): one line naming the
revision, the cause and the backup, exit 1, the database as it was, and one backup however
many times it is tried (three failed runs used to leave three full copies)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.conftest import BACKEND

runner = CliRunner()
V1 = Path(__file__).parents[1] / "fixtures" / "schema_v1.sql"

# (name, SQL run on a first-release database, its stamp, what the line names)
CASES = [
    ("missing table", "", "0009_field_devices", "no such table: change_event"),
    ("table in the way", "CREATE TABLE staff (x INTEGER);", "0009_field_devices",
     "table staff already exists"),
    ("later table in the way", "CREATE TABLE message (x INTEGER);", "0010_staff",
     "table message already exists"),
]  # fmt: skip


def _tables(path: Path) -> tuple:
    con = sqlite3.connect(path)
    try:
        stamp = con.execute("SELECT version_num FROM alembic_version").fetchall()
        names = con.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
        return stamp, names
    finally:
        con.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("name", "sql", "stamp", "needle"), CASES, ids=[c[0] for c in CASES])
def test_failed_upgrade_is_one_line_unchanged_and_backed_up_once(tmp_path, name, sql, stamp,
                                                                 needle):  # fmt: skip
    from svcdesk.cli.main import app

    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript(V1.read_text() + sql)
    con.execute("UPDATE alembic_version SET version_num = ?", (stamp,))
    con.commit()
    con.close()
    before = _tables(path)
    for _ in range(3):
        r = runner.invoke(app, ["--db", str(path), "db", "init"])
        assert r.exit_code == 1, r.output[-800:]
        assert "Traceback" not in r.output
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr[-800:]
        assert lines[0].startswith(f"error: could not upgrade DB from {stamp}: "), lines[0]
        assert needle in lines[0]
        kept = tmp_path / f"old.db.pre-upgrade-{stamp}-last-try"
        assert lines[0].endswith(f"; the file is unchanged, backup at {kept}")
        assert _tables(path) == before
    backups = sorted(p.name for p in tmp_path.iterdir() if ".pre-upgrade-" in p.name)
    assert backups == [kept.name]
    assert _tables(kept)[0] == before[0]  # (a copy of the database as it was)


@pytest.mark.skipif(BACKEND != "postgresql", reason="the server's transactional DDL")
def test_failed_upgrade_on_postgresql_is_one_line_and_rolled_back(db_path, shop):
    from svcdesk.cli.main import app

    eng = create_engine(db_path)
    with eng.begin() as conn:  # staff exists already: revision 0010 cannot create it
        conn.execute(text("UPDATE alembic_version SET version_num = '0009_field_devices'"))
    r = runner.invoke(app, ["--db", db_path, "db", "init"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not upgrade DB from 0009_field_devices: " in lines[0]
    assert lines[0].endswith("; the database is unchanged")
    with eng.connect() as conn:
        stamp = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    eng.dispose()
    assert stamp == "0009_field_devices"
