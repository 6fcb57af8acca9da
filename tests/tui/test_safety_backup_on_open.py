"""The console takes today's automatic backup when it opens (docs/safety.md):
in the background, once a day, per `backup.keep_days` / `backup.dir`; a failure is a
warning, never a crash."""

from __future__ import annotations

import stat

import pytest

from svcdesk.backups import daily_backup, verify_backup
from svcdesk.db import write_session
from svcdesk.models import Setting
from svcdesk.services.common.settings import set_setting
from svcdesk.tui.screens.board import BoardScreen
from tests.tui.helpers import run_app

pytestmark = pytest.mark.sqlite_only  # backups of SQLite files; PostgreSQL has its own tools


def _set(engine, key: str, value: str) -> None:
    with write_session(engine) as s:
        if key == "backup.keep_days" and not value.isdigit():
            # (`settings set` refuses it now; a database from before may still hold it)
            s.merge(Setting(key=key, value=value))
        else:
            set_setting(s, key, value)


async def test_opening_the_console_writes_todays_backup_once(engine, db_path, shop):
    today = db_path.parent / "backups" / "svcdesk-2026-11-25.db"
    async with run_app(engine) as (app, pilot):
        assert isinstance(app.screen, BoardScreen)
        assert app.backup_made == today
    assert stat.S_IMODE(today.stat().st_mode) == 0o600
    first = today.stat().st_mtime_ns
    async with run_app(engine) as (app, pilot):  # second open the same day: nothing to do
        assert app.backup_made is None
    assert today.stat().st_mtime_ns == first
    assert sorted(p.name for p in today.parent.iterdir()) == [today.name]
    assert verify_backup(today)["work_order"] == 3


async def test_rotation_keeps_the_configured_number_of_days(engine, db_path, shop, tmp_path):
    folder = tmp_path / "elsewhere"
    _set(engine, "backup.dir", str(folder))
    _set(engine, "backup.keep_days", "2")
    for day in ("2026-11-22", "2026-11-23", "2026-11-24"):
        (folder / f"svcdesk-{day}.db").parent.mkdir(exist_ok=True)
        (folder / f"svcdesk-{day}.db").write_bytes(b"")
    async with run_app(engine) as (app, pilot):
        assert app.backup_made == folder / "svcdesk-2026-11-25.db"
    assert sorted(p.name for p in folder.iterdir()) == [
        "svcdesk-2026-11-24.db",
        "svcdesk-2026-11-25.db",
    ]
    assert not (db_path.parent / "backups").exists()


async def test_no_backup_when_rotation_is_off_or_not_asked(engine, db_path, shop):
    async with run_app(engine, backup_on_open=False) as (app, pilot):
        assert app.backup_made is None
    assert not (db_path.parent / "backups").exists()
    _set(engine, "backup.keep_days", "0")
    async with run_app(engine) as (app, pilot):
        assert app.backup_made is None
    assert not (db_path.parent / "backups").exists()


async def test_a_failed_backup_is_a_warning_and_the_console_keeps_working(
    engine, db_path, shop, tmp_path
):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the backup folder should be")
    _set(engine, "backup.dir", str(blocker))
    async with run_app(engine) as (app, pilot):
        assert app.backup_made is None
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and warnings[0].message.startswith("daily backup failed:")
        await pilot.press("slash")
        assert isinstance(app.screen, BoardScreen)
    _set(engine, "backup.keep_days", "seven")
    async with run_app(engine) as (app, pilot):
        messages = [n.message for n in app._notifications]
        assert messages == [
            "daily backup failed: backup.keep_days: 'seven' is not a whole number of days"
        ]


def test_daily_backup_is_the_same_rotation_as_the_cli(engine, db_path, shop):
    made = daily_backup(engine)
    assert made == db_path.parent / "backups" / "svcdesk-2026-11-25.db"
    assert daily_backup(engine) is None
