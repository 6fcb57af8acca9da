"""Maintenance plans: create/validate, and preview the next dates (also before saving).

Dates are local dates in the plan's zone (the site's zone; the shop's by default). A rule
date on a weekend or shop holiday moves to the next working day."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Asset, OrderStatus, Site, WorkOrder
from svcdesk.models.agreements import (
    Agreement,
    AgreementStatus,
    MaintenancePlan,
    PlanAnchor,
    PlanOccurrence,
)
from svcdesk.services.common import recurrence
from svcdesk.services.common.choices import parse_choice, parse_priority
from svcdesk.services.common.events import record_change
from svcdesk.services.common.rows import children
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.words import status_words
from svcdesk.services.common.workcal import WorkCalendar, shop_calendar
from svcdesk.services.crm.technicians import get_skill

DONE = (OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value, OrderStatus.CLOSED.value)


def zone_of(session: Session, name: str | None) -> ZoneInfo:
    if not name:
        return shop_zone(session)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"timezone: unknown time zone {name!r}") from None


def calendar_for(session: Session, plan_zone: str | None) -> WorkCalendar:
    return shop_calendar(session, zone_of(session, plan_zone))


@dataclass(frozen=True)
class PlannedDate:
    rule_date: date
    due_on: date
    moved: str | None  # None, "weekend" or "holiday"

    def to_json(self) -> dict:
        return {
            "rule_date": self.rule_date.isoformat(),
            "due_on": self.due_on.isoformat(),
            "moved": self.moved,
        }


def _planned(cal: WorkCalendar, pairs: list[tuple[date, date]]) -> list[PlannedDate]:
    out = []
    for nominal, due in pairs:
        moved = None
        if due != nominal:
            moved = "holiday" if nominal in cal.holidays else "weekend"
        out.append(PlannedDate(nominal, due, moved))
    return out


def preview_dates(
    session: Session,
    *,
    rrule: str,
    starts_on: date,
    anchor: str = "scheduled",
    timezone: str | None = None,
    count: int = 8,
    from_day: date | None = None,
    last_completed: date | None = None,
) -> list[PlannedDate]:
    """The next `count` dates a plan would produce, from `from_day` (default: today in the
    plan's zone). With anchor=completed, dates follow `last_completed` (or the start)."""
    if not 1 <= count <= 500:
        raise InvalidInput(f"count: {count} is not between 1 and 500")
    cal = calendar_for(session, timezone)
    today = from_day or now().astimezone(cal.zone).date()
    mode = parse_choice(PlanAnchor, anchor, "anchor", "scheduled")
    if mode == PlanAnchor.COMPLETED and last_completed is not None:
        pairs = recurrence.working_dates(
            rrule, last_completed, cal.next_working_day, after=last_completed, count=count
        )
    else:
        pairs = recurrence.working_dates(
            rrule, starts_on, cal.next_working_day, not_before=max(starts_on, today), count=count
        )
    return _planned(cal, pairs)


def checklist_lines(plan: MaintenancePlan) -> list[str]:
    return json.loads(plan.checklist) if plan.checklist else []


def create_plan(
    session: Session,
    agreement: Agreement,
    *,
    site_id: int,
    summary: str,
    rrule: str,
    starts_on: date,
    asset_id: int | None = None,
    anchor: str = "scheduled",
    timezone: str | None = None,
    skill: str | None = None,
    est_minutes: int = 60,
    priority: str = "low",
    checklist: list[str] | None = None,
) -> MaintenancePlan:
    if agreement.status in (AgreementStatus.EXPIRED.value, AgreementStatus.CANCELLED.value):
        raise InvalidInput(
            f"{agreement.number} is {status_words(agreement.status)}; plans need a live agreement"
        )
    site = session.get(Site, site_id)
    if site is None or site.customer_id != agreement.customer_id:
        raise InvalidInput(f"site: site {site_id} does not belong to the agreement's customer")
    if asset_id is not None:
        asset = session.get(Asset, asset_id)
        if asset is None or asset.site_id != site_id:
            raise InvalidInput(f"asset: asset {asset_id} is not at site {site_id}")
    if not (summary or "").strip():
        raise InvalidInput("summary: required (e.g. 'Spring A/C tune-up')")
    if starts_on < agreement.starts_on:
        raise InvalidInput(
            f"start: {starts_on} is before the agreement starts ({agreement.starts_on})"
        )
    if not 1 <= int(est_minutes) <= 24 * 60:
        raise InvalidInput(f"est_minutes: {est_minutes} is not between 1 and 1440")
    rule = recurrence.normalize_rule(rrule, starts_on)
    zone = zone_of(session, timezone)
    mode = parse_choice(PlanAnchor, anchor, "anchor", "scheduled")
    today = now().astimezone(zone).date()
    plan = MaintenancePlan(
        agreement_id=agreement.id,
        site_id=site_id,
        asset_id=asset_id,
        summary=summary.strip(),
        rrule=rule,
        starts_on=starts_on,
        generate_from=max(starts_on, today),
        anchor=mode.value,
        timezone=timezone or None,
        skill_id=get_skill(session, skill).id if skill else None,
        est_minutes=int(est_minutes),
        priority=parse_priority(priority).value,
        checklist=json.dumps([c.strip() for c in checklist if c.strip()]) if checklist else None,
    )
    session.add(plan)
    session.flush()
    record_change(session, "maintenance_plan", plan.id, "created",
                  after=_words(session, plan, agreement))  # fmt: skip
    return plan


def _words(session: Session, plan: MaintenancePlan, agreement: Agreement) -> dict:
    """A plan's audited fields, in words (`events.record_change`)."""
    site = session.get(Site, plan.site_id)
    return {
        "agreement": agreement.number, "site": site.address if site else plan.site_id,
        "asset": plan.asset_id, "summary": plan.summary,
        "repeats": recurrence.rule_words(plan.rrule), "starts": plan.starts_on.isoformat(),
        "anchor": status_words(plan.anchor), "minutes": plan.est_minutes,
        "priority": plan.priority, "checklist": "; ".join(checklist_lines(plan)),
    }  # fmt: skip


def get_plan(session: Session, plan_id: int | str) -> MaintenancePlan:
    try:
        key = int(str(plan_id).strip().removeprefix("PM-").removeprefix("pm-"))
    except ValueError:
        raise InvalidInput(f"plan: {plan_id!r} is not a plan id") from None
    plan = session.get(MaintenancePlan, key)
    if plan is None:
        raise NotFound(f"plan {plan_id!r} not found")
    return plan


def plans_of(session: Session, agreement_id: int) -> list[MaintenancePlan]:
    return children(session, MaintenancePlan, MaintenancePlan.agreement_id, agreement_id)


def last_completed_on(session: Session, plan: MaintenancePlan, zone: ZoneInfo) -> date | None:
    """Local date of the last completed order this plan generated."""
    done: datetime | None = session.exec(
        select(WorkOrder.completed_at)
        .join(PlanOccurrence, col(PlanOccurrence.order_id) == col(WorkOrder.id))
        .where(PlanOccurrence.plan_id == plan.id, col(WorkOrder.status).in_(DONE))
        .order_by(col(WorkOrder.completed_at).desc())
    ).first()
    return done.astimezone(zone).date() if done else None


def plan_preview(session: Session, plan: MaintenancePlan, count: int = 8) -> list[PlannedDate]:
    zone = zone_of(session, plan.timezone)
    today = now().astimezone(zone).date()
    return preview_dates(
        session,
        rrule=plan.rrule,
        starts_on=plan.starts_on,
        anchor=plan.anchor,
        timezone=plan.timezone,
        count=count,
        from_day=max(today, plan.generate_from),
        last_completed=last_completed_on(session, plan, zone),
    )
