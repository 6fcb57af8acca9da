"""Creating and upgrading the schema on start.

- An empty database gets every table (`create_all`) and is stamped at the newest revision.
- A database at an older revision is backed up (SQLite: a copy next to the file) and
  upgraded with Alembic (`svcdesk/migrations/versions/`).
- A database from a newer svcdesk (unknown revision) is refused with a clear message.
Revision ids are the file names in versions/, so no Alembic import is needed on the fast
path (the database is current)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from svcdesk.errors import SvcDeskError

VERSIONS = Path(__file__).parent / "migrations" / "versions"


class SchemaTooNew(SvcDeskError):
    title = "Database is newer than svcdesk"


class UpgradeFailed(SvcDeskError):
    """A migration failed: the upgrade's one transaction was rolled back."""

    title = "Database upgrade failed"


def known_revisions() -> list[str]:
    """Revision ids in order (file names start with a zero-padded sequence number)."""
    return sorted(p.stem for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def head() -> str:
    return known_revisions()[-1]


def current_revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _stamp(conn, revision: str) -> None:
    conn.execute(
        text(
            "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
    )
    conn.execute(text("DELETE FROM alembic_version"))
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": revision})


def ensure_schema(engine: Engine) -> str | None:
    """Bring the database to the newest schema. Returns the backup path's text when an
    upgrade made one, else None."""
    target = head()
    with engine.connect() as conn:
        current = current_revision(conn)
        has_orders = inspect(conn).has_table("work_order")
    if current == target:
        return None
    if current is None:
        # New database (or one made before migrations existed): create what is missing.
        from sqlmodel import SQLModel

        from svcdesk.models import all_models
        from svcdesk.models.base import for_postgresql

        all_models()
        if engine.dialect.name == "postgresql":
            for_postgresql(SQLModel.metadata)
        with engine.begin() as conn:
            SQLModel.metadata.create_all(conn)
            _stamp(conn, target)
        return None
    if current not in known_revisions():
        raise SchemaTooNew(
            f"this database is at schema {current}, newer than this svcdesk knows ({target}); "
            "upgrade svcdesk (pip install -U svcdesk) before opening it"
        )
    backup = _backup_before_upgrade(engine, current) if has_orders else None
    try:
        _upgrade(engine, target)
    except Exception as exc:  # any migration or Alembic error: rolled back, one line
        raise _failed(engine, current, exc, backup) from exc
    return str(backup) if backup else None


def _backup_before_upgrade(engine: Engine, current: str) -> Path | None:
    from svcdesk.clock import now
    from svcdesk.db import copy_sqlite, sqlite_path

    live = sqlite_path(engine)
    if live is None:
        return None  # PostgreSQL: the operator's pg_dump policy applies; upgrade is transactional
    target = live.with_name(f"{live.name}.pre-upgrade-{current}-{now():%Y%m%dT%H%M%SZ}")
    copy_sqlite(live, target)
    return target


def _failed(engine: Engine, current: str, exc: Exception, backup: Path | None) -> UpgradeFailed:
    """The one line for a failed upgrade. The database is as it was (one transaction), so
    the backup made for this attempt is kept under one name per revision
    (`<db>.pre-upgrade-<rev>-last-try`, replaced by the next failed attempt): three failed
    runs leave one copy, not three."""
    reason = " ".join(str(getattr(exc, "orig", None) or exc).split("\n")[0].split())[:300]
    where = "the database is unchanged"
    if backup is not None:
        kept = backup.with_name(backup.name.rsplit("-", 1)[0] + "-last-try")  # (no stamp)
        backup.replace(kept)
        where = f"the file is unchanged, backup at {kept}"
    elif engine.dialect.name == "sqlite":
        where = "the file is unchanged"
    return UpgradeFailed(
        f"could not upgrade DB from {current}: {reason or type(exc).__name__}; {where}"
    )


def _upgrade(engine: Engine, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
