"""Reporting: the watermark each incremental export (`--incremental NAME`) remembers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from svcdesk.clock import now
from svcdesk.models.agreements import OrderSla
from svcdesk.models.base import table_of, utc_field
from svcdesk.models.billing import Invoice, Payment
from svcdesk.models.crm import Customer
from svcdesk.models.execution import TimeEntry
from svcdesk.models.inventory import PartUsage
from svcdesk.models.orders import OrderEvent, Visit, WorkOrder, only_set


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
    # The change marker (svcdesk/db_changes.py) up to which everything has been exported:
    # rows with `change_seq >= seq` are the next run's. NULL for a mark kept by a release
    # before 0008 (its next run also takes what changed after `watermark`).
    seq: int | None = Field(default=None, sa_type=BigInteger)


class ChangeCounter(SQLModel, table=True):
    """SQLite's change counter (one row, id 1): bumped by the row triggers inside the
    (serialised) write transaction, so its order is commit order. Unused on PostgreSQL,
    where the marker is the writing transaction's id (svcdesk/db_changes.py)."""

    __tablename__ = "change_counter"

    id: int = Field(primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger)


# The tables incremental exports follow: each gets `change_seq`, set by a database trigger on
# every insert and update (svcdesk/db_changes.py) and indexed for the export's range scan.
# Declared here (not in each area's model) because only exports read it; the ORM does not
# map it, so no service ever writes it by hand.
CHANGE_TRACKED = (WorkOrder, Visit, Customer, Invoice, Payment, TimeEntry, PartUsage)
for _model in CHANGE_TRACKED:
    _table = table_of(_model)
    if "change_seq" not in _table.c:
        _table.append_column(Column("change_seq", BigInteger, nullable=True))
        Index(f"ix_{_table.name}_change_seq", _table.c.change_seq)


# Indexes the KPI cohorts (services/reporting/kpi_cohorts.py) need on other areas' tables, so a year's
# report on a million orders stays index-driven. Declared here, next to their only users.
# Columns a new order leaves NULL get partial indexes (`only_set`): every cohort selects a
# range or `IS NOT NULL` of them, which a partial index serves (migration 0004).
_order = table_of(WorkOrder).c
Index("ix_work_order_completed_at", _order.completed_at, **only_set("completed_at"))
Index("ix_work_order_callback_of_id", _order.callback_of_id, **only_set("callback_of_id"))
# covering: response/closeout times come from the index alone (no table look-ups)
Index("ix_work_order_first_arrival", _order.first_arrival_at, _order.created_at,
      **only_set("first_arrival_at"))  # fmt: skip
Index("ix_work_order_first_invoiced", _order.first_invoiced_at, _order.completed_at,
      **only_set("first_invoiced_at"))  # fmt: skip
Index("ix_order_event_to_status_at", table_of(OrderEvent).c.to_status, table_of(OrderEvent).c.at)
_visit = table_of(Visit).c  # covering for job duration (visits that departed in a period)
Index("ix_visit_departed_on_site", _visit.departed_at, _visit.arrived_at, _visit.status,
      _visit.order_id)  # fmt: skip
# covering for the completed-orders cohort's per-order look-ups (visits, billed amount)
Index("ix_visit_order_status", _visit.order_id, _visit.status)
_inv = table_of(Invoice).c
Index("ix_invoice_order_billed", _inv.order_id, _inv.status, _inv.total_cents, _inv.tax_cents)
Index("ix_order_sla_resolved_at", table_of(OrderSla).c.resolved_at, **only_set("resolved_at"))
