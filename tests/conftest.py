"""Shared fixtures: a fresh database per test, a frozen clock, a small fixed dataset."""

from __future__ import annotations

import itertools
import os
import shutil
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings

from svcdesk import clock
from svcdesk.db import make_engine, write_session
from svcdesk.models import all_models

# Every table, whatever a test imports: tests read SQLModel.metadata whole (dumps of every
# table); commands build only their own (svcdesk/models/__init__.py), which
# tests/unit/core/test_lazy_models.py checks in fresh processes.
all_models()

# No timed tests: hypothesis neither fails an example for taking long nor calls slow data
# generation unhealthy (a loaded machine is not a bug; speed lives in tests/bench/).
settings.register_profile("svcdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("svcdesk")

# Wednesday 2026-11-25 08:00 in Austin (CST, UTC-6).
FROZEN_NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.delenv("SVCDESK_NOW", raising=False)
    clock.freeze(FROZEN_NOW)
    yield FROZEN_NOW
    clock.freeze(None)


# SVCDESK_TEST_BACKEND=postgresql runs the same suite against a throwaway PostgreSQL
# server (started once per test process); every test gets a fresh database cloned from a
# template that already has the schema. Tests marked `sqlite_only` (SQLite file features:
# the backup API, file permissions) are deselected there, having run in the SQLite pass.
BACKEND = os.environ.get("SVCDESK_TEST_BACKEND", "sqlite")
_db_counter = itertools.count()


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgresql":
        return
    keep = [i for i in items if "sqlite_only" not in i.keywords]
    dropped = [i for i in items if "sqlite_only" in i.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def pg_server():
    from tests.support import pg
    from tests.support.pg import PgServer

    if not pg.available():
        pytest.exit(
            "PostgreSQL tests need initdb and pg_ctl (Debian: apt-get install postgresql)", 2
        )

    server = PgServer().start()
    template = "svcdesk_template"
    url = server.create_database(template)
    engine = make_engine(url)
    engine.dispose()
    server.template = template
    yield server
    server.stop()


@pytest.fixture
def db_path(request, tmp_path, monkeypatch):
    """The test's database: a SQLite file path, or a PostgreSQL URL (str) in PG mode."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        name = f"t{os.getpid()}_{next(_db_counter)}"
        url = server.create_database(name, server.template)
        monkeypatch.setenv("SVCDESK_DB", url)
        yield url
        server.drop_database(name)  # (hundreds of 8 MB copies otherwise fill the disk)
        return
    path = tmp_path / "svcdesk.db"
    shutil.copy2(request.getfixturevalue("sqlite_template"), path)
    monkeypatch.setenv("SVCDESK_DB", str(path))
    yield path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """An empty database with the full schema and search indexes, made once per test
    process; each test starts from a copy (creating ~50 tables per test was the suite's
    biggest single cost)."""
    path = tmp_path_factory.mktemp("template") / "svcdesk.db"
    eng = make_engine(str(path))
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
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
