"""Demo step: what an office's customer records look like after a few months — a caller
who gave a known phone number under another name (filed as a new customer and recorded as
a possible duplicate, waiting in `svcdesk customers duplicates`), and a water heater that
was replaced (the old one retired, kept with its history; the new one added)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from svcdesk import clock
from svcdesk.demo import DemoContext
from svcdesk.models import Asset, Customer, Site, WorkOrder
from svcdesk.services.crm import customers as crm
from svcdesk.services.orders.intake import IntakeRequest, create_order

ORDER = 60


def run(session: Session, ctx: DemoContext) -> None:
    if not ctx.customers:
        return
    _duplicate_caller(session, ctx)
    _replaced_asset(session, ctx)


def _duplicate_caller(session: Session, ctx: DemoContext) -> None:
    """Someone calls from a residential customer's number with another name (a tenant)."""
    known = session.exec(
        select(Customer)
        .where(col(Customer.id).in_(ctx.customers), Customer.kind == "residential")
        .order_by(Customer.id)
    ).first()
    if known is None or not known.phone:
        return
    site = session.exec(select(Site).where(Site.customer_id == known.id)).first()
    with clock.at(ctx.now - timedelta(hours=3)):
        order, _ = create_order(
            session,
            IntakeRequest(
                summary="Water heater pilot keeps going out",
                customer="Morgan Ellis",
                phone=crm.format_phone(known),
                address=site.address if site else "1 Main St",
                city=site.city if site else "Austin",
                state=site.state if site else "TX",
                zip=site.zip if site else "78701",
                skill="water_heater",
                source="phone",
            ),
            actor="dana",
        )
    ctx.order_numbers.append(order.number)


def _replaced_asset(session: Session, ctx: DemoContext) -> None:
    """The oldest water heater (or any asset) without open work: replaced last month."""
    open_assets = select(WorkOrder.asset_id).where(
        col(WorkOrder.asset_id).is_not(None),
        col(WorkOrder.status).notin_(["completed", "invoiced", "closed", "cancelled"]),
    )
    candidates = select(Asset).where(
        col(Asset.id).in_(ctx.assets), col(Asset.id).notin_(open_assets)
    )
    asset = (
        session.exec(candidates.where(Asset.kind == "water_heater").order_by(Asset.id)).first()
        or session.exec(candidates.order_by(Asset.id)).first()
    )
    if asset is None:
        return
    site = session.get(Site, asset.site_id)
    day = (ctx.now - timedelta(days=30)).astimezone(ctx.zone).date()
    with clock.at(ctx.now - timedelta(days=30)):
        crm.retire_asset(session, asset, on=day, reason="replaced", actor="dana")
        new = crm.add_asset(
            session,
            site,
            kind=asset.kind,
            make=asset.make,
            model=asset.model,
            serial=f"R{asset.id:05d}-{ctx.seed}",
            installed_on=day,
            warranty_until=day + timedelta(days=6 * 365),
            actor="dana",
        )
    ctx.assets.append(new.id)
