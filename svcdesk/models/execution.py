"""Field execution: time entries, attachments, signatures and visit checklists.

Stable names (billing reads `TimeEntry`): a time entry belongs to one technician, optionally
to an order and a visit (shop time has neither). `ends_at` is None while the entry is
running (e.g. travel started by "en route" and not yet closed by "arrived"). Only approved
entries count for payroll export."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.clock import now
from svcdesk.models.base import partial, utc_field


class TimeKind(StrEnum):
    TRAVEL = "travel"
    WORK = "work"
    BREAK = "break"
    SHOP = "shop"


class TimeSource(StrEnum):
    AUTO = "auto"  # created from visit progress (en route / arrived / departed)
    MANUAL = "manual"  # entered or corrected by the dispatcher
    PHONE = "phone"  # the technician's time clock on the field app (svcdesk/web)


class TimeEntry(SQLModel, table=True):
    __tablename__ = "time_entry"
    __table_args__ = (
        Index("ix_time_entry_tech_start", "technician_id", "starts_at"),
        # a technician's running entries (time clock, My day, each job page): a few rows,
        # not the technician's whole history (migration 0012)
        Index(
            "ix_time_entry_running",
            "technician_id",
            **partial("ends_at IS NULL"),
        ),
    )

    id: int = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id")
    order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    kind: str = TimeKind.WORK.value
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime | None = utc_field()  # None = still running
    source: str = TimeSource.MANUAL.value
    note: str | None = None
    approved: bool = False
    approved_at: datetime | None = utc_field()
    approved_by: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    created_by: str = "system"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    SIGNATURE = "signature"


class Attachment(SQLModel, table=True):
    """A file copied into `<data dir>/attachments/<sha256[:2]>/<sha256>`; identical files
    are stored once. `stored_path` is relative to the data dir."""

    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    kind: str = AttachmentKind.DOCUMENT.value
    filename: str  # original base name, for display and export
    sha256: str = Field(index=True)
    size_bytes: int
    content_type: str | None = None
    stored_path: str
    caption: str | None = None
    added_at: datetime = utc_field(default_factory=now, nullable=False)
    added_by: str = "dispatcher"


class Signature(SQLModel, table=True):
    """Customer sign-off: the signer's name and time, and an image when one was given."""

    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    signer_name: str
    signed_at: datetime = utc_field(nullable=False)
    attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    recorded_by: str = "dispatcher"


class AnswerType(StrEnum):
    YES_NO = "yes_no"
    NUMBER = "number"
    TEXT = "text"


class ChecklistTemplate(SQLModel, table=True):
    __tablename__ = "checklist_template"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    description: str | None = None
    order_kind: str | None = None  # attached automatically to visits of this order kind
    active: bool = True


class ChecklistTemplateItem(SQLModel, table=True):
    __tablename__ = "checklist_template_item"
    __table_args__ = (UniqueConstraint("template_id", "position"),)

    id: int = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="checklist_template.id", index=True)
    position: int  # 1-based order on the checklist
    label: str
    answer_type: str = AnswerType.YES_NO.value
    unit: str | None = None  # e.g. "psi" for a NUMBER reading
    required: bool = True


class VisitChecklist(SQLModel, table=True):
    """A template attached to a visit (its items are then the visit's questions)."""

    __tablename__ = "visit_checklist"
    __table_args__ = (UniqueConstraint("visit_id", "template_id"),)

    id: int = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    template_id: int = Field(foreign_key="checklist_template.id")
    attached_at: datetime = utc_field(default_factory=now, nullable=False)


class VisitChecklistAnswer(SQLModel, table=True):
    """One answer per item per visit; `value` is normalised text ("yes"/"no", a number, text)."""

    __tablename__ = "visit_checklist_answer"
    __table_args__ = (UniqueConstraint("visit_id", "item_id"),)

    id: int = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    item_id: int = Field(foreign_key="checklist_template_item.id")
    value: str
    answered_at: datetime = utc_field(default_factory=now, nullable=False)
    answered_by: str = "dispatcher"
