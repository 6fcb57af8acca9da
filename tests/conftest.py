"""Shared fixtures: a fresh database per test, a frozen clock, a small fixed dataset."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from svcdesk import clock
from svcdesk.db import make_engine, write_session

# Wednesday 2026-11-25 08:00 in Austin (CST, UTC-6).
FROZEN_NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.delenv("SVCDESK_NOW", raising=False)
    clock.freeze(FROZEN_NOW)
    yield FROZEN_NOW
    clock.freeze(None)


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "svcdesk.db"
    monkeypatch.setenv("SVCDESK_DB", str(path))
    return path


@pytest.fixture
def engine(db_path):
    eng = make_engine(str(db_path))
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    """A write session committed at the end of the test body (use for setup + asserts)."""
    with write_session(engine) as s:
        yield s


@pytest.fixture
def shop(engine):
    """A small fixed dataset: 3 technicians, 2 customers, 3 orders. Returns a dict of ids."""
    from tests.fixtures.shop import build_shop

    return build_shop(engine)
