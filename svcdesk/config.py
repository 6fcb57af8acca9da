"""Where the database lives and what the shop's defaults are.

Order of precedence for the database: `--db URL|PATH`, then `SVCDESK_DB`, then
`svcdesk.db` in the directory `app_dir()` gives (click's per-user app folder). A bare path means SQLite.
Shop settings (time zone, company details, SLA hours) live in the `setting` table; the
defaults below apply until a shop changes them (`svcdesk settings set KEY VALUE`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "svcdesk"
DB_ENV = "SVCDESK_DB"
DEFAULT_DB_FILE = "svcdesk.db"

DEFAULT_SETTINGS: dict[str, str] = {
    "shop.timezone": "America/Chicago",
    "company.name": "Lone Star Comfort & Plumbing",
    # A shop's own address, phone and e-mail: empty until `init` or `settings set` gives
    # them (the demo writes its company's); the address's ZIP is the dispatch depot.
    "company.address": "",
    "company.phone": "",
    "company.email": "",
    # Daily backup rotation (`svcdesk db backup --rotate`, and when the console opens).
    "backup.keep_days": "7",
    "backup.dir": "",
    # Mode of exports, calendars, PDFs and reject files: 0600, or 0640 for a group reader.
    "files.mode": "0600",
    # Response-time targets by priority, hours (counted on the clock `sla.clock.<p>` names).
    "sla.hours.emergency": "4",
    "sla.hours.high": "24",
    "sla.hours.normal": "27",
    "sla.hours.low": "45",
    # Agreements/SLA/PM (docs/agreements.md): working hours and holidays, the
    # resolution targets, which clock each priority counts in, alert and follow-up rules.
    "shop.hours": "mon-fri 08:00-17:00",
    "shop.holidays": "2026-11-26,2026-12-25,2027-01-01,2027-05-31,2027-07-05,2027-09-06",
    "sla.resolve_hours.emergency": "24",
    "sla.resolve_hours.high": "72",
    "sla.resolve_hours.normal": "45",
    "sla.resolve_hours.low": "90",
    "sla.clock.emergency": "calendar",
    "sla.clock.high": "calendar",
    "sla.clock.normal": "business",
    "sla.clock.low": "business",
    "sla.at_risk_percent": "25",
    "stale.hours.new": "4",
    "stale.hours.scheduled": "72",
    "stale.hours.dispatched": "8",
    "stale.hours.en_route": "4",
    "stale.hours.on_site": "10",
    "stale.hours.on_hold": "72",
    "stale.hours.completed": "48",
    "recall.window_days": "30",
    "followup.plan": "callback:2,review_request:5",
    # Dispatch (docs/dispatch.md): lunch "earliest-latest start/minutes" ("" = none),
    # travel model (straight line x road factor at an average speed), plan time limit (s).
    "dispatch.lunch": "12:00-13:00/30",
    "dispatch.road_factor": "1.3",
    "dispatch.speed_kmh": "40",
    "dispatch.time_limit": "2",
    # Billing and payroll (read with these defaults before they were listed here).
    "billing.terms_days": "30",
    "billing.quote_valid_days": "30",
    "billing.trip_fee_code": "TRIP",
    "billing.labor_increment_minutes": "15",
    "payroll.overtime.daily_hours": "8",
    "payroll.overtime.weekly_hours": "40",
    # Customer messages (docs/messages.md): which sender each channel uses (off = nothing
    # queued on it), the SMTP server, quiet hours, retries, and each trigger on or off.
    "messages.email.sender": "off",
    "messages.sms.sender": "off",
    "messages.from": "",
    "messages.smtp.host": "",
    "messages.smtp.port": "587",
    "messages.smtp.security": "starttls",
    "messages.smtp.username": "",
    "messages.smtp.password": "",
    "messages.sms.url": "",
    "messages.file.dir": "",
    "messages.quiet_hours": "21:00-08:00",
    "messages.max_attempts": "5",
    "messages.retry_minutes": "5",
    # The web app's address as customers reach it (links in quote/invoice e-mails; "" = none).
    "web.public_url": "",
    **{
        f"messages.on.{t}": "on"
        for t in ("booking", "reminder", "on_my_way", "quote", "invoice", "receipt", "review")
    },
    # Sales tax: the zone a site without its own zone bills in ("" = no tax).
    "tax.default_zone": "",
}
# Each key's type, range and meaning: svcdesk/services/common/settings.py (SPECS).


def default_actor() -> str:
    """Who is recorded in history when `--as` is not given: $SVCDESK_USER or the OS user."""
    import getpass

    try:
        return os.environ.get("SVCDESK_USER") or getpass.getuser()
    except Exception:  # no login name (some containers)
        return "dispatcher"


def app_dir() -> Path:
    """The per-user folder the app keeps its files in (the rule of click's `get_app_dir`,
    which Typer uses, without importing the CLI library below the faces): %APPDATA% on
    Windows, ~/Library/Application Support on macOS, $XDG_CONFIG_HOME or ~/.config elsewhere."""
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
        return Path(base) / APP_NAME
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Application Support")) / APP_NAME
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / APP_NAME.lower().replace(" ", "-")


def default_db_path() -> Path:
    return app_dir() / DEFAULT_DB_FILE


def resolve_db_url(db: str | None = None) -> str:
    """Turn `--db` / `SVCDESK_DB` / the default into an SQLAlchemy URL."""
    value = db or os.environ.get(DB_ENV) or str(default_db_path())
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):  # psycopg 3 is the PostgreSQL driver we ship
            return "postgresql+psycopg://" + value.removeprefix(prefix)
    if "://" in value:
        return value
    if value == ":memory:":
        return "sqlite://"
    # (absolute, symlinks kept: a symlinked database file is refused, not followed)
    return f"sqlite:///{os.path.abspath(Path(value).expanduser())}"


def data_dir_for(url: str) -> Path:
    """Directory for files that belong to a database (attachments, backups)."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).parent / "svcdesk-files"
    return app_dir() / "files"
