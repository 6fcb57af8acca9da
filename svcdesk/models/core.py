"""What the lean reads need of the schema, without building a SQLModel class: the UTC
column type, the enums, and SQLAlchemy Core views (`sqlalchemy.table`: names and types
only) of the columns the order list reads.

`svcdesk orders list` and the other short commands pay for what they import: SQLModel,
the ORM and the table classes were ~0.4 s of its ~1 s start (issue 20; Typer itself
brings pydantic). The
order list (services/orders/queries.py), its search (services/common/search.py) and the
settings it reads select from these views; the console and the web app run the same
statements through their ORM sessions. models/base.py re-exports the type and the enums
for the table modules. tests/unit/core/test_core_views.py keeps every column here equal
(name and type) to the real table's, and the list read on either kind of reader the same."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer, String, column, table
from sqlalchemy.types import TypeDecorator


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


ACTIVE_VISIT = (  # a visit that still books its technicians' time
    VisitStatus.SCHEDULED,
    VisitStatus.DISPATCHED,
    VisitStatus.EN_ROUTE,
    VisitStatus.ON_SITE,
)


# ---- Core views of the tables (only the columns lean reads select) --------------------

work_order = table(
    "work_order",
    column("id", Integer),
    column("number", String),
    column("customer_id", Integer),
    column("site_id", Integer),
    column("asset_id", Integer),
    column("kind", String),
    column("priority", String),
    column("priority_rank", Integer),
    column("status", String),
    column("summary", String),
    column("skill_id", Integer),
    column("window_start", UTCDateTime()),
    column("window_end", UTCDateTime()),
    column("sla_due", UTCDateTime()),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
    column("version", Integer),
)
customer = table(
    "customer",
    column("id", Integer),
    column("name", String),
    column("phone", String),
    column("phone_key", String),
    column("email", String),
)
site = table(
    "site",
    column("id", Integer),
    column("address", String),
    column("city", String),
    column("zip", String),
)
skill = table("skill", column("id", Integer), column("code", String))
visit = table(
    "visit",
    column("id", Integer),
    column("order_id", Integer),
    column("starts_at", UTCDateTime()),
    column("status", String),
)
visit_technician = table(
    "visit_technician",
    column("id", Integer),
    column("visit_id", Integer),
    column("technician_id", Integer),
    column("role", String),
)
technician = table(
    "technician",
    column("id", Integer),
    column("name", String),
    column("active", Boolean),
)
setting = table("setting", column("key", String), column("value", String))

VIEWS = (work_order, customer, site, skill, visit, visit_technician, technician, setting)
