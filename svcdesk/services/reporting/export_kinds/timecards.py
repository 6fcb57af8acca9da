"""`svcdesk export timecards`: one row per time entry (travel, work, break, shop).

(`--week` gives the payroll day cards instead: services/execution/timecards.py, cli/commands/time.py.)"""

from __future__ import annotations

from sqlalchemy import Integer, cast, func, select
from sqlmodel import col

from svcdesk.models import Technician, WorkOrder
from svcdesk.models.base import table_of
from svcdesk.models.execution import TimeEntry
from svcdesk.services.common.sqlexpr import iso_text, latest, minutes_between
from svcdesk.services.reporting.export_kinds import ExportKind, register_kind


def build():
    t = TimeEntry
    return (
        select(
            t.id.label("id"),
            t.technician_id.label("technician_id"),
            Technician.name.label("technician"),
            WorkOrder.number.label("order"),
            t.visit_id.label("visit_id"),
            t.kind.label("kind"),
            iso_text(t.starts_at).label("starts_at"),
            iso_text(t.ends_at).label("ends_at"),
            cast(func.round(minutes_between(t.starts_at, t.ends_at)), Integer).label("minutes"),
            t.source.label("source"),
            t.note.label("note"),
            t.approved.label("approved"),
            iso_text(t.approved_at).label("approved_at"),
            t.approved_by.label("approved_by"),
            iso_text(t.created_at).label("created_at"),
        )
        .select_from(t)
        .join(Technician, Technician.id == t.technician_id)
        .outerjoin(WorkOrder, WorkOrder.id == t.order_id)
    )


def changed_at():
    """Entries have no edit time: new entries, closing a running one and approvals count.
    (An edit clears the approval, so the re-approved entry is exported again.)"""
    return latest(TimeEntry.created_at, TimeEntry.ends_at, TimeEntry.approved_at)


register_kind(
    ExportKind(
        name="timecards",
        help="Time entries (or, with --week, the payroll day cards of approved time).",
        build=build,
        changed_at=changed_at,
        key=lambda: col(TimeEntry.id),
        changed_table=lambda: table_of(TimeEntry),
    )
)
