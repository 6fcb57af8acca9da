"""The rows behind every KPI: one SELECT per cohort, each row = (g, order_id, measures...).

`g` is the group key (technician, skill or customer id; 0 when ungrouped). The KPI values
(services/reporting/kpis.py) reduce these rows, and the dashboard's drill-down lists their
`order_id`s, so a number and the orders behind it always come from the same query."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Integer, Select, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from svcdesk.models import (
    OPEN_STATUSES,
    OrderEvent,
    OrderStatus,
    Technician,
    Visit,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.models.agreements import OrderSla
from svcdesk.models.base import UTCDateTime
from svcdesk.models.billing import Invoice, InvoiceStatus
from svcdesk.models.execution import TimeEntry, TimeKind
from svcdesk.models.inventory import PartUsage
from svcdesk.services.billing.invoices import OPEN
from svcdesk.services.common.sqlexpr import greatest, least, minutes_between
from svcdesk.services.reporting.kpi_scope import (
    GroupBy,
    KpiFilter,
    Period,
    filter_orders,
    needs_order,
    order_group_key,
)

RECALL_DAYS = 30
CANCELLED = OrderStatus.CANCELLED.value
BILLED_STATUSES = (InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)
LABOR_KINDS = (TimeKind.WORK.value, TimeKind.TRAVEL.value)


def _ts(value: datetime):
    return literal(value, UTCDateTime())


def _in(column, p: Period):
    return and_(column >= p.start, column < p.end)


def _in_scope(id_column, flt: KpiFilter, *conds):
    """The period's rows. Unfiltered: `id IN (SELECT id ... WHERE conds)`, a set of ids that
    SQLite visits in id order, so every per-row look-up into visits, invoices, time entries
    or crews walks those tables' order/visit indexes forward instead of jumping about the
    file (about twice as fast at a million orders; PostgreSQL plans it as a semi-join).
    Filtered, the plain conditions, so the filter's own index can lead."""
    if any(v is not None for v in flt.__dict__.values()):
        return and_(*conds)
    return id_column.in_(select(id_column).where(*conds).correlate(None))


def _orders(by: GroupBy | None, flt: KpiFilter, *measures) -> Select:
    stmt = select(
        order_group_key(by).label("g"), col(WorkOrder.id).label("order_id"), *measures
    ).select_from(WorkOrder)
    return filter_orders(stmt, flt)


def created(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    return _orders(by, flt).where(_in(WorkOrder.created_at, p))


def completed(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Orders completed in the period, with what FTF, recall and job costing need."""
    visits = (
        select(func.count(col(Visit.id)))
        .where(
            col(Visit.order_id) == WorkOrder.id, col(Visit.status) != VisitStatus.CANCELLED.value
        )
        .scalar_subquery()
    )
    callback = aliased(WorkOrder)
    first_callback = (  # one pass over the (indexed) callbacks, not one search per order
        select(col(callback.callback_of_id).label("of"), func.min(callback.created_at).label("at"))
        .where(col(callback.callback_of_id).is_not(None), col(callback.status) != CANCELLED)
        .group_by(col(callback.callback_of_id))
        .subquery()
    )
    within = minutes_between(WorkOrder.completed_at, first_callback.c.at) <= RECALL_DAYS * 1440
    recalled = case((and_(first_callback.c.at.is_not(None), within), 1), else_=0)
    billed = (
        select(func.sum(Invoice.total_cents - Invoice.tax_cents))
        .where(col(Invoice.order_id) == WorkOrder.id, col(Invoice.status).in_(BILLED_STATUSES))
        .scalar_subquery()
    )
    seconds = cast(
        func.round(minutes_between(TimeEntry.starts_at, TimeEntry.ends_at) * 60), Integer
    )
    # The rate by primary key per entry: as a join, PostgreSQL hashed the whole technician
    # table for every order (4 s of a 1M-order year report).
    rate = (
        select(col(Technician.hourly_cost_cents))
        .where(col(Technician.id) == col(TimeEntry.technician_id))
        .scalar_subquery()
    )
    labor = (  # sum of seconds x hourly cost (cents): /3600 and rounding happen in Python
        select(func.sum(seconds * rate))
        .select_from(TimeEntry)
        .where(
            col(TimeEntry.order_id) == WorkOrder.id,
            col(TimeEntry.kind).in_(LABOR_KINDS),
            col(TimeEntry.ends_at).is_not(None),
        )
        .scalar_subquery()
    )
    parts = (  # each usage's extended cost rounded half-up to the cent, as billing does
        select(func.sum((PartUsage.unit_cost_cents * PartUsage.qty_milli + 500) // 1000))
        .where(col(PartUsage.order_id) == WorkOrder.id)
        .scalar_subquery()
    )
    return (
        _orders(
            by,
            flt,
            visits.label("visits"),
            recalled.label("recalled"),
            billed.label("billed"),
            labor.label("labor_x"),
            parts.label("parts"),
        )
        .outerjoin(first_callback, first_callback.c.of == WorkOrder.id)
        .where(_in_scope(WorkOrder.id, flt, _in(WorkOrder.completed_at, p)))
    )


def _first_event(to_status: str, p: Period):
    """Join condition: the order's FIRST status event to `to_status`, if it is in `p`."""
    e, e2 = aliased(OrderEvent), aliased(OrderEvent)
    earlier = exists().where(
        col(e2.order_id) == e.order_id,
        col(e2.kind) == "status",
        col(e2.to_status) == to_status,
        or_(col(e2.at) < e.at, and_(col(e2.at) == e.at, col(e2.id) < e.id)),
    )
    cond = and_(
        col(e.order_id) == col(WorkOrder.id),
        col(e.kind) == "status",
        col(e.to_status) == to_status,
        _in(e.at, p),
        ~earlier,
    )
    return e, cond


def cancelled(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    e, cond = _first_event(CANCELLED, p)
    return _orders(by, flt).join(e, cond)


def responded(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Orders whose first arrival (first move to on_site) is in the period. The time of
    that first status event is kept on the order (`first_arrival_at`, svcdesk/db_facts.py)."""
    minutes = minutes_between(WorkOrder.created_at, WorkOrder.first_arrival_at)
    return _orders(by, flt, minutes.label("minutes")).where(_in(WorkOrder.first_arrival_at, p))


def invoiced(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Orders first moved to invoiced in the period (`first_invoiced_at`, kept like
    `first_arrival_at`): hours since completion."""
    hours = minutes_between(WorkOrder.completed_at, WorkOrder.first_invoiced_at) / 60.0
    return _orders(by, flt, hours.label("hours")).where(
        _in(WorkOrder.first_invoiced_at, p), col(WorkOrder.completed_at).is_not(None)
    )


def _visits(flt: KpiFilter, by: GroupBy | None, *measures, crew: bool = False) -> Select:
    """Visits joined to their order; one row per technician on the visit when `crew`, or
    when grouped or filtered by technician (visit-level KPIs count every crew member)."""
    per_tech = crew or by == GroupBy.TECH or flt.tech_id is not None
    key = col(VisitTechnician.technician_id) if by == GroupBy.TECH else order_group_key(by)
    stmt = (
        select(key.label("g"), col(Visit.order_id).label("order_id"), *measures)
        .select_from(Visit)
        .where(col(Visit.status) != VisitStatus.CANCELLED.value)
    )
    if needs_order(flt, by):
        stmt = stmt.join(WorkOrder, col(WorkOrder.id) == col(Visit.order_id))
    if per_tech:
        stmt = stmt.join(
            VisitTechnician,
            and_(col(VisitTechnician.visit_id) == Visit.id, col(VisitTechnician.active).is_(True)),
        )
        if flt.tech_id is not None:
            stmt = stmt.where(col(VisitTechnician.technician_id) == flt.tech_id)
    return filter_orders(stmt, replace(flt, tech_id=None))


def on_site(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Visits that departed in the period: minutes from arrival to departure."""
    minutes = minutes_between(Visit.arrived_at, Visit.departed_at)
    return _visits(flt, by, minutes.label("minutes")).where(
        _in(Visit.departed_at, p), col(Visit.arrived_at).is_not(None)
    )


def work_time(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """On-site time inside the period, per technician on the visit (for utilization)."""
    clipped = minutes_between(
        greatest(Visit.arrived_at, _ts(p.start)), least(Visit.departed_at, _ts(p.end))
    )
    measures: tuple = (
        clipped.label("minutes"),
        col(VisitTechnician.technician_id).label("tech_id"),
    )
    return _visits(flt, by, *measures, crew=True).where(
        _in_scope(Visit.id, flt, col(Visit.departed_at) > p.start, col(Visit.arrived_at) < p.end),
        col(Visit.arrived_at).is_not(None),
    )


def sla_resolved(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Orders whose SLA clock was resolved (completed) in the period, met or not."""
    met = and_(
        col(OrderSla.resolution_met).is_(True),
        or_(col(OrderSla.response_met).is_(None), col(OrderSla.response_met).is_(True)),
    )
    return (
        _orders(by, flt, case((met, 1), else_=0).label("met"))
        .join(OrderSla, col(OrderSla.order_id) == col(WorkOrder.id))
        .where(_in(OrderSla.resolved_at, p))
    )


def backlog(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Open orders right now, with their age in minutes."""
    age = minutes_between(WorkOrder.created_at, _ts(now))
    return _orders(by, flt, age.label("minutes")).where(
        col(WorkOrder.status).in_([s.value for s in OPEN_STATUSES])
    )


def _invoices(flt: KpiFilter, by: GroupBy | None, *measures) -> Select:
    """Invoices with their order (if any). Customer filter/group use the invoice's customer;
    the other filters need an order, so order-less invoices drop out of them."""
    key = col(Invoice.customer_id) if by == GroupBy.CUSTOMER else order_group_key(by)
    stmt = select(key.label("g"), col(Invoice.order_id).label("order_id"), *measures).select_from(
        Invoice
    )
    if needs_order(flt, by):
        stmt = stmt.outerjoin(WorkOrder, col(WorkOrder.id) == col(Invoice.order_id))
    if flt.customer_id is not None:
        stmt = stmt.where(col(Invoice.customer_id) == flt.customer_id)
    rest = KpiFilter(flt.tech_id, flt.skill_id, None, flt.kind, flt.priority)
    return filter_orders(stmt, rest)


def revenue(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Invoices issued in the period (not void): net of tax."""
    return _invoices(flt, by, (col(Invoice.total_cents) - Invoice.tax_cents).label("net")).where(
        _in_scope(Invoice.id, flt, _in(Invoice.issued_at, p)),
        col(Invoice.status).in_(BILLED_STATUSES),
    )


def receivables(p: Period, flt: KpiFilter, by: GroupBy | None, now: datetime) -> Select:
    """Open invoices right now (billing's OPEN statuses) with a balance, and their due date."""
    return _invoices(
        flt,
        by,
        (col(Invoice.total_cents) - Invoice.paid_cents).label("balance"),
        col(Invoice.due_on).label("due_on"),
    ).where(col(Invoice.status).in_(OPEN), col(Invoice.total_cents) > Invoice.paid_cents)


COHORTS = {
    "created": created,
    "completed": completed,
    "cancelled": cancelled,
    "responded": responded,
    "invoiced": invoiced,
    "on_site": on_site,
    "work_time": work_time,
    "sla_resolved": sla_resolved,
    "backlog": backlog,
    "revenue": revenue,
    "receivables": receivables,
}
