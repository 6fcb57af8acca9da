"""Facts kept on the order for the KPIs: when it FIRST reached on site / invoiced.

`work_order.first_arrival_at` and `first_invoiced_at` equal the time of the order's earliest
status event to `on_site` / `invoiced` (docs/kpis.md). A database trigger on `order_event`
keeps them, so every path that writes history — `events.record`, bulk inserts
(`events.record_many`, intake batches), imports, hand-made test rows — maintains them
without knowing about it; the KPI report then reads one indexed column instead of
searching the history. Installed idempotently on every open (`db_extras.install_extras`);
migration 0003_kpi_facts added the columns and back-filled them from the history.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

# status reached -> the order's column holding its first time
FACTS = {"on_site": "first_arrival_at", "invoiced": "first_invoiced_at"}

TRIGGER = "work_order_kpi_facts"


def _sqlite_trigger() -> str:
    updates = " ".join(
        f"UPDATE work_order SET {col} = NEW.at WHERE id = NEW.order_id "
        f"AND NEW.to_status = '{status}' AND ({col} IS NULL OR {col} > NEW.at);"
        for status, col in FACTS.items()
    )
    statuses = ", ".join(f"'{s}'" for s in FACTS)
    return (
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} AFTER INSERT ON order_event "
        f"WHEN NEW.kind = 'status' AND NEW.to_status IN ({statuses}) BEGIN {updates} END"
    )


def postgres_function() -> str:
    branches = " ".join(
        f"{'IF' if i == 0 else 'ELSIF'} NEW.to_status = '{status}' THEN "
        f"UPDATE work_order SET {col} = NEW.at WHERE id = NEW.order_id "
        f"AND ({col} IS NULL OR {col} > NEW.at);"
        for i, (status, col) in enumerate(FACTS.items())
    )
    return (
        f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$ BEGIN "
        f"IF NEW.kind = 'status' THEN {branches} END IF; END IF; RETURN NULL; "
        "END $$ LANGUAGE plpgsql"
    )


def install_fact_trigger(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        have = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
            {"n": TRIGGER},
        ).first()
        if not have:  # (no write, so no write lock, when it is already there)
            conn.execute(text(_sqlite_trigger()))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(postgres_function()))
        conn.execute(
            text(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT ON order_event "
                f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
            )
        )


def install(engine: Engine) -> None:
    with engine.begin() as conn:
        install_fact_trigger(conn)
