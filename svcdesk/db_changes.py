"""Change markers that follow COMMIT order, for incremental exports that cannot skip a row.

Timestamps cannot do this: a batch stamps its rows when it starts and commits minutes
later, a clock can be skewed, a row can be stamped in the future; a watermark taken from
them moves past rows that are not committed yet, and those rows are never exported.
Instead every insert and update of a tracked table (`models/reporting.CHANGE_TRACKED`)
sets the row's `change_seq` in a database trigger, so every path (ORM, Core bulk inserts,
hand-made SQL) gets it:

- SQLite: writers are serialised (one write transaction at a time, BEGIN IMMEDIATE), so a
  counter bumped inside the write transaction (`change_counter`, one row) increases in
  commit order. A reader's snapshot sees counter value C: every row committed later gets
  a value > C.
- PostgreSQL: the writing transaction's id (`pg_current_xact_id()`, 64-bit, never wraps).
  Ids are handed out at a transaction's first write, not in commit order, so the export
  bounds its mark by the oldest transaction still running:
  `pg_snapshot_xmin(pg_current_snapshot())`. Every id below it belongs to a finished
  transaction; a transaction still running (a 30-minute batch) has an id >= it, so its
  rows are taken by the run after it commits, however old their timestamps are.

`mark_now(conn)` gives the export's exclusive upper bound in both cases: rows with
`low <= change_seq < mark` are exactly the rows committed since the last run.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

COUNTER = "change_counter"
FUNCTION = "svcdesk_change_seq"


# The tables of `models/reporting.CHANGE_TRACKED`, by name: every open checks their
# triggers, and importing the models to learn the names built 8 of the 14 model modules
# (~0.2 s) on each start. tests/unit/core/test_lazy_models.py keeps the two equal.
TRACKED_TABLES = (
    "work_order",
    "visit",
    "customer",
    "invoice",
    "payment",
    "time_entry",
    "part_usage",
)


def tracked_tables() -> list[str]:
    return list(TRACKED_TABLES)


def _sqlite_bump(table: str) -> str:
    # One upsert (works even if the counter row was deleted), then stamp the row.
    return (
        f"INSERT INTO {COUNTER} (id, value) VALUES (1, 1) "
        "ON CONFLICT(id) DO UPDATE SET value = value + 1; "
        f"UPDATE {table} SET change_seq = (SELECT value FROM {COUNTER} WHERE id = 1) "
        "WHERE rowid = NEW.rowid;"
    )


def sqlite_triggers() -> dict[str, str]:
    """name -> CREATE TRIGGER. The update trigger skips its own stamping update (the WHEN:
    change_seq changed), so it never loops; other AFTER UPDATE triggers on these tables must
    name their columns (`UPDATE OF ...`) so the stamping update does not fire them."""
    triggers = {}
    for table in tracked_tables():
        triggers[f"{table}_change_ai"] = (
            f"CREATE TRIGGER {table}_change_ai AFTER INSERT ON {table} "
            f"BEGIN {_sqlite_bump(table)} END"
        )
        triggers[f"{table}_change_au"] = (
            f"CREATE TRIGGER {table}_change_au AFTER UPDATE ON {table} "
            f"WHEN NEW.change_seq IS OLD.change_seq BEGIN {_sqlite_bump(table)} END"
        )
    return triggers


def postgres_statements() -> list[str]:
    statements = [
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$ BEGIN "
        "NEW.change_seq := pg_current_xact_id()::text::bigint; RETURN NEW; "
        "END $$ LANGUAGE plpgsql"
    ]
    statements += [
        f'CREATE OR REPLACE TRIGGER "{table}_change" BEFORE INSERT OR UPDATE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        for table in tracked_tables()
    ]
    return statements


def install_sqlite(conn: Connection) -> None:
    """Create the triggers and the counter row that are missing (no write when all are
    there, so an open takes no write lock)."""
    have = {
        r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    }
    for name, sql in sqlite_triggers().items():
        if name not in have:
            conn.execute(text(sql))
    if conn.execute(text(f"SELECT 1 FROM {COUNTER} WHERE id = 1")).first() is None:
        start = max(
            [
                conn.execute(text(f"SELECT coalesce(max(change_seq), 0) FROM {t}")).scalar() or 0
                for t in tracked_tables()
            ]
        )
        conn.execute(text(f"INSERT INTO {COUNTER} (id, value) VALUES (1, :v)"), {"v": start})


def mark_now(conn: Connection) -> int:
    """The exclusive upper bound of what this transaction's snapshot holds for certain: every
    change with `change_seq` below it is committed and visible (or rolled back); every
    change committed later gets a `change_seq` at or above it."""
    if conn.dialect.name == "postgresql":
        xmin = conn.execute(
            text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        ).scalar_one()
        return int(xmin)
    value = conn.execute(text(f"SELECT value FROM {COUNTER} WHERE id = 1")).scalar()
    return int(value or 0) + 1
