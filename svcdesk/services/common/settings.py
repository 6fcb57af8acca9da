"""Shop settings stored in the database, with defaults from config."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from svcdesk.config import DEFAULT_SETTINGS
from svcdesk.errors import InvalidInput
from svcdesk.models import Setting

T = TypeVar("T")

_CACHE = "svcdesk.settings"  # session.info key while `settings_cached` is active
_DERIVED = "svcdesk.settings.derived"  # values built from settings (see `derived`)


def get_setting(session: Session, key: str) -> str | None:
    cached = session.info.get(_CACHE)
    if cached is not None:
        return cached.get(key)
    row = session.get(Setting, key)
    return row.value if row else DEFAULT_SETTINGS.get(key)


@contextmanager
def settings_cached(session: Session) -> Iterator[None]:
    """Read every setting once for a bulk operation (batch intake, invoicing): without it
    a setting that is not stored (a default) costs a query on every lookup. `set_setting`
    keeps the cache in step. Nested use shares the outer block's cache."""
    if session.info.get(_CACHE) is not None:
        yield
        return
    session.info[_CACHE] = all_settings(session)
    try:
        yield
    finally:
        session.info.pop(_CACHE, None)
        session.info.pop(_DERIVED, None)


def derived(session: Session, name: str, build: Callable[[], T]) -> T:
    """`build()` once per `settings_cached` block for objects made from settings (the work
    calendar, SLA clocks): rebuilt after `set_setting`; built every call outside a block."""
    if session.info.get(_CACHE) is None:
        return build()
    values = session.info.setdefault(_DERIVED, {})
    if name not in values:
        values[name] = build()
    return values[name]


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
    session.info.pop(_DERIVED, None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"shop.timezone: unknown time zone {name!r}") from None


def shop_zone(session: Session) -> ZoneInfo:
    """The shop's time zone: times are stored UTC and shown in this zone."""
    return _zone(get_setting(session, "shop.timezone") or "UTC")
