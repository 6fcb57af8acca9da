"""Noticing that the database changed (another console, a nightly import, this app).

One small interface, `ChangeWatcher.changed() -> bool`, polled by the app about once a
second. SQLite: `PRAGMA data_version` on a dedicated connection — it changes whenever any
other connection commits, costs microseconds and takes no lock. Other databases fall back
to a cheap high-water mark over the order history (every order change writes an event);
PostgreSQL can implement the same interface with LISTEN/NOTIFY later.
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

from sqlalchemy import Engine, func, select

from svcdesk.db import BUSY_TIMEOUT_MS, sqlite_path


class ChangeWatcher(Protocol):
    def changed(self) -> bool:
        """True when something was committed since the last call."""

    def close(self) -> None: ...


class SQLiteDataVersionWatcher:
    def __init__(self, path) -> None:
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        self._last = self._version()

    def _version(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        current = self._version()
        if current != self._last:
            self._last = current
            return True
        return False

    def close(self) -> None:
        self._conn.close()


class HighWaterWatcher:
    """Portable fallback: max(order_event.id) and max(work_order.updated_at)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._last = self._mark()

    def _mark(self):
        from svcdesk.models import OrderEvent, WorkOrder

        with self._engine.connect() as conn:
            ev = conn.execute(select(func.max(OrderEvent.id))).scalar()
            up = conn.execute(select(func.max(WorkOrder.updated_at))).scalar()
        return ev, up

    def changed(self) -> bool:
        mark = self._mark()
        if mark != self._last:
            self._last = mark
            return True
        return False

    def close(self) -> None:
        pass


class PostgresNotifyWatcher:
    """PostgreSQL: LISTEN on the channel every table's trigger NOTIFYs (svcdesk/db.py)."""

    def __init__(self, engine: Engine) -> None:
        import psycopg

        from svcdesk.db_extras import NOTIFY_CHANNEL

        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = psycopg.connect(url, autocommit=True)
        self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

    def changed(self) -> bool:
        return any(True for _ in self._conn.notifies(timeout=0))

    def close(self) -> None:
        self._conn.close()


def make_watcher(engine: Engine) -> ChangeWatcher:
    path = sqlite_path(engine)
    if path is not None:
        return SQLiteDataVersionWatcher(path)
    if engine.dialect.name == "postgresql":
        return PostgresNotifyWatcher(engine)
    return HighWaterWatcher(engine)
