"""The one source of "now". Tests and snapshots freeze it (`freeze`, or SVCDESK_NOW)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """Aware UTC now (frozen when a test or SVCDESK_NOW says so)."""
    if _frozen is not None:
        return _frozen
    env = os.environ.get("SVCDESK_NOW")
    if env:
        from dateutil import parser as dtparser  # (on use: most runs have no SVCDESK_NOW)

        return to_utc(dtparser.isoparse(env))
    return datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Freeze the clock at `at` (aware); `None` unfreezes."""
    global _frozen
    _frozen = to_utc(at) if at is not None else None


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone first")
    return value.astimezone(UTC)


class at:  # noqa: N801 - reads as `with clock.at(when):`
    """Context manager: run code as if it were `when` (demo history, tests); restores after."""

    def __init__(self, when: datetime):
        self.when = when
        self._saved: datetime | None = None

    def __enter__(self) -> datetime:
        self._saved = _frozen
        freeze(self.when)
        return self.when

    def __exit__(self, *exc) -> None:
        freeze(self._saved)
