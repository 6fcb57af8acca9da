"""`svcdesk export visits`: one row per visit, lead technician and helpers by name."""

from __future__ import annotations

from sqlalchemy import Integer, and_, cast, func, select
from sqlmodel import col

from svcdesk.models import Technician, Visit, VisitTechnician, WorkOrder
from svcdesk.models.base import table_of
from svcdesk.services.common.sqlexpr import iso_text, latest, minutes_between
from svcdesk.services.reporting.export_kinds import ExportKind, register_kind


def _crew(role: str):
    names = (
        select(func.aggregate_strings(col(Technician.name), "; "))
        .select_from(VisitTechnician)
        .join(Technician, col(Technician.id) == col(VisitTechnician.technician_id))
        .where(and_(col(VisitTechnician.visit_id) == Visit.id, col(VisitTechnician.role) == role))
    )
    return names.scalar_subquery()


def build():
    v = Visit
    return (
        select(
            v.id.label("id"),
            WorkOrder.number.label("order"),
            WorkOrder.status.label("order_status"),
            v.status.label("status"),
            _crew("lead").label("lead"),
            _crew("helper").label("helpers"),
            iso_text(v.starts_at).label("starts_at"),
            iso_text(v.ends_at).label("ends_at"),
            iso_text(v.en_route_at).label("en_route_at"),
            iso_text(v.arrived_at).label("arrived_at"),
            iso_text(v.departed_at).label("departed_at"),
            cast(func.round(minutes_between(v.arrived_at, v.departed_at)), Integer).label(
                "on_site_minutes"
            ),
            v.outcome.label("outcome"),
            v.work_performed.label("work_performed"),
            iso_text(v.created_at).label("created_at"),
        )
        .select_from(v)
        .join(WorkOrder, WorkOrder.id == v.order_id)
    )


def changed_at():
    """A visit changes when it is created, its times are recorded, or its order is touched
    (booking, rescheduling and cancelling all bump the order's updated_at)."""
    return latest(
        Visit.created_at,
        Visit.en_route_at,
        Visit.arrived_at,
        Visit.departed_at,
        WorkOrder.updated_at,
    )


register_kind(
    ExportKind(
        name="visits",
        help="Visits with crew, scheduled and actual times, outcome.",
        build=build,
        changed_at=changed_at,
        key=lambda: col(Visit.id),
        change_tables=lambda: (table_of(Visit), table_of(WorkOrder)),
    )
)
