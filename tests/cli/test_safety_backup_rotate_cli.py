"""`svcdesk db backup --rotate` messages: written, already there, off, bad setting, and a
clear refusal when the database is not a file."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from svcdesk.cli.main import app
from svcdesk.db import write_session
from svcdesk.models import Setting
from svcdesk.services.common.settings import set_setting

runner = CliRunner()


def rotate(db):
    return runner.invoke(app, ["--db", str(db), "db", "backup", "--rotate"])


def _set(engine, key, value):
    with write_session(engine) as s:
        if key == "backup.keep_days" and not value.isdigit():
            # (`settings set` refuses it now; a database from before may still hold it)
            s.merge(Setting(key=key, value=value))
        else:
            set_setting(s, key, value)


@pytest.mark.sqlite_only
def test_rotate_messages(db_path, engine, shop):
    r = rotate(db_path)
    assert r.exit_code == 0 and "backup written" in r.stdout
    r = rotate(db_path)
    assert r.exit_code == 0 and "today's backup already exists" in r.stdout
    _set(engine, "backup.keep_days", "0")
    r = rotate(db_path)
    assert r.exit_code == 0 and "daily backups are off" in r.stdout
    _set(engine, "backup.keep_days", "a week")
    r = rotate(db_path)
    assert r.exit_code == 1
    assert "backup.keep_days: 'a week' is not a whole number of days" in r.stderr
    assert "Traceback" not in r.output


def test_rotate_refused_without_a_database_file():
    """A database that is not a file (PostgreSQL, or here an in-memory SQLite) has no
    file to copy: a clear error, not a silent 'already exists'."""
    r = runner.invoke(app, ["--db", "sqlite://", "db", "backup", "--rotate"])
    assert r.exit_code == 1 and "only SQLite files are backed up this way" in r.stderr
