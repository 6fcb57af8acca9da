"""Schema upgrades: an old database is backed up and upgraded; a newer one is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from svcdesk.db import make_engine, read_session
from svcdesk.schema import SchemaTooNew, head, known_revisions
from svcdesk.services.orders import queries

FIXTURE = Path(__file__).parents[2] / "fixtures" / "schema_v1.sql"


def _v1_database(tmp_path) -> Path:
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript(FIXTURE.read_text())
    con.close()
    return path


@pytest.mark.sqlite_only
def test_first_release_database_is_backed_up_and_upgraded(tmp_path):
    path = _v1_database(tmp_path)
    engine = make_engine(str(path))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
        tables = set(inspect(conn).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    backups = list(tmp_path.glob("shop.db.pre-upgrade-0001_core-*"))
    assert len(backups) == (1 if head() != "0001_core" else 0)
    with read_session(engine) as s:  # the old rows are all there and readable
        rows = queries.list_orders(s)
        assert [r.number for r in rows] == ["SO-000001", "SO-000002"]
        detail = queries.order_detail(s, "SO-000001")
        assert [e.kind for e in detail.events] == ["created", "status", "assigned", "status"]
        assert detail.visits[0].technicians == ["Alice Ng"]
    engine.dispose()


@pytest.mark.sqlite_only
def test_newer_database_is_refused(tmp_path):
    path = _v1_database(tmp_path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    with pytest.raises(SchemaTooNew, match="newer than this svcdesk knows"):
        make_engine(str(path))


def test_revisions_are_a_chain():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(Path(__file__).parents[3] / "svcdesk" / "migrations"))
    assert script.get_current_head() == head()
    assert [r.revision for r in reversed(list(script.walk_revisions()))] == known_revisions()


def test_migrations_match_the_models(tmp_path):
    """Every model change ships a revision: upgrading an empty database through all
    revisions gives exactly the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from svcdesk.models import all_models
    from svcdesk.schema import _upgrade

    all_models()
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    _upgrade(engine, head())
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], diff
