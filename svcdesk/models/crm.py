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
    phone: str | None = None
    phone_key: str | None = Field(default=None, index=True)  # digits only, last 10
    email: str | None = None
    email_key: str | None = Field(default=None, index=True)  # lower-cased
    billing_address: str | None = None
    tax_exempt: bool = False
    requires_signature: bool = False
    notes: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)


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
    tax_rate_bp: int = 0  # sales tax in basis points (825 = 8.25 %)


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
