"""Demo step 40: service agreements for ~20 customers with maintenance plans, the PM orders
they generate for the next 60 days, SLA terms, and a few orders at risk / breached."""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from svcdesk import clock
from svcdesk.demo import DemoContext
from svcdesk.models import Asset, Customer, Site
from svcdesk.models.followup import FollowUp
from svcdesk.services.agreements import agreements, followups, pm_generate, pm_plans
from svcdesk.services.orders import intake

ORDER = 40

# (name, price cents, cycle, visits, labor %, parts %, plans: (summary, rule, skill, minutes))
PACKAGES = [
    ("Comfort Club", 1900, "monthly", 2, 15, 10,
     [("Spring A/C tune-up", "FREQ=YEARLY;BYMONTH=4;BYDAY=1MO", "hvac", 90),
      ("Fall furnace tune-up", "FREQ=YEARLY;BYMONTH=10;BYDAY=1MO", "hvac", 90)]),
    ("Plumbing Protection", 14900, "annual", 1, 10, 5,
     [("Water heater flush", "FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=15", "plumbing", 60)]),
    ("Commercial HVAC PM", 45000, "quarterly", 4, 20, 10,
     [("Quarterly RTU service", "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", "hvac", 120),
      ("Monthly filter change", "FREQ=MONTHLY;BYMONTHDAY=-1", "hvac", 45)]),
    ("Generator Care", 9900, "annual", 1, 10, 10,
     [("Generator inspection", "FREQ=MONTHLY;INTERVAL=6", "electrical", 60)]),
]  # fmt: skip
SLA = {"emergency": (2, 8, "calendar"), "high": (4, 16, "business")}


def run(session: Session, ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.now.astimezone(ctx.zone).date()
    chosen = rng.sample(ctx.customers, min(20, len(ctx.customers)))
    covered_sites = []
    for n, customer_id in enumerate(chosen):
        sites = session.exec(select(Site).where(Site.customer_id == customer_id)).all()
        if not sites:
            continue
        customer = session.get(Customer, customer_id)
        name, price, cycle, visits, labor, parts, plans = PACKAGES[
            2 if customer.kind == "commercial" else rng.choice([0, 0, 1, 3])
        ]
        # Terms started 1-11 months ago; a few end soon (renewal list), two are still drafts.
        start = (today - relativedelta(months=rng.randint(1, 11))).replace(day=1)
        with clock.at(ctx.now - timedelta(days=(today - start).days)):
            ag = agreements.create_agreement(
                session, customer_id=customer_id, name=name, starts_on=start,
                price_cents=price, billing_cycle=cycle, covered_visits=visits,
                labor_discount_bp=labor * 100, parts_discount_bp=parts * 100,
                auto_renew=n % 3 != 0,
            )  # fmt: skip
            site = sites[0]
            agreements.add_coverage(session, ag, site_id=site.id)
            for prio, (resp, resol, kind) in SLA.items():
                agreements.set_sla(session, ag, priority=prio, response_hours=resp,
                                   resolution_hours=resol, clock=kind)  # fmt: skip
            if n < 18:
                agreements.change_status(session, ag, "active")
                covered_sites.append((customer_id, site.id))
        asset = session.exec(select(Asset).where(Asset.site_id == site.id)).first()
        for summary, rule, skill, minutes in plans:
            pm_plans.create_plan(
                session, ag, site_id=site.id, asset_id=asset.id if asset else None,
                summary=summary, rrule=rule, starts_on=start, skill=skill,
                est_minutes=minutes, checklist=["Inspect and clean", "Record readings",
                                                "Replace filter if dirty"],
            )  # fmt: skip
    pm_generate.generate(session, today + timedelta(days=60), actor="demo")
    _sla_examples(session, ctx, covered_sites)
    _office_did_old_followups(session, ctx)


def _office_did_old_followups(session: Session, ctx: DemoContext) -> None:
    """Follow-ups of past completions were done by the office; the last few days' are open."""
    cutoff = ctx.now - timedelta(days=3)
    for row in session.exec(select(FollowUp).where(FollowUp.due_at < cutoff)):
        with clock.at(row.due_at):
            followups.complete(session, row.id, actor="office")


def _sla_examples(session: Session, ctx: DemoContext, covered: list[tuple[int, int]]) -> None:
    """Emergencies under agreements (2 h, 24/7): two at risk, two breached, right now."""
    for (customer_id, site_id), minutes_ago, what in zip(
        covered,
        (105, 100, 150, 200),
        ("No cooling in server room", "Gas smell near furnace",
         "Walk-in cooler warm", "Water heater leaking into garage"),
        strict=False,
    ):  # fmt: skip
        with clock.at(ctx.now - timedelta(minutes=minutes_ago)):
            order, _ = intake.create_order(
                session,
                intake.IntakeRequest(summary=what, customer_id=customer_id, site_id=site_id,
                                     priority="emergency", skill="hvac"),
                actor="demo",
            )  # fmt: skip
        ctx.order_numbers.append(order.number)
