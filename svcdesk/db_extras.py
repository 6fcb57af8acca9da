"""Database objects beyond the tables: search indexes, PostgreSQL constraints and triggers.

Created idempotently after every schema create/upgrade (`db.init_schema`), so the Alembic
revisions stay portable and an old database gains them on its next open.

- SQLite: FTS5 tables with the trigram tokenizer over customers (name, phone, e-mail) and
  sites (address, city, ZIP), kept in step by triggers, so substring search ("porter",
  "oak st", "0101") is an index lookup instead of a scan.
- PostgreSQL: pg_trgm GIN indexes for the same columns (ILIKE '%x%' uses them), the
  exclusion constraint against double-booking, and NOTIFY triggers for live updates.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

FTS = {
    # fts table: (content table, columns)
    "customer_fts": ("customer", ("name", "phone_key", "email")),
    "site_fts": ("site", ("address", "city", "zip")),
}


def install_extras(engine: Engine) -> None:
    from svcdesk import db_facts  # the KPI facts' trigger (both databases)

    db_facts.install(engine)
    if engine.dialect.name == "sqlite":
        _sqlite_search(engine)
    elif engine.dialect.name == "postgresql":
        _postgres(engine)


def _sqlite_search(engine: Engine) -> None:
    with engine.begin() as conn:
        have = {
            r[0]
            for r in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            )
        }
        for fts, (table, cols) in FTS.items():
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
                    f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
                    f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.id, {old}); "
                    f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.id, {new}); END"
                )
            )
            conn.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))


_TRGM = {
    "ix_customer_name_trgm": "customer USING gin (name gin_trgm_ops)",
    "ix_customer_phone_trgm": "customer USING gin (phone_key gin_trgm_ops)",
    "ix_customer_email_trgm": "customer USING gin (email gin_trgm_ops)",
    "ix_site_address_trgm": "site USING gin (address gin_trgm_ops)",
    "ix_site_city_trgm": "site USING gin (city gin_trgm_ops)",
}


def _postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        exists = conn.execute(
            text("SELECT 1 FROM pg_constraint WHERE conname = 'visit_technician_no_overlap'")
        ).first()
        if not exists:
            conn.execute(text(_NO_OVERLAP))
        for name, target in _TRGM.items():
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {target}"))
        conn.execute(text(_NOTIFY_FN))
        for table in SQLModel.metadata.sorted_tables:
            conn.execute(
                text(
                    f'CREATE OR REPLACE TRIGGER "svcdesk_notify_{table.name}" AFTER INSERT OR UPDATE OR '
                    f'DELETE ON "{table.name}" FOR EACH STATEMENT EXECUTE FUNCTION svcdesk_notify()'
                )
            )


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
