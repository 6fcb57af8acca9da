"""What a KPI is computed over: a period of whole shop-local days, filters, a grouping.

Shared definitions (docs/kpis.md):
- An order's technician is the LEAD technician of its latest non-cancelled visit (the one
  who finished the job). Order-level KPIs are filtered and grouped by it.
- Visit-level KPIs (job duration, utilization) count every technician on the visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import Session, col

from svcdesk.errors import InvalidInput
from svcdesk.models import (
    Customer,
    Skill,
    Technician,
    Visit,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.services.common.choices import parse_priority
from svcdesk.services.common.timefmt import day_bounds
from svcdesk.services.crm.customers import get_customer
from svcdesk.services.crm.technicians import find_technician, get_skill


class GroupBy(StrEnum):
    TECH = "tech"
    SKILL = "skill"
    CUSTOMER = "customer"
    WEEK = "week"


@dataclass(frozen=True)
class Period:
    """Local days `first`..`last` inclusive; `start`/`end` are their UTC bounds (end
    exclusive)."""

    first: date
    last: date
    start: datetime
    end: datetime

    @classmethod
    def of(cls, first: date, last: date, zone: ZoneInfo) -> Period:
        if last < first:
            raise InvalidInput(f"--to {last} is before --from {first}")
        return cls(first, last, day_bounds(first, zone)[0], day_bounds(last, zone)[1])

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}..{self.last}"

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def weeks(self, zone: ZoneInfo) -> list[Period]:
        """The period cut into Monday-to-Sunday weeks (the first and last may be partial)."""
        out, day = [], self.first
        while day <= self.last:
            sunday = min(day + timedelta(days=6 - day.weekday()), self.last)
            out.append(Period.of(day, sunday, zone))
            day = sunday + timedelta(days=1)
        return out


@dataclass(frozen=True)
class KpiFilter:
    tech_id: int | None = None
    skill_id: int | None = None
    customer_id: int | None = None
    kind: str | None = None
    priority: str | None = None

    def describe(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def resolve_filter(
    session: Session,
    *,
    tech: str | None = None,
    skill: str | None = None,
    customer: str | None = None,
    kind: str | None = None,
    priority: str | None = None,
) -> KpiFilter:
    """Names as people type them -> ids (clear errors for unknown names)."""
    from svcdesk.models import OrderKind

    if kind is not None:
        try:
            kind = OrderKind(kind.strip().lower()).value
        except ValueError:
            names = ", ".join(k.value for k in OrderKind)
            raise InvalidInput(f"kind: {kind!r} is not one of {names}") from None
    return KpiFilter(
        tech_id=find_technician(session, tech).id if tech else None,
        skill_id=get_skill(session, skill).id if skill else None,
        customer_id=get_customer(session, customer).id if customer else None,
        kind=kind,
        priority=parse_priority(priority).value if priority else None,
    )


def order_tech(order_id: ColumnElement | Mapped = col(WorkOrder.id)) -> ColumnElement:
    """Correlated subquery: the order's technician (lead of its latest non-cancelled visit)."""
    return (
        select(col(VisitTechnician.technician_id))
        .join(Visit, col(Visit.id) == col(VisitTechnician.visit_id))
        .where(
            col(Visit.order_id) == order_id,
            col(Visit.status) != VisitStatus.CANCELLED.value,
            col(VisitTechnician.role) == "lead",
        )
        .order_by(col(Visit.starts_at).desc(), col(Visit.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def order_group_key(by: GroupBy | None) -> ColumnElement | Mapped:
    if by == GroupBy.TECH:
        return order_tech()
    if by == GroupBy.SKILL:
        return col(WorkOrder.skill_id)
    if by == GroupBy.CUSTOMER:
        return col(WorkOrder.customer_id)
    return literal(0)


def needs_order(flt: KpiFilter, by: GroupBy | None) -> bool:
    """Whether a visit/invoice cohort must join `work_order` for this filter/grouping (an
    unfiltered, ungrouped one reads its own table only)."""
    return by in (GroupBy.TECH, GroupBy.SKILL, GroupBy.CUSTOMER) or any(
        v is not None for v in flt.__dict__.values()
    )


def filter_orders(stmt: Select, flt: KpiFilter) -> Select:
    """Apply the filter to a statement that has `work_order` in its FROM."""
    if flt.skill_id is not None:
        stmt = stmt.where(col(WorkOrder.skill_id) == flt.skill_id)
    if flt.customer_id is not None:
        stmt = stmt.where(col(WorkOrder.customer_id) == flt.customer_id)
    if flt.kind is not None:
        stmt = stmt.where(col(WorkOrder.kind) == flt.kind)
    if flt.priority is not None:
        stmt = stmt.where(col(WorkOrder.priority) == flt.priority)
    if flt.tech_id is not None:
        stmt = stmt.where(order_tech() == flt.tech_id)
    return stmt


def group_labels(session: Session, by: GroupBy | None, keys) -> dict:
    """Display names for group keys (None = '(none)': no technician / no skill)."""
    columns = {
        GroupBy.TECH: (col(Technician.id), col(Technician.name)),
        GroupBy.SKILL: (col(Skill.id), col(Skill.code)),
        GroupBy.CUSTOMER: (col(Customer.id), col(Customer.name)),
    }
    labels = {None: "(none)"}
    ids = [k for k in keys if k is not None]
    if by is not None and by in columns and ids:
        key, attr = columns[by]
        rows = session.execute(select(key, attr).where(key.in_(ids)))
        labels.update({i: name for i, name in rows})
    return labels
