"""The shop's own records: tax zones, and the audit trail of changes that are not an
order's (settings, tax zones, sites)."""

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
    entity: str = Field(index=True)
    ref: str
    kind: str
    detail: str | None = None
    data: str | None = None
