"""Service agreements, their coverage and SLA terms, maintenance plans and their occurrences,
per-order SLA clocks and billed agreement periods (rules in services/agreements/agreements*)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class BillingCycle(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "annual": 12}[self.value]


class SlaClock(StrEnum):
    BUSINESS = "business"  # counts only the shop's working hours (minus holidays)
    CALENDAR = "calendar"  # 24/7


class Agreement(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    number: str = Field(unique=True)  # AG-000001
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str
    status: str = Field(default=AgreementStatus.DRAFT.value, index=True)
    starts_on: date  # first day of the first term
    term_start: date  # first day of the current term (moves on renewal)
    ends_on: date = Field(index=True)  # last day of the current term
    term_months: int = 12
    auto_renew: bool = False
    renewals: int = 0
    price_cents: int = 0  # charged once per billing period
    billing_cycle: str = BillingCycle.ANNUAL.value
    labor_discount_bp: int = 0  # basis points (1000 = 10 %)
    parts_discount_bp: int = 0
    covered_visits: int = 0  # maintenance visits included per term
    notes: str | None = None
    cancel_reason: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    updated_at: datetime = utc_field(default_factory=now, nullable=False)


class AgreementCoverage(SQLModel, table=True):
    """A covered site (asset_id None = the whole site) or one asset at a site."""

    __tablename__ = "agreement_coverage"
    __table_args__ = (UniqueConstraint("agreement_id", "site_id", "asset_id"),)

    id: int = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="asset.id", index=True)


class AgreementSla(SQLModel, table=True):
    """An agreement's promise for one priority; wins over the shop's defaults."""

    __tablename__ = "agreement_sla"
    __table_args__ = (UniqueConstraint("agreement_id", "priority"),)

    id: int = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    priority: str
    response_minutes: int
    resolution_minutes: int
    clock: str = SlaClock.BUSINESS.value


class AgreementBilling(SQLModel, table=True):
    """One billed period of an agreement: the unique key makes `agreements bill` idempotent."""

    __tablename__ = "agreement_billing"
    __table_args__ = (UniqueConstraint("agreement_id", "period_start"),)

    id: int = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    period_start: date
    period_end: date
    amount_cents: int
    invoice_ref: str | None = None  # invoice number when the billing service made one
    created_at: datetime = utc_field(default_factory=now, nullable=False)


class PlanAnchor(StrEnum):
    SCHEDULED = "scheduled"  # dates follow the rule from the plan's start date
    COMPLETED = "completed"  # the next date follows the rule from the last completed visit


class MaintenancePlan(SQLModel, table=True):
    __tablename__ = "maintenance_plan"

    id: int = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    asset_id: int | None = Field(default=None, foreign_key="asset.id", index=True)
    summary: str
    rrule: str  # RFC 5545 RRULE, e.g. FREQ=MONTHLY;INTERVAL=6;BYMONTH=4,10;BYDAY=1MO
    starts_on: date  # DTSTART of the rule (a local date in the plan's zone)
    generate_from: date  # no order is generated for an earlier date
    anchor: str = PlanAnchor.SCHEDULED.value
    timezone: str | None = None  # the site's zone; None = the shop's zone
    skill_id: int | None = Field(default=None, foreign_key="skill.id")
    est_minutes: int = 60
    priority: str = "low"
    checklist: str | None = None  # JSON list of checklist lines
    active: bool = True
    created_at: datetime = utc_field(default_factory=now, nullable=False)


class PlanOccurrence(SQLModel, table=True):
    """One generated date of a plan. The unique keys are what make generation idempotent,
    even for two generators running at once."""

    __tablename__ = "plan_occurrence"
    __table_args__ = (
        UniqueConstraint("plan_id", "occurs_on"),
        UniqueConstraint("plan_id", "due_on"),
    )

    id: int = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="maintenance_plan.id", index=True)
    occurs_on: date  # the date the rule gives
    due_on: date  # moved to the next working day when the rule date is not one
    order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    created_at: datetime = utc_field(default_factory=now, nullable=False)


class OrderSla(SQLModel, table=True):
    """The SLA clock of one order: targets, due times (moved on by holds), and the outcome
    recorded for reporting (met/missed)."""

    __tablename__ = "order_sla"
    __table_args__ = (
        Index("ix_order_sla_response_due", "response_due"),
        Index("ix_order_sla_resolution_due", "resolution_due"),
    )

    order_id: int = Field(foreign_key="work_order.id", primary_key=True)
    policy: str  # "shop" or the agreement number
    clock: str = SlaClock.BUSINESS.value
    started_at: datetime = utc_field(nullable=False)
    response_minutes: int
    resolution_minutes: int
    response_due: datetime = utc_field(nullable=False)
    resolution_due: datetime = utc_field(nullable=False)
    paused_at: datetime | None = utc_field()
    paused_seconds: int = 0  # total time on hold, for reports
    responded_at: datetime | None = utc_field()
    resolved_at: datetime | None = utc_field()
    response_met: bool | None = None
    resolution_met: bool | None = None
