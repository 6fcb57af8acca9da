"""Reporting: the watermark each incremental export (`--incremental NAME`) remembers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class ExportWatermark(SQLModel, table=True):
    """Per export name: everything changed up to `watermark` has been written to a file.

    Advanced only after the export file is completely written and renamed into place."""

    __tablename__ = "export_watermark"

    name: str = Field(primary_key=True)  # chosen by the cron job, e.g. "nightly-orders"
    kind: str  # orders, visits, invoices, ... (a name always exports the same kind)
    watermark: datetime | None = utc_field()
    last_run_at: datetime = utc_field(default_factory=now, nullable=False)
    last_rows: int = 0
    last_path: str | None = None
