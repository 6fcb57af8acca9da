"""Every row of every table, to show a refused command changed nothing at all."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import SQLModel

from svcdesk.db import make_engine
from svcdesk.models import all_models

all_models()


def contents(db) -> dict[str, list[tuple]]:
    eng = make_engine(str(db))
    try:
        with eng.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in SQLModel.metadata.sorted_tables
            }
    finally:
        eng.dispose()
