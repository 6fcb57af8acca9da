"""Every PostgreSQL session runs with PG_SESSION's settings; a report turns parallel workers
back on for its own transaction only. On SQLite both are no-ops."""

from __future__ import annotations

from sqlalchemy import text

from svcdesk.db import PG_SESSION, parallel_report, read_session


def _show(session, name: str) -> str:
    return session.execute(text(f"SHOW {name}")).scalar_one()


def test_session_settings_and_parallel_reports(engine):
    with read_session(engine) as s:
        if engine.dialect.name != "postgresql":
            parallel_report(s)  # nothing to set, nothing raised
            return
        for name, value in PG_SESSION.items():
            assert _show(s, name) == value
        parallel_report(s, workers=2)
        assert _show(s, "max_parallel_workers_per_gather") == "2"
        s.commit()
        assert _show(s, "max_parallel_workers_per_gather") == "0"
