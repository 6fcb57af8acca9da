"""The outbox (docs/messages.md): messages to customers, their attachments, the shop's
edited templates and each customer's messaging preferences.

A message is queued in the same transaction as the event that causes it, with its text
already rendered; `svcdesk messages send` delivers it. `idem_key` (unique) names the event,
channel and recipient, so an event never queues the same message twice, and it is passed
to the provider (the e-mail's Message-ID) so a resend after a crash can be recognised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class Message(SQLModel, table=True):
    __tablename__ = "message"
    id: int = Field(default=None, primary_key=True)
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    actor: str = "system"
    customer_id: int = Field(foreign_key="customer.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    quote_id: int | None = Field(default=None, foreign_key="quote.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    trigger: str  # booking, reminder, on_my_way, quote, invoice, receipt, review
    channel: str  # email | sms
    recipient: str
    subject: str = ""
    body: str
    status: str = Field(default="queued", index=True)  # queued sending sent failed cancelled
    attempts: int = 0
    next_try_at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    sent_at: datetime | None = utc_field()
    provider_id: str | None = None  # what the sender answered (file path, Message-ID)
    last_error: str | None = None
    idem_key: str = Field(unique=True)


class MessageAttachment(SQLModel, table=True):
    """A document sent with a message (the quote or invoice PDF as it was when queued)."""

    __tablename__ = "message_attachment"
    id: int = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    filename: str
    mime: str = "application/pdf"
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MessageTemplate(SQLModel, table=True):
    """The shop's own wording of one trigger on one channel (the built-in one otherwise)."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("trigger", "channel"),)
    id: int = Field(default=None, primary_key=True)
    trigger: str
    channel: str
    subject: str = ""
    body: str
    updated_at: datetime = utc_field(default_factory=now, nullable=False)
    updated_by: str = "system"


class MessagePreference(SQLModel, table=True):
    """A customer's say: consent to messages at all, the channel they prefer, and the
    channels they opted out of (an SMS "STOP"). No row = no consent: nothing is queued."""

    __tablename__ = "message_preference"
    id: int = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", unique=True)
    consent: bool = False
    channel: str = "email"
    email_opt_out: bool = False
    sms_opt_out: bool = False
    updated_at: datetime = utc_field(default_factory=now, nullable=False)
    updated_by: str = "system"
