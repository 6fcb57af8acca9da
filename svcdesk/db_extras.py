"""Database objects beyond the tables: search indexes, PostgreSQL constraints and triggers.

Created idempotently after every schema create/upgrade (`db.init_schema`), so the Alembic
revisions stay portable and an old database gains them on its next open.

- SQLite: FTS5 tables with the trigram tokenizer over customers (name, phone, e-mail) and
  sites (address, city, ZIP), kept in step by triggers, so substring search ("porter",
  "oak st", "0101") is an index lookup instead of a scan. Bulk inserts (batch intake) turn
  the insert triggers off inside their transaction and index each chunk in one statement
  (`deferred_search_index`).
- PostgreSQL: pg_trgm GIN indexes for the same columns (ILIKE '%x%' uses them), the
  exclusion constraint against double-booking, and NOTIFY triggers for live updates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

FTS = {
    # fts table: (content table, columns)
    "customer_fts": ("customer", ("name", "phone_key", "email")),
    "site_fts": ("site", ("address", "city", "zip")),
}


def install_extras(engine: Engine) -> None:
    from svcdesk import db_facts  # the KPI facts' trigger (both databases)

    if engine.dialect.name == "postgresql":
        _postgres(engine)  # (installs the facts trigger too, once)
        return
    db_facts.install(engine)
    if engine.dialect.name == "sqlite":
        _sqlite_search(engine)
        from svcdesk import db_changes

        with engine.begin() as conn:
            db_changes.install_sqlite(conn)


def _sqlite_search(engine: Engine) -> None:
    with engine.begin() as conn:
        have = {
            r[0]
            for r in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            )
        }
        for fts, (table, cols) in FTS.items():
            _restrict_update_trigger(conn, fts, table, cols)
            if fts in have:
                continue
            col_list = ", ".join(cols)
            new = ", ".join(f"new.{c}" for c in cols)
            old = ", ".join(f"old.{c}" for c in cols)
            conn.execute(
                text(
                    f"CREATE VIRTUAL TABLE {fts} USING fts5({col_list}, content='{table}', "
                    f"content_rowid='id', tokenize='trigram')"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
                    f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new}); END"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
                    f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old}); END"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {col_list} ON {table} BEGIN "
                    f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old}); "
                    f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new}); END"
                )
            )
            conn.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))


def _restrict_update_trigger(conn: Connection, fts: str, table: str, cols) -> None:
    """Databases made before 0008 re-index a row on ANY update; the change marker's own
    update (db_changes) would then re-index every new row, and 'delete' a row a bulk insert
    has not indexed yet (corrupting the index). Re-create it as `AFTER UPDATE OF` the
    indexed columns."""
    sql = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
        {"n": f"{fts}_au"},
    ).scalar()
    if sql is None or " UPDATE OF " in sql:
        return
    col_list = ", ".join(cols)
    conn.execute(text(f"DROP TRIGGER {fts}_au"))
    conn.execute(
        text(sql.replace(f"AFTER UPDATE ON {table}", f"AFTER UPDATE OF {col_list} ON {table}"))
    )


class SearchBacklog:
    """Rows inserted while `deferred_search_index` holds the row triggers off: each chunk
    of new rows is added to its FTS index with one INSERT .. SELECT (about 5x cheaper than
    the trigger's row-by-row inserts)."""

    def __init__(self, conn: Connection, tables: set[str]):
        self.conn = conn
        self.tables = tables  # the content tables whose insert trigger is off

    def index(self, table: str, first_id: int, last_id: int) -> None:
        """Index the rows first_id..last_id of `table` (customer or site)."""
        if table not in self.tables:
            return
        fts, cols = _FTS_OF[table]
        col_list = ", ".join(cols)
        self.conn.execute(
            text(
                f"INSERT INTO {fts}(rowid, {col_list}) SELECT id, {col_list} FROM {table} "
                "WHERE id BETWEEN :first AND :last"
            ),
            {"first": first_id, "last": last_id},
        )


_FTS_OF = {table: (fts, cols) for fts, (table, cols) in FTS.items()}


@contextmanager
def deferred_search_index(conn: Connection) -> Iterator[SearchBacklog | None]:
    """For a bulk insert into the searched tables inside ONE write transaction (batch
    intake). SQLite: drops the AFTER INSERT triggers that keep customer_fts/site_fts in
    step and yields a `SearchBacklog` the caller must feed with every row it inserts;
    the triggers are re-created (same SQL) on the way out. The caller's transaction holds
    the write lock (BEGIN IMMEDIATE), so no other connection can insert meanwhile, and
    none ever sees the triggers missing: they are back before the commit, and a rollback
    restores them too. Updates and deletes keep their triggers. Other databases: yields
    None (pg_trgm indexes are maintained by PostgreSQL itself)."""
    if conn.dialect.name != "sqlite":
        yield None
        return
    names = {f"{fts}_ai": table for fts, (table, _) in FTS.items()}
    triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    found = [(name, sql) for name, sql in triggers if name in names]
    for name, _ in found:
        conn.execute(text(f"DROP TRIGGER {name}"))
    ok = False
    try:
        yield SearchBacklog(conn, {names[name] for name, _ in found})
        ok = True
    finally:
        for _, sql in found:
            if ok:
                conn.execute(text(sql))
            else:  # the transaction is about to be rolled back, which restores them anyway
                with suppress(SQLAlchemyError):
                    conn.execute(text(sql))


_TRGM = {
    "ix_customer_name_trgm": "customer USING gin (name gin_trgm_ops)",
    "ix_customer_phone_trgm": "customer USING gin (phone_key gin_trgm_ops)",
    "ix_customer_email_trgm": "customer USING gin (email gin_trgm_ops)",
    "ix_site_address_trgm": "site USING gin (address gin_trgm_ops)",
    "ix_site_city_trgm": "site USING gin (city gin_trgm_ops)",
    # zip too: site search ORs address/city/zip, and one unindexed column turned the whole
    # OR into a seq scan of every site (272 ms at 220,000 sites)
    "ix_site_zip_trgm": "site USING gin (zip gin_trgm_ops)",
}


def _postgres(engine: Engine) -> None:
    """Install the PostgreSQL extras once per version of them.

    Every open used to re-run the DDL, which takes locks on every table: two processes
    opening at once deadlocked in the catalog, and an open waited behind any long
    transaction. Now the installed version is a fingerprint in the comment on `work_order`;
    a matching fingerprint costs one catalog read. The caller (`db.init_schema`) holds the
    set-up advisory lock, so only one process installs."""
    from svcdesk import db_facts
    from svcdesk.schema import head

    statements = _postgres_statements()
    # The per-table NOTIFY triggers enter the fingerprint as their template and the schema
    # revision (which fixes the tables), so a current database is recognised without
    # building every table class (~0.4 s); they are listed only to be installed.
    mark = (
        "svcdesk-extras "
        + hashlib.sha256(
            "\n".join([*statements, _NOTIFY_TRIGGER, head(), db_facts.postgres_function()]).encode()
        ).hexdigest()[:16]
    )
    with engine.begin() as conn:
        if _pg_mark(conn) == mark:
            return
        for statement in [*statements, *_notify_triggers()]:
            conn.execute(text(statement))
        db_facts.install_fact_trigger(conn)
        conn.execute(text(f"COMMENT ON TABLE work_order IS '{mark}'"))


# Key of the advisory lock that serialises schema set-up between processes (PostgreSQL).
PG_SETUP_LOCK = 0x5D5C_DE5C


def _pg_mark(conn: Connection) -> str | None:
    return conn.execute(
        text("SELECT obj_description(to_regclass('work_order'), 'pg_class')")
    ).scalar()


def _postgres_statements() -> list[str]:
    statements = [
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
        f"'visit_technician_no_overlap') THEN {_NO_OVERLAP}; END IF; END $$",
    ]
    statements += [f"CREATE INDEX IF NOT EXISTS {n} ON {t}" for n, t in _TRGM.items()]
    from svcdesk import db_changes

    statements += db_changes.postgres_statements()
    statements.append(_NOTIFY_FN)
    return statements


_NOTIFY_TRIGGER = (
    'CREATE OR REPLACE TRIGGER "svcdesk_notify_{table}" AFTER INSERT OR UPDATE OR '
    'DELETE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION svcdesk_notify()'
)


def _notify_triggers() -> list[str]:
    from svcdesk.models import all_models

    return [_NOTIFY_TRIGGER.format(table=table.name) for table in all_models()]


# On PostgreSQL the database itself refuses double-booking: no two active, non-forced
# visit_technician rows of one technician may overlap in time. (A dispatcher's forced
# booking is marked `forced` and stays outside the constraint; its override is in history.)
_NO_OVERLAP = (
    "ALTER TABLE visit_technician ADD CONSTRAINT visit_technician_no_overlap "
    "EXCLUDE USING gist (technician_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
    "WHERE (active AND NOT forced)"
)


# Live updates on PostgreSQL: every committed write to any table sends one NOTIFY on
# `svcdesk_changes` (payload: the table), which open consoles LISTEN for (tui/watch.py).
NOTIFY_CHANNEL = "svcdesk_changes"
_NOTIFY_FN = f"""
CREATE OR REPLACE FUNCTION svcdesk_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('{NOTIFY_CHANNEL}', TG_TABLE_NAME);
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
