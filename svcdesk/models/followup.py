"""Follow-up tasks after completion and possible-recall flags (rules in services/agreements/)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class FollowUpKind(StrEnum):
    CALLBACK = "callback"  # call the customer: is everything working?
    INSPECTION = "inspection"
    REVIEW_REQUEST = "review_request"


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_up"

    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    kind: str
    due_at: datetime = utc_field(nullable=False, index=True)
    done_at: datetime | None = utc_field()
    done_by: str | None = None
    note: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)


class RecallStatus(StrEnum):
    POSSIBLE = "possible"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class RecallFlag(SQLModel, table=True):
    """A new order on the same asset/site soon after a completed one: a possible recall."""

    __tablename__ = "recall_flag"

    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", unique=True)
    original_id: int = Field(foreign_key="work_order.id", index=True)
    match: str  # "asset" or "site"
    days_after: int
    status: str = Field(default=RecallStatus.POSSIBLE.value, index=True)
    decided_at: datetime | None = utc_field()
    decided_by: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)
