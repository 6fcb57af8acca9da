"""Restore from a backup file, and the automatic daily backup rotation (run by the
console when it opens and by `svcdesk db backup --rotate`)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from svcdesk.clock import now
from svcdesk.db import copy_sqlite, sole_user, sqlite_path
from svcdesk.errors import InvalidInput

REQUIRED_TABLES = {"work_order", "customer", "site", "order_event", "sequence"}


def verify_backup(file: Path) -> dict[str, int]:
    """Check that `file` is an intact svcdesk SQLite database; returns row counts."""
    if not file.is_file():
        raise InvalidInput(f"restore: {file} does not exist")
    with open(file, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise InvalidInput(f"restore: {file} is not an SQLite database")
    conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise InvalidInput(f"restore: {file} failed the integrity check: {result}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = REQUIRED_TABLES - tables
        if missing:
            raise InvalidInput(
                f"restore: {file} is not an svcdesk database (no {', '.join(sorted(missing))})"
            )
        return {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in sorted(REQUIRED_TABLES)
        }
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"restore: {file} is not readable as a database: {exc}") from None
    finally:
        conn.close()


def restore(engine: Engine, file: Path) -> tuple[Path, dict[str, int]]:
    """Replace the live SQLite database with `file` after verifying it. The current
    database is kept aside as `<name>.before-restore-<timestamp>`; returns that path."""
    live = sqlite_path(engine)
    if live is None:
        raise InvalidInput("restore: only file SQLite databases can be restored this way")
    file = file.expanduser().resolve()
    if file == live.resolve():
        raise InvalidInput(f"restore: {file} is the live database")
    counts = verify_backup(file)
    engine.dispose()
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    aside = live.with_name(f"{live.name}.before-restore-{stamp}")
    with sole_user(live, "restore"):  # refused while a console or command has it open
        if live.exists():
            copy_sqlite(live, aside)
        copy_sqlite(file, live)
        for suffix in ("-wal", "-shm"):
            live.with_name(live.name + suffix).unlink(missing_ok=True)
    return aside, counts


def backup_dir(engine: Engine, configured: str | None) -> Path:
    live = sqlite_path(engine)
    if configured:
        return Path(configured).expanduser()
    if live is None:
        raise InvalidInput("backup: only file SQLite databases are backed up automatically")
    return live.parent / "backups"


def rotate(
    engine: Engine, *, keep: int, directory: str | None = None, today: date | None = None
) -> Path | None:
    """Daily backup: write `<db>-YYYY-MM-DD.db` once per day, keep the newest `keep`.
    Returns the new backup's path, or None when today's exists or keep == 0."""
    live = sqlite_path(engine)
    if keep <= 0 or live is None:
        return None
    folder = backup_dir(engine, directory)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    day = (today or now().date()).isoformat()
    target = folder / f"{live.stem}-{day}.db"
    created = None
    if not target.exists():
        copy_sqlite(live, target)
        created = target
    daily = sorted(folder.glob(f"{live.stem}-????-??-??.db"))
    for old in daily[:-keep]:
        old.unlink()
    return created


def rotation_settings(engine: Engine) -> tuple[int, str | None]:
    """(backup.keep_days, backup.dir or None) from the shop's settings."""
    from svcdesk.db import read_session
    from svcdesk.services.common.settings import get_setting

    with read_session(engine) as session:
        raw = get_setting(session, "backup.keep_days") or "0"
        folder = get_setting(session, "backup.dir") or None
    try:
        keep = int(raw)
    except ValueError:
        raise InvalidInput(f"backup.keep_days: {raw!r} is not a whole number of days") from None
    return keep, folder


def daily_backup(engine: Engine) -> Path | None:
    """Today's automatic backup of a SQLite shop file, per the settings: the new file, or
    None when today's already exists, rotation is off (`backup.keep_days` 0) or the database
    is not a SQLite file. Cheap when today's exists (two settings and a directory listing)."""
    if sqlite_path(engine) is None:
        return None
    keep, folder = rotation_settings(engine)
    return rotate(engine, keep=keep, directory=folder)
