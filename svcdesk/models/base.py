"""What the table modules share: UTC columns (`utc_field`), partial indexes, `table_of`,
and the mapper listener that builds a table's foreign-key targets (see __init__.py). The
column type and the enums live in models/core.py (no SQLModel import, for lean reads) and
are re-exported here.

Primary keys are declared `id: int = Field(default=None, primary_key=True)`: None until the
row is flushed, then the database's id. Services only read the ids of stored rows, so the
type checker sees `int` (with `int | None` every use of an id was a type error)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, MetaData, Table, event, text
from sqlalchemy.orm import Mapper
from sqlmodel import Field

from svcdesk.models.core import (  # (the lean module; re-exported for the table modules)
    OPEN_STATUSES,
    CustomerKind,
    OrderKind,
    OrderSource,
    OrderStatus,
    Priority,
    UTCDateTime,
    VisitOutcome,
    VisitStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "CustomerKind",
    "OrderKind",
    "OrderSource",
    "OrderStatus",
    "Priority",
    "UTCDateTime",
    "VisitOutcome",
    "VisitStatus",
    "for_postgresql",
    "partial",
    "table_of",
    "utc_field",
]


def utc_field(*, index: bool = False, nullable: bool = True, default_factory: Any = None) -> Any:
    """A UTC datetime column (optionally filled by `default_factory`, e.g. `clock.now`)."""
    column: Column[datetime] = Column(UTCDateTime(), index=index, nullable=nullable)
    if default_factory is not None:
        return Field(default_factory=default_factory, sa_column=column)
    return Field(default=None, sa_column=column)


def partial(where: str) -> dict:
    """Index options for a partial index (rows matching `where`). Declared for SQLite only:
    naming a `postgresql_` option imports SQLAlchemy's whole PostgreSQL dialect with its
    drivers (~30 ms on every start, SQLite users included); `for_postgresql` gives the
    same indexes the same WHERE before a PostgreSQL schema is created."""
    return {"sqlite_where": text(where)}


def for_postgresql(metadata: MetaData) -> None:
    """Every partial index of `metadata` gets its WHERE on PostgreSQL too (`partial`)."""
    for table in metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None:
                index.dialect_options["postgresql"]["where"] = where


def table_of(model: type) -> Table:
    """A table model's Core table. SQLAlchemy's declarative mapping sets `__table__` on every
    SQLModel table class, but SQLModel does not declare the attribute for type checkers."""
    return model.__table__  # type: ignore[attr-defined]  # set at class creation, undeclared


def _load_referenced(*_args: Any) -> None:
    from svcdesk.models import load_referenced

    load_referenced()


# Every table module imports this one, so the listener is in place before any mapper is
# configured (svcdesk/models/__init__.py, "A table's foreign keys").
if not event.contains(Mapper, "before_configured", _load_referenced):
    event.listen(Mapper, "before_configured", _load_referenced)
