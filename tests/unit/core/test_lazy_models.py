"""A command builds only the tables it uses (svcdesk/models/__init__.py): the lazy package
stays complete (every foreign key's table is built before the ORM needs it; all_models()
gives every table) and its hand-kept lists match the models. The command checks run in a
fresh interpreter: this test process has every table (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel

from svcdesk import db_changes
from svcdesk.models import REFERENCES, all_models
from svcdesk.models.base import for_postgresql, table_of
from svcdesk.models.reporting import CHANGE_TRACKED

ROOT = Path(__file__).resolve().parents[3]

# Runs `svcdesk ARGS` in this interpreter, then prints what it loaded as JSON on stderr.
PROBE = """
import json, sys
sys.argv = ["svcdesk", *sys.argv[1:]]
from svcdesk.cli.main import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
modules = sorted(sys.modules)  # (before the import below)
from sqlmodel import SQLModel
print(json.dumps({"code": code, "tables": sorted(SQLModel.metadata.tables),
                  "modules": modules}), file=sys.stderr)
"""


def probe(db, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), SVCDESK_DB=str(db))
    r = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    found = json.loads(r.stderr.strip().splitlines()[-1])
    assert found["code"] == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return found


def test_references_are_the_foreign_keys_between_model_modules():
    module_of = {
        table_of(m.class_).name: m.class_.__module__.rsplit(".", 1)[1]
        for m in SQLModel._sa_registry.mappers  # type: ignore[attr-defined]
    }
    found: dict[str, set[str]] = defaultdict(set)
    for table in all_models():
        for fk in table.foreign_keys:
            here, there = module_of[table.name], module_of[fk.column.table.name]
            if here != there:
                found[here].add(there)
    assert {k: tuple(sorted(v)) for k, v in found.items()} == REFERENCES


def test_the_change_trigger_tables_are_the_tracked_models():
    assert tuple(table_of(m).name for m in CHANGE_TRACKED) == db_changes.TRACKED_TABLES


def test_all_models_gives_every_table_in_foreign_key_order():
    tables = all_models()
    assert {t.name for t in tables} == set(SQLModel.metadata.tables)
    seen: set[str] = set()
    for t in tables:
        assert {fk.column.table.name for fk in t.foreign_keys} - {t.name} <= seen, t.name
        seen.add(t.name)


def test_partial_indexes_get_the_same_where_on_postgresql():
    all_models()
    for_postgresql(SQLModel.metadata)
    partial = [
        i for t in SQLModel.metadata.tables.values() for i in t.indexes
        if i.dialect_options["sqlite"]["where"] is not None
    ]  # fmt: skip
    assert len(partial) >= 9
    for index in partial:
        ddl = str(CreateIndex(index).compile(dialect=postgresql.dialect()))
        assert f"WHERE {index.dialect_options['sqlite']['where']}" in ddl


def test_listing_orders_builds_no_table_class(db_path, shop):
    # `orders list` reads on SQLAlchemy Core (db.read_connection, models/core.py's views):
    # no SQLModel, no ORM, no table class (issue 20)
    found = probe(db_path, "orders", "list")
    models = {m.rsplit(".", 1)[1] for m in found["modules"] if m.startswith("svcdesk.models.")}
    assert models == {"core"}
    assert found["tables"] == []
    heavy = {"jinja2", "scourgify", "dateutil", "fpdf", "sqlmodel", "sqlalchemy.orm"}
    if not str(db_path).startswith("postgresql"):  # (there it is the database's dialect)
        heavy.add("sqlalchemy.dialects.postgresql")
    assert not heavy & set(found["modules"])
    assert not [m for m in found["modules"] if m.startswith("svcdesk.services.messages")]


def test_writes_load_what_they_need_on_first_use(db_path, shop):
    # a new order runs the agreements area's hooks (loaded on the first call) and flushes
    # rows whose foreign keys name tables of modules nobody imported by hand
    found = probe(
        db_path, "intake", "--customer", "Lazy Load Diner", "--phone", "512-555-0199",
        "--address", "1 Lazy Ln", "--city", "Austin", "--zip", "78701",
        "--summary", "No heat",
    )  # fmt: skip
    assert "svcdesk.services.agreements.order_hooks" in found["modules"]
    probe(db_path, "orders", "status", shop["o1"], "on_hold", "--note", "waiting for parts")
    probe(db_path, "orders", "note", shop["o1"], "called the customer")


def test_a_fresh_write_checks_text_lengths_whatever_it_imported(db_path, shop):
    # the flush-time check is installed on the first session (db.when_sessions), not by
    # whichever service module happened to import normalize.py
    env = dict(os.environ, PYTHONPATH=str(ROOT), SVCDESK_DB=str(db_path))
    r = subprocess.run(
        [sys.executable, "-m", "svcdesk", "orders", "note", shop["o1"], "x" * 10_001],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert r.returncode == 1
    assert "text (note): 10,001 characters; at most 10,000 are accepted" in r.stderr
