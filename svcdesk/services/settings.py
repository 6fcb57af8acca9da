"""Shop settings stored in the database, with defaults from config."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from svcdesk.config import DEFAULT_SETTINGS
from svcdesk.errors import InvalidInput
from svcdesk.models import Setting

_CACHE = "svcdesk.settings"  # session.info key while `settings_cached` is active


def get_setting(session: Session, key: str) -> str | None:
    cached = session.info.get(_CACHE)
    if cached is not None:
        return cached.get(key)
    row = session.get(Setting, key)
    return row.value if row else DEFAULT_SETTINGS.get(key)


@contextmanager
def settings_cached(session: Session) -> Iterator[None]:
    """Read every setting once for a bulk operation (batch intake): without it a setting
    that is not stored (a default) costs a query on every lookup. `set_setting` keeps the
    cache in step."""
    outer = session.info.get(_CACHE)
    session.info[_CACHE] = all_settings(session)
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(_CACHE, None)
        else:
            session.info[_CACHE] = outer


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
    if session.info.get(_CACHE) is not None:
        session.info[_CACHE][key] = value


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"shop.timezone: unknown time zone {name!r}") from None


def shop_zone(session: Session) -> ZoneInfo:
    """The shop's time zone: times are stored UTC and shown in this zone."""
    return _zone(get_setting(session, "shop.timezone") or "UTC")
