"""One asset's service history: every order on it (and its visits with technicians,
outcomes, parts used and checklist readings), warranty status, and the agreements and
maintenance plans that cover it. Read model for `svcdesk assets show` and the asset screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from svcdesk.clock import now
from svcdesk.errors import NotFound
from svcdesk.models import Asset, Customer, Site, Visit, WorkOrder
from svcdesk.models.agreements import Agreement, AgreementCoverage, MaintenancePlan
from svcdesk.services.agreements.pm_plans import plan_preview
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import iso
from svcdesk.services.common.words import status_words
from svcdesk.services.execution import checklists
from svcdesk.services.inventory import part_usage
from svcdesk.services.orders import scheduling


@dataclass(frozen=True)
class VisitLine:
    starts_at: datetime
    status: str
    technicians: list[str]
    outcome: str | None
    work_performed: str | None
    readings: list[str]  # "Supply temp: 55 F"

    def to_json(self) -> dict:
        return {
            "starts_at": iso(self.starts_at),
            "status": self.status,
            "technicians": self.technicians,
            "outcome": self.outcome,
            "work_performed": self.work_performed,
            "readings": self.readings,
        }


@dataclass(frozen=True)
class OrderLine:
    number: str
    kind: str
    status: str
    summary: str
    created_at: datetime
    completed_at: datetime | None
    agreement: str | None
    visits: list[VisitLine]
    parts: list[str]  # "2 ea FLT-1620 Filter 16x20"

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "kind": self.kind,
            "status": self.status,
            "summary": self.summary,
            "created_at": iso(self.created_at),
            "completed_at": iso(self.completed_at),
            "agreement": self.agreement,
            "visits": [v.to_json() for v in self.visits],
            "parts": self.parts,
        }


@dataclass
class AssetHistory:
    id: int
    label: str  # "furnace Carrier 59SC5 (CA1234)"
    customer: str
    site: str
    installed_on: date | None
    warranty_until: date | None
    warranty: str  # "in warranty (214 days left)", "expired 2025-01-01", "none recorded"
    agreements: list[str] = field(default_factory=list)  # "AG-000001 Comfort Club (active)"
    plans: list[dict] = field(default_factory=list)  # id, summary, rrule, next
    orders: list[OrderLine] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "customer": self.customer,
            "site": self.site,
            "installed_on": self.installed_on.isoformat() if self.installed_on else None,
            "warranty_until": self.warranty_until.isoformat() if self.warranty_until else None,
            "warranty": self.warranty,
            "agreements": self.agreements,
            "plans": self.plans,
            "orders": [o.to_json() for o in self.orders],
        }


def warranty_status(until: date | None, today: date) -> str:
    if until is None:
        return "none recorded"
    if until >= today:
        return f"in warranty until {until.isoformat()} ({(until - today).days} days left)"
    return f"expired {until.isoformat()}"


def _visits(session: Session, order_id: int) -> list[VisitLine]:
    out = []
    for v in session.exec(
        select(Visit).where(col(Visit.order_id) == order_id).order_by(col(Visit.starts_at))
    ):
        readings = [
            f"{line.label}: {line.value}" + (f" {line.unit}" if line.unit else "")
            for line in checklists.visit_lines(session, v.id)
            if line.value is not None
        ]
        techs = [t.name for t in scheduling.visit_technicians(session, v.id)]
        out.append(VisitLine(v.starts_at, v.status, techs, v.outcome, v.work_performed, readings))
    return out


def asset_history(session: Session, asset_id: int) -> AssetHistory:
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"asset {asset_id} not found")
    site = must_get(session, Site, asset.site_id)
    customer = must_get(session, Customer, site.customer_id)
    today = now().astimezone(shop_zone(session)).date()
    label = " ".join(x for x in (asset.kind, asset.make, asset.model) if x)
    if asset.serial:
        label += f" ({asset.serial})"
    history = AssetHistory(asset.id, label, customer.name, site.address, asset.installed_on,
                           asset.warranty_until, warranty_status(asset.warranty_until, today))  # fmt: skip
    covering = session.exec(
        select(Agreement)
        .join(AgreementCoverage, col(AgreementCoverage.agreement_id) == col(Agreement.id))
        .where(
            AgreementCoverage.site_id == site.id,
            or_(col(AgreementCoverage.asset_id).is_(None), AgreementCoverage.asset_id == asset.id),
        )
        .order_by(Agreement.number)
        .distinct()
    ).all()
    history.agreements = [
        f"{a.number} {a.name} ({status_words(a.status)}, until {a.ends_on})" for a in covering
    ]
    plans = session.exec(
        select(MaintenancePlan)
        .where(
            MaintenancePlan.site_id == site.id,
            or_(col(MaintenancePlan.asset_id).is_(None), MaintenancePlan.asset_id == asset.id),
            col(MaintenancePlan.active).is_(True),
        )
        .order_by(col(MaintenancePlan.id))
    ).all()
    history.plans = [
        {"id": p.id, "summary": p.summary, "rrule": p.rrule,
         "next": [d.due_on.isoformat() for d in plan_preview(session, p, 3)]}
        for p in plans
    ]  # fmt: skip
    orders = session.exec(
        select(WorkOrder)
        .where(WorkOrder.asset_id == asset.id)
        .order_by(col(WorkOrder.created_at).desc())
    ).all()
    wanted = {o.agreement_id for o in orders if o.agreement_id is not None}
    numbers: dict[int | None, str] = dict(
        session.exec(
            select(Agreement.id, Agreement.number).where(col(Agreement.id).in_(wanted))
        ).all()
    )
    for o in orders:
        parts = [f"{fmt_qty(u.qty_milli)} {p.unit} {p.sku} {p.name}"
                 for u, p, _loc in part_usage.order_usages(session, o.id)]  # fmt: skip
        history.orders.append(
            OrderLine(
                o.number,
                o.kind,
                o.status,
                o.summary,
                o.created_at,
                o.completed_at,
                numbers.get(o.agreement_id),
                _visits(session, o.id),
                parts,
            )  # fmt: skip
        )
    return history
