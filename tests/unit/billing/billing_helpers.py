"""Builders for billing tests: the demo price book, a completed order with approved time,
parts used, a visit arrived at, and (optionally) an active agreement."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, select

from svcdesk.models import Asset, Site, Visit, VisitStatus
from svcdesk.models.agreements import Agreement
from svcdesk.models.execution import TimeEntry
from svcdesk.models.inventory import Part, PartUsage, StockLocation
from svcdesk.services.billing import pricebook_csv
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.orders import lifecycle

PRICEBOOK = Path(__file__).resolve().parents[3] / "data" / "pricebook.csv"


def seed_pricebook(session: Session) -> None:
    pricebook_csv.import_pricebook(session, "pricebook.csv", PRICEBOOK.read_text())


def at(session: Session, text: str) -> datetime:
    return parse_when(text, shop_zone(session))


def complete(session: Session, order, when: str = "2026-11-24 18:00") -> None:
    lifecycle.touch(session, order, status="completed", completed_at=at(session, when))


def add_visit(session: Session, order, arrived: str = "2026-11-24 16:00") -> Visit:
    visit = Visit(
        order_id=order.id,
        starts_at=at(session, arrived),
        ends_at=at(session, "2026-11-24 18:00"),
        status=VisitStatus.COMPLETED.value,
        arrived_at=at(session, arrived),
        departed_at=at(session, "2026-11-24 18:00"),
    )
    session.add(visit)
    session.flush()
    return visit


def add_time(
    session: Session, order, tech_id: int, start: str, end: str, *, approved=True, kind="work"
) -> TimeEntry:
    entry = TimeEntry(
        technician_id=tech_id,
        order_id=order.id,
        kind=kind,
        starts_at=at(session, start),
        ends_at=at(session, end),
        approved=approved,
    )
    session.add(entry)
    session.flush()
    return entry


def location(session: Session) -> StockLocation:
    loc = session.get(StockLocation, 1)
    if loc is None:
        loc = StockLocation(name="Test warehouse")
        session.add(loc)
        session.flush()
    return loc


def use_part(
    session: Session, order, sku: str, qty_milli: int, *, price: int, cost: int, warranty=False
) -> PartUsage:
    part = Part(sku=sku, name=f"Part {sku}", cost_cents=cost, list_price_cents=price)
    session.add(part)
    session.flush()
    usage = PartUsage(
        order_id=order.id,
        part_id=part.id,
        location_id=location(session).id,
        qty_milli=qty_milli,
        unit_cost_cents=cost,
        unit_price_cents=price,
        warranty=warranty,
    )
    session.add(usage)
    session.flush()
    return usage


def add_agreement(
    session: Session, customer_id: int, *, labor_bp=1000, parts_bp=1500, visits=0
) -> Agreement:
    ag = Agreement(
        number="AG-000901",
        customer_id=customer_id,
        name="Comfort Club",
        status="active",
        starts_on=date(2026, 1, 1),
        term_start=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        labor_discount_bp=labor_bp,
        parts_discount_bp=parts_bp,
        covered_visits=visits,
    )
    session.add(ag)
    session.flush()
    return ag


def set_tax(session: Session, order, bp: int = 825) -> None:
    """Put the order's site in a tax zone of `bp` basis points (made when missing)."""
    from svcdesk.models.shop import TaxZone

    name = f"Zone {bp}"
    zone = session.exec(select(TaxZone).where(TaxZone.name == name)).first()
    if zone is None:
        zone = TaxZone(name=name, rate_bp=bp)
        session.add(zone)
        session.flush()
    session.get(Site, order.site_id).tax_zone_id = zone.id
    session.flush()


def set_warranty(session: Session, order, until: date) -> None:
    session.get(Asset, order.asset_id).warranty_until = until
    session.flush()


def issued_with_parts(session: Session, shop: dict):
    """o1 invoiced and issued: 2 h of labor, a warranty capacitor (covered: net 0) and
    2.5 lb of refrigerant, 8.25 % tax (the accounting exports' case)."""
    from svcdesk.services.billing import from_order, invoices
    from svcdesk.services.orders import lifecycle

    seed_pricebook(session)
    o = lifecycle.get_order(session, shop["o1"])
    set_tax(session, o, 825)
    add_time(session, o, shop["alice"], "2026-11-24 16:00", "2026-11-24 18:00")
    use_part(session, o, "CAP-45", 1000, price=4000, cost=1500, warranty=True)
    use_part(session, o, "R410A", 2500, price=5250, cost=3000)
    complete(session, o)
    inv = from_order.invoice_order(session, o)
    invoices.issue(session, inv)
    return inv
