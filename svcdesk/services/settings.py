"""Shop settings stored in the database, with defaults from config."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from svcdesk.config import DEFAULT_SETTINGS
from svcdesk.errors import InvalidInput
from svcdesk.models import Setting


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else DEFAULT_SETTINGS.get(key)


def all_settings(session: Session) -> dict[str, str]:
    values = dict(DEFAULT_SETTINGS)
    values.update({s.key: s.value for s in session.exec(select(Setting))})
    return values


def set_setting(session: Session, key: str, value: str) -> None:
    if key == "shop.timezone":
        _zone(value)
    row = session.get(Setting, key)
    if row:
        row.value = value
    else:
        session.add(Setting(key=key, value=value))
    session.flush()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"shop.timezone: unknown time zone {name!r}") from None


def shop_zone(session: Session) -> ZoneInfo:
    """The shop's time zone: times are stored UTC and shown in this zone."""
    return _zone(get_setting(session, "shop.timezone") or "UTC")
