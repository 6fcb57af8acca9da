"""Work orders, visits (with their technicians), the append-only event history, notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.clock import now
from svcdesk.models.base import (
    OrderKind,
    OrderSource,
    OrderStatus,
    Priority,
    VisitStatus,
    partial,
    utc_field,
)

OPEN_SQL = "status IN ('new', 'scheduled', 'dispatched', 'en_route', 'on_site', 'on_hold')"


def only_set(column: str) -> dict:
    """Index options for a partial index over the rows where `column` is set: for columns
    that a new order leaves NULL (agreement, completion, KPI facts, ...), so creating an
    order adds no entry to it. SQLite and PostgreSQL still use such an index for any
    condition that implies NOT NULL (`col = ?`, `col >= ?`, `col IS NOT NULL`, a foreign
    key's child look-up), never for `col IS NULL`."""
    return partial(f"{column} IS NOT NULL")


class WorkOrder(SQLModel, table=True):
    __tablename__ = "work_order"
    __table_args__ = (
        Index("ix_work_order_status_priority", "status", "priority_rank"),
        Index("ix_work_order_sla_due", "sla_due"),
        # The job board reads the open orders in priority/SLA order: a partial index over
        # just those rows keeps it a short index walk however long the history grows.
        Index(
            "ix_work_order_open_board",
            "priority_rank",
            "sla_due",
            "id",
            **partial(OPEN_SQL),
        ),
        Index("ix_work_order_asset_id", "asset_id", **only_set("asset_id")),
        Index("ix_work_order_agreement_id", "agreement_id", **only_set("agreement_id")),
    )

    id: int = Field(default=None, primary_key=True)
    number: str = Field(unique=True)  # SO-000123
    customer_id: int = Field(foreign_key="customer.id", index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="asset.id")
    agreement_id: int | None = None
    kind: str = OrderKind.REPAIR.value
    priority: str = Priority.NORMAL.value
    priority_rank: int = 2  # 0 emergency .. 3 low, for sorting
    status: str = Field(default=OrderStatus.NEW.value)
    summary: str
    description: str | None = None
    skill_id: int | None = Field(default=None, foreign_key="skill.id")
    est_minutes: int = 60
    window_start: datetime | None = utc_field()
    window_end: datetime | None = utc_field()
    sla_due: datetime | None = utc_field()
    source: str = OrderSource.PHONE.value
    external_ref: str | None = Field(default=None, unique=True)
    callback_of_id: int | None = Field(default=None, foreign_key="work_order.id")
    hold_reason: str | None = None
    cancel_reason: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    updated_at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    completed_at: datetime | None = utc_field()
    # KPI facts (docs/kpis.md): the first status event to on_site / invoiced, kept by a
    # database trigger on order_event (svcdesk/db_facts.py) whatever path wrote the event.
    first_arrival_at: datetime | None = utc_field()
    first_invoiced_at: datetime | None = utc_field()
    version: int = 1


class Visit(SQLModel, table=True):
    __table_args__ = (Index("ix_visit_start", "starts_at"),)

    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime = utc_field(nullable=False)
    status: str = VisitStatus.SCHEDULED.value
    en_route_at: datetime | None = utc_field()
    arrived_at: datetime | None = utc_field()
    departed_at: datetime | None = utc_field()
    eta_at: datetime | None = utc_field()  # told when going en route (the customer message)
    outcome: str | None = None
    work_performed: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)


class VisitTechnician(SQLModel, table=True):
    """Who goes on a visit. Start/end are copied from the visit so that overlap checks (and,
    on PostgreSQL, an exclusion constraint) work on one table."""

    __tablename__ = "visit_technician"
    __table_args__ = (
        UniqueConstraint("visit_id", "technician_id"),
        Index("ix_visit_tech_time", "technician_id", "starts_at", "ends_at"),
    )

    id: int = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    technician_id: int = Field(foreign_key="technician.id")
    role: str = "lead"  # lead | helper
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime = utc_field(nullable=False)
    active: bool = True  # False once the visit is cancelled
    forced: bool = False  # booked over a refusal (override recorded in history)


class OrderEvent(SQLModel, table=True):
    """Append-only history. kind: created, status, assigned, rescheduled, unassigned, note,
    override, updated, ... `detail` is one human line; `data` optional JSON text."""

    __tablename__ = "order_event"
    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    actor: str = "system"
    on_behalf_of: str | None = None  # the OS user when `actor` is a staff member (`--as`)
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    detail: str | None = None
    data: str | None = None


class Note(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    at: datetime = utc_field(default_factory=now, nullable=False)
    author: str = "dispatcher"
    text: str
