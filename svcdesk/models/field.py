"""The technician's phone (svcdesk/web): enrolled devices, one-time enrolment links and
the idempotency keys of the requests a device sent.

Tokens are random (`secrets`) and only their SHA-256 hashes are stored: a copy of the
database does not let anyone sign in as a technician."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class FieldEnrolment(SQLModel, table=True):
    """A one-time sign-in link for a technician's phone (valid for 15 minutes)."""

    __tablename__ = "field_enrolment"
    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True)
    token_hash: str = Field(unique=True)
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    created_by: str = "dispatcher"
    expires_at: datetime = utc_field(nullable=False)
    used_at: datetime | None = utc_field()
    device_id: int | None = None  # the device the link signed in


class FieldDevice(SQLModel, table=True):
    """A signed-in phone: its long-lived session token (hashed) until revoked."""

    __tablename__ = "field_device"
    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True)
    token_hash: str = Field(unique=True)
    label: str | None = None  # the browser's user agent, shortened
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    created_by: str = "dispatcher"  # who issued the enrolment link
    last_seen_at: datetime | None = utc_field()
    revoked_at: datetime | None = utc_field()
    revoked_by: str | None = None


class FieldRequest(SQLModel, table=True):
    """One applied POST from a device, by its idempotency key: a replay is not applied
    again (the key is written in the same transaction as the change)."""

    __tablename__ = "field_request"
    __table_args__ = (UniqueConstraint("device_id", "idem_key"),)
    id: int | None = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="field_device.id")
    idem_key: str
    action: str
    at: datetime = utc_field(default_factory=now, nullable=False)
