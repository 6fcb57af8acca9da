"""Customer links (svcdesk/web, docs/customer-links.md): unguessable, expiring links a
customer opens without an account: view and approve a quote, view and download an
invoice, ask for service.

Only the SHA-256 hash of a link's token is stored: a copy of the database does not let
anyone open a customer's documents. What a customer did through a link (the name they
typed, their signature, when and from where) is kept on the link row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Column, Field, SQLModel

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class CustomerLink(SQLModel, table=True):
    __tablename__ = "customer_link"
    id: int = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    kind: str  # quote | invoice | request
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    quote_id: int | None = Field(default=None, foreign_key="quote.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    created_by: str = "dispatcher"
    expires_at: datetime = utc_field(nullable=False)
    revoked_at: datetime | None = utc_field()
    revoked_by: str | None = None
    opened_at: datetime | None = utc_field()  # first time the customer opened it
    used_at: datetime | None = utc_field()  # a quote decided, a request sent
    signer: str | None = None  # the name typed when approving
    signature_png: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    client: str | None = None  # the address the decision came from
    uses: int = 0  # requests sent through a request link
