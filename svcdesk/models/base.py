"""Shared column types and enums.

Primary keys are declared `id: int = Field(default=None, primary_key=True)`: None until the
row is flushed, then the database's id. Services only read the ids of stored rows, so the
type checker sees `int` (with `int | None` every use of an id was a type error)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, Table, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, stored as UTC, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(DateTime(timezone=dialect.name != "sqlite"))


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


class Priority(StrEnum):
    EMERGENCY = "emergency"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 = most urgent; used for sorting."""
        return list(Priority).index(self)


class OrderStatus(StrEnum):
    NEW = "new"
    SCHEDULED = "scheduled"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_STATUSES = (
    OrderStatus.NEW,
    OrderStatus.SCHEDULED,
    OrderStatus.DISPATCHED,
    OrderStatus.EN_ROUTE,
    OrderStatus.ON_SITE,
    OrderStatus.ON_HOLD,
)


class OrderKind(StrEnum):
    REPAIR = "repair"
    MAINTENANCE = "maintenance"
    INSTALL = "install"
    INSPECTION = "inspection"
    CALLBACK = "callback"
    ESTIMATE = "estimate"


class OrderSource(StrEnum):
    PHONE = "phone"
    PORTAL = "portal"
    EMAIL = "email"
    AGREEMENT = "agreement"
    IMPORT = "import"
    WALK_IN = "walk_in"


class CustomerKind(StrEnum):
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class VisitOutcome(StrEnum):
    FIXED = "fixed"
    NEEDS_PARTS = "needs_parts"
    NEEDS_RETURN = "needs_return"
    NO_ACCESS = "no_access"
    QUOTED = "quoted"
