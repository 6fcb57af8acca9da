"""The shop's own records: tax zones, the office staff who may act in the app (`--as`),
and the audit trail of changes that are not an order's (settings, tax zones, sites,
technicians, time entries, staff, price book, parts and stock)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class TaxZone(SQLModel, table=True):
    """A sales-tax jurisdiction: a site bills at its zone's rate, else the default zone's
    (setting `tax.default_zone`)."""

    __tablename__ = "tax_zone"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    rate_bp: int  # basis points: 825 = 8.25 %
    active: bool = True


class ChangeEvent(SQLModel, table=True):
    """Append-only history of records that are not orders: `entity` (setting, tax_zone,
    site), `ref` (the key or id), `kind` (created, edited), a one-line `detail`, and `data`
    JSON with the before and after values."""

    __tablename__ = "change_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    actor: str = "system"
    on_behalf_of: str | None = None  # the OS user when `actor` is a staff member (`--as`)
    entity: str = Field(index=True)
    ref: str
    kind: str
    detail: str | None = None
    data: str | None = None


class Staff(SQLModel, table=True):
    """Someone who works in the office (dispatcher, office, manager) or a technician who
    uses the console: the names `--as` accepts. `name_key` is the lower-cased name, so a
    name is unique whatever its case."""

    __tablename__ = "staff"
    id: int = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    role: str = "dispatcher"  # dispatcher, office, manager, technician
    technician_id: int | None = Field(default=None, foreign_key="technician.id")
    active: bool = True
    created_at: datetime = utc_field(default_factory=now, nullable=False)
