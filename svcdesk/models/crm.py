"""Customers, their sites, contacts and the equipment (assets) at a site."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from svcdesk.clock import now
from svcdesk.models.base import CustomerKind, utc_field


class Customer(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    kind: str = Field(default=CustomerKind.RESIDENTIAL.value)
    phone: str | None = None  # E.164, "+15125550101"
    phone_ext: str | None = None  # extension, "23"
    phone_key: str | None = Field(default=None, index=True)  # national number, 10 digits in US
    email: str | None = None
    email_key: str | None = Field(default=None, index=True)  # lower-cased
    billing_address: str | None = None
    tax_exempt: bool = False
    requires_signature: bool = False
    notes: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    merged_into_id: int | None = None  # merged into that customer (kept for its history)


class Site(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str | None = None
    address: str
    city: str = ""
    state: str = ""
    zip: str = ""
    address_key: str = Field(index=True)  # normalised address + zip, for matching
    lat: float | None = None
    lon: float | None = None
    access_notes: str | None = None
    # Sales tax: the zone's rate; none = the default zone (setting tax.default_zone).
    tax_zone_id: int | None = Field(default=None, foreign_key="tax_zone.id", index=True)


class Contact(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="site.id")
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class Asset(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    kind: str
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    installed_on: date | None = None
    warranty_until: date | None = None
    notes: str | None = None
    retired_on: date | None = None  # taken out of service (kept for its history)
    retired_reason: str | None = None


class PossibleDuplicate(SQLModel, table=True):
    """A caller whose phone or e-mail matched a customer whose name disagreed: the order
    went to a new customer (`customer_id`), `existing_id` is the one it may be. Cleared
    when the two are merged (or the record is dismissed)."""

    __tablename__ = "possible_duplicate"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    existing_id: int = Field(foreign_key="customer.id", index=True)
    matched_on: str  # "phone" or "e-mail"
    order_id: int | None = Field(default=None, foreign_key="work_order.id")
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    actor: str = "system"


class CustomerEvent(SQLModel, table=True):
    """A customer's own history (added, edited, merged): who changed what, and when."""

    __tablename__ = "customer_event"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    at: datetime = utc_field(default_factory=now, nullable=False)
    actor: str = "system"
    on_behalf_of: str | None = None  # the OS user when `actor` is a staff member (`--as`)
    kind: str  # added, edited, merged, merged_into, asset_added, ...
    detail: str | None = None
