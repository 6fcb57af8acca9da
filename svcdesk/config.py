"""Where the database lives and what the shop's defaults are.

Order of precedence for the database: `--db URL|PATH`, then `SVCDESK_DB`, then
`svcdesk.db` in the directory `typer.get_app_dir("svcdesk")` gives. A bare path means SQLite.
Shop settings (time zone, company details, SLA hours) live in the `setting` table; the
defaults below apply until a shop changes them (`svcdesk settings set KEY VALUE`).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "svcdesk"
DB_ENV = "SVCDESK_DB"
DEFAULT_DB_FILE = "svcdesk.db"

DEFAULT_SETTINGS: dict[str, str] = {
    "shop.timezone": "America/Chicago",
    "company.name": "Lone Star Comfort & Plumbing",
    "company.address": "4100 Burnet Rd, Austin, TX 78756",
    "company.phone": "(512) 555-0100",
    "company.email": "office@lonestarcomfort.example",
    # Response-time targets by priority, hours (the agreements issue refines these).
    "sla.hours.emergency": "4",
    "sla.hours.high": "24",
    "sla.hours.normal": "72",
    "sla.hours.low": "168",
}


def app_dir() -> Path:
    import typer

    return Path(typer.get_app_dir(APP_NAME))


def default_db_path() -> Path:
    return app_dir() / DEFAULT_DB_FILE


def resolve_db_url(db: str | None = None) -> str:
    """Turn `--db` / `SVCDESK_DB` / the default into an SQLAlchemy URL."""
    value = db or os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in value:
        return value
    if value == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def data_dir_for(url: str) -> Path:
    """Directory for files that belong to a database (attachments, backups)."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).parent / "svcdesk-files"
    return app_dir() / "files"
