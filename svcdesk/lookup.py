"""Read-only look-ups for shell completion: order numbers, technician names, statuses.

A Tab press must answer in well under 150 ms, so for SQLite these read the file with the
standard `sqlite3` module, opened read-only (`mode=ro`, never creating a file), and import
neither SQLAlchemy nor the models (~0.5 s of building table classes); PostgreSQL goes
through SQLAlchemy Core. Any failure (no database yet, a locked or damaged file, no
server) means "no suggestions", never an error: completion must not print into the
user's command line. Lives outside svcdesk/services because importing that package
registers every area's rules (and so every model)."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

from svcdesk.config import resolve_db_url

# The order statuses as the CLI accepts them (`parse_status` reads '-' as '_'), with the
# words a dispatcher uses. tests/cli/test_completion.py keeps them equal to OrderStatus.
ORDER_STATUSES: dict[str, str] = {
    "new": "new",
    "scheduled": "scheduled",
    "dispatched": "dispatched",
    "en-route": "en route",
    "on-site": "on site",
    "on-hold": "on hold",
    "completed": "completed",
    "invoiced": "invoiced",
    "closed": "closed",
    "cancelled": "cancelled",
}
LIMIT = 50  # suggestions per Tab press (a shell shows no more usefully)


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _rows(db: str | None, sql: str, params: dict[str, object]) -> list[tuple]:
    try:
        url = resolve_db_url(db)
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            con = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=0.1)
            try:
                return con.execute(sql, params).fetchall()
            finally:
                con.close()
        from sqlalchemy import create_engine, text

        engine = create_engine(url, connect_args={"connect_timeout": 2})
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql), params)]
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - no suggestions rather than noise on the command line
        return []


def order_numbers(db: str | None, prefix: str) -> list[tuple[str, str]]:
    """(number, summary) of orders whose number starts with `prefix` (any case), newest
    first. A range on the unique index of `number` (stored upper case), so a Tab press
    reads at most LIMIT index entries at any size of shop."""
    low = prefix.strip().upper()
    return [
        (number, summary or "")
        for number, summary in _rows(
            db,
            "SELECT number, summary FROM work_order WHERE number >= :lo AND number < :hi "
            "ORDER BY number DESC LIMIT :n",
            {"lo": low, "hi": low + "\U0010ffff", "n": LIMIT},
        )
    ]


def technician_names(db: str | None, prefix: str) -> list[str]:
    """Names of active technicians starting with `prefix` (any case)."""
    return [
        name
        for (name,) in _rows(
            db,
            "SELECT name FROM technician WHERE active AND lower(name) LIKE :p ESCAPE '\\' "
            "ORDER BY name LIMIT :n",
            {"p": _like(prefix.lower()), "n": LIMIT},
        )
    ]


def order_statuses(prefix: str) -> list[tuple[str, str]]:
    low = prefix.lower().replace("_", "-").replace(" ", "-")
    return [(key, words) for key, words in ORDER_STATUSES.items() if key.startswith(low)]
