"""`db migrate-to` of a SQLite shop holding NUL characters (PostgreSQL refuses them; issue
15, item 6): refused up front with one line naming table, row and column, nothing created
on the target; `--strip-nul` copies with them deleted. Typed text with a NUL is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from svcdesk.db import make_engine
from tests.reliability.contents import contents

runner = CliRunner()


def cli(db, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db), *args])


def public_tables(url: str) -> int:
    eng = make_engine(url, create=False)
    with eng.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        ).scalar()
    eng.dispose()
    return n


@pytest.mark.sqlite_only
def test_migrate_to_refuses_nul_up_front_and_strips_on_request(db_path, engine, shop, pg_server):
    with engine.begin() as conn:  # (written around the rules, as an older release could)
        conn.execute(text("UPDATE customer SET notes = :v WHERE id = 2"), {"v": "gate\x00code"})
        conn.execute(text("UPDATE work_order SET description = :v"), {"v": "a\x00b"})
    url = pg_server.create_database("nul_target").replace("+psycopg", "")
    r = cli(db_path, "db", "migrate-to", url)
    lines = r.stderr.strip().splitlines()
    assert r.exit_code == 1 and len(lines) == 1, r.output[-800:]
    assert lines[0].startswith("error: migrate-to: customer id 2, column notes holds a NUL")
    assert "nothing was written to the target" in lines[0] and "Traceback" not in r.output
    assert public_tables(url) == 0  # no empty tables left behind
    r = cli(db_path, "db", "migrate-to", url, "--strip-nul")
    assert r.exit_code == 0, r.output[-800:]
    pg = make_engine(url, create=False)
    with pg.connect() as conn:
        assert conn.execute(text("SELECT notes FROM customer WHERE id = 2")).scalar() == "gatecode"
        assert set(conn.execute(text("SELECT description FROM work_order")).scalars()) == {"ab"}
    pg.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ["customers", "add", "Nul\x00Name"],
        ["techs", "add", "Nul\x00Tech"],
        ["orders", "note", "SO-000001", "a\x00b"],
        ["customers", "edit", "Jane Porter", "--notes", "x\x00y"],
    ],
    ids=["customer", "technician", "note", "notes"],
)
def test_typed_nul_is_one_line_and_changes_nothing(db_path, shop, args):
    before = contents(db_path)
    r = cli(db_path, *args)
    lines = r.stderr.strip().splitlines()
    assert r.exit_code == 1 and len(lines) == 1 and "NUL" in lines[0], r.output[-500:]
    assert contents(db_path) == before
