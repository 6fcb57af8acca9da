"""Failures that are the input's or the environment's fault, as one line (never a traceback).

Rules refuse what they know (SvcDeskError). What reaches the database or the runtime
unchecked — a 20-digit id, a year-9999 date, a NUL byte, a damaged SQLite file, a wrong
PostgreSQL password — used to end in a traceback (issue 15, item 6). `one_line(exc)` names
the cause in the words of the user's input, or returns None for a real bug (which still
shows its traceback). Connection errors name host, port and database, never the password.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    StatementError,
)

from svcdesk.config import resolve_db_url

DAMAGED = (
    "file is not a database",
    "database disk image is malformed",
    "malformed database schema",
    "file is encrypted",
)


def _where(db: str | None) -> str:
    """'PostgreSQL at host:port, database name' / 'database file X', without a password."""
    try:
        url = make_url(resolve_db_url(db))
    except Exception:  # noqa: BLE001 - describing a URL must never fail
        return "the database"
    if url.get_backend_name() == "sqlite":
        return f"database file {url.database}"
    return (
        f"{url.get_backend_name()} at {url.host or 'localhost'}:{url.port or 5432}, "
        f"database {url.database or '(none)'}"
    )


def _first(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = _first(str(orig))
    # psycopg: 'connection failed: connection to server at "h" (1.2.3.4), port 5 failed: X'
    if "failed:" in text:
        text = text.rsplit("failed:", 1)[1].strip()
    return text


def one_line(exc: BaseException, db: str | None = None) -> str | None:
    """The one line for a failure caused by input or environment, else None."""
    msg = _reason(exc)
    low = msg.lower()
    if isinstance(exc, NoSuchModuleError) or (
        isinstance(exc, ArgumentError) and "url" in str(exc).lower()
    ):
        scheme = (resolve_db_url(db).split("://", 1)[0]) if db else "?"
        return (
            f"--db: unsupported database {scheme!r}; give a SQLite file path or a "
            "postgresql://user@host:port/dbname URL"
        )
    if isinstance(exc, ValueError) and "invalid literal for int" in low and db and "://" in db:
        return "--db: the port in the URL is not a number"
    if any(m in low for m in DAMAGED) or (
        isinstance(exc, sqlite3.DatabaseError) and any(m in low for m in DAMAGED)
    ):
        return f"{_where(db)} is damaged: {msg}; restore a backup with `svcdesk db restore`"
    if isinstance(exc, OperationalError) and _is_connect_error(low):
        return f"cannot connect to {_where(db)}: {_hide(msg, db)}"
    if "nul" in low and ("0x00" in low or "nul byte" in low or "null character" in low):
        return "text cannot contain NUL (\\x00) characters; remove them and try again"
    if "like pattern too complex" in low or "pattern too complex" in low:
        return "search: the term is too long; use fewer characters"
    if isinstance(exc, OverflowError) or "out of range" in low or "too large" in low:
        return f"a number or date is out of range ({msg}); use a smaller value"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read"
    if isinstance(exc, IntegrityError):
        return f"refused by the database (another user may have changed it first): {msg}"
    if isinstance(exc, (DataError, StatementError, ProgrammingError)) and not isinstance(
        exc, DBAPIError
    ):
        return None
    if isinstance(exc, DataError):
        return f"the database refused a value: {msg}"
    return None


def _is_connect_error(low: str) -> bool:
    return any(
        m in low
        for m in (
            "password authentication failed",
            "connection refused",
            "could not translate host name",
            "name or service not known",
            "does not exist",
            "no password supplied",
            "timeout expired",
            "could not connect",
            "unable to open database file",
            "no route to host",
            "server closed the connection",
            "role",
        )
    )


def _hide(msg: str, db: str | None) -> str:
    try:
        password = make_url(resolve_db_url(db)).password
    except Exception:  # noqa: BLE001
        return msg
    return msg.replace(str(password), "***") if password else msg
