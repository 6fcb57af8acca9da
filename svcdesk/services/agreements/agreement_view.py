"""Read models of agreements and plans for the CLI (--json) and the TUI (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from svcdesk.models import Asset, Customer, Site, Skill
from svcdesk.models.agreements import Agreement, AgreementSla, MaintenancePlan
from svcdesk.services.agreements import agreements as svc
from svcdesk.services.agreements.pm_plans import checklist_lines, plan_preview, plans_of
from svcdesk.services.common.rows import must_get


@dataclass(frozen=True)
class AgreementRow:
    id: int
    number: str
    customer: str
    name: str
    status: str
    term_start: date
    ends_on: date
    auto_renew: bool
    price_cents: int
    billing_cycle: str
    covered_visits: int
    plans: int

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "customer": self.customer,
            "name": self.name,
            "status": self.status,
            "term_start": self.term_start.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "auto_renew": self.auto_renew,
            "price_cents": self.price_cents,
            "billing_cycle": self.billing_cycle,
            "covered_visits": self.covered_visits,
            "plans": self.plans,
        }


def _row(session: Session, ag: Agreement, customer: str) -> AgreementRow:
    count = len(plans_of(session, ag.id))
    return AgreementRow(ag.id, ag.number, customer, ag.name, ag.status, ag.term_start,
                        ag.ends_on, ag.auto_renew, ag.price_cents, ag.billing_cycle,
                        ag.covered_visits, count)  # fmt: skip


def list_agreements(
    session: Session,
    *,
    status: str | None = None,
    customer_id: int | None = None,
    numbers: list[str] | None = None,
) -> list[AgreementRow]:
    stmt = (
        select(Agreement, Customer.name)
        .join(Customer, col(Customer.id) == col(Agreement.customer_id))
        .order_by(Agreement.number)
    )
    if status:
        stmt = stmt.where(Agreement.status == status)
    if customer_id is not None:
        stmt = stmt.where(Agreement.customer_id == customer_id)
    if numbers is not None:
        stmt = stmt.where(col(Agreement.number).in_(numbers))
    return [_row(session, ag, name) for ag, name in session.exec(stmt)]


@dataclass(frozen=True)
class PlanRow:
    id: int
    agreement: str
    site: str
    asset: str | None
    asset_id: int | None
    summary: str
    rrule: str
    starts_on: date
    anchor: str
    timezone: str | None
    skill: str | None
    est_minutes: int
    priority: str
    active: bool
    checklist: list[str]
    next_dates: list[date] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "agreement": self.agreement,
            "site": self.site,
            "asset": self.asset,
            "asset_id": self.asset_id,
            "summary": self.summary,
            "rrule": self.rrule,
            "starts_on": self.starts_on.isoformat(),
            "anchor": self.anchor,
            "timezone": self.timezone,
            "skill": self.skill,
            "est_minutes": self.est_minutes,
            "priority": self.priority,
            "active": self.active,
            "checklist": self.checklist,
            "next_dates": [d.isoformat() for d in self.next_dates],
        }


def plan_row(session: Session, plan: MaintenancePlan, *, preview: int = 3) -> PlanRow:
    ag = must_get(session, Agreement, plan.agreement_id)
    site = must_get(session, Site, plan.site_id)
    asset = session.get(Asset, plan.asset_id) if plan.asset_id else None
    skill = session.get(Skill, plan.skill_id) if plan.skill_id else None
    nexts = [p.due_on for p in plan_preview(session, plan, preview)] if preview else []
    return PlanRow(
        plan.id, ag.number, site.address,
        " ".join(x for x in (asset.make, asset.model, asset.kind) if x) if asset else None,
        plan.asset_id,
        plan.summary, plan.rrule, plan.starts_on, plan.anchor, plan.timezone,
        skill.code if skill else None, plan.est_minutes, plan.priority, plan.active,
        checklist_lines(plan), nexts,
    )  # fmt: skip


def list_plans(session: Session, agreement_id: int | None = None) -> list[PlanRow]:
    stmt = select(MaintenancePlan).order_by(col(MaintenancePlan.id))
    if agreement_id is not None:
        stmt = stmt.where(MaintenancePlan.agreement_id == agreement_id)
    return [plan_row(session, p) for p in session.exec(stmt)]


def agreement_detail(session: Session, ag: Agreement) -> dict:
    """Everything about one agreement, JSON-ready."""
    customer = must_get(session, Customer, ag.customer_id)
    cover = []
    for c in svc.coverage(session, ag.id):
        site = must_get(session, Site, c.site_id)
        asset = session.get(Asset, c.asset_id) if c.asset_id else None
        cover.append({"site_id": c.site_id, "site": site.address, "asset_id": c.asset_id,
                      "asset": f"{asset.kind} {asset.make or ''}".strip() if asset else None})  # fmt: skip
    slas = session.exec(
        select(AgreementSla)
        .where(col(AgreementSla.agreement_id) == ag.id)
        .order_by(col(AgreementSla.id))
    ).all()
    return {
        **_row(session, ag, customer.name).to_json(),
        "customer_id": ag.customer_id,
        "starts_on": ag.starts_on.isoformat(),
        "term_months": ag.term_months,
        "renewals": ag.renewals,
        "labor_discount_bp": ag.labor_discount_bp,
        "parts_discount_bp": ag.parts_discount_bp,
        "visits_used": svc.visits_used(session, ag),
        "notes": ag.notes,
        "cancel_reason": ag.cancel_reason,
        "coverage": cover,
        "sla": [
            {
                "priority": s.priority,
                "response_hours": s.response_minutes / 60,
                "resolution_hours": s.resolution_minutes / 60,
                "clock": s.clock,
            }
            for s in slas
        ],  # fmt: skip
        "plans": [p.to_json() for p in list_plans(session, ag.id)],
    }
