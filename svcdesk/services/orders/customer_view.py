"""Customer directory read models: plain dataclasses over `services/crm/customers.py` searches,
and one customer's card (sites, contacts, assets, full order history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from svcdesk.clock import now
from svcdesk.errors import NotFound
from svcdesk.models import OPEN_STATUSES, Customer, Site, WorkOrder
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.crm import customers
from svcdesk.services.orders import queries
from svcdesk.services.orders.queries import OrderRow


@dataclass
class CustomerListRow:
    id: int
    name: str
    kind: str
    phone: str | None
    email: str | None
    city: str  # first site's city
    open_orders: int
    total_orders: int


@dataclass
class SiteView:
    id: int
    name: str | None
    label: str  # "1204 Oak Street, Austin, TX 78704"
    access_notes: str | None


@dataclass
class ContactView:
    id: int
    name: str
    role: str | None
    phone: str | None
    email: str | None
    site_id: int | None


@dataclass
class AssetView:
    id: int
    site_id: int
    kind: str
    make: str | None
    model: str | None
    serial: str | None
    installed_on: date | None
    warranty_until: date | None
    under_warranty: bool
    retired_on: date | None = None


@dataclass
class CustomerCard:
    id: int
    name: str
    kind: str
    phone: str | None
    email: str | None
    billing_address: str | None
    tax_exempt: bool
    notes: str | None
    sites: list[SiteView] = field(default_factory=list)
    contacts: list[ContactView] = field(default_factory=list)
    assets: list[AssetView] = field(default_factory=list)
    orders: list[OrderRow] = field(default_factory=list)  # newest first
    # possible duplicates: (record id, the other customer's id, name, matched on)
    duplicates: list[tuple[int, int, str, str]] = field(default_factory=list)
    merged_into_id: int | None = None

    @property
    def open_orders(self) -> list[OrderRow]:
        open_values = {s.value for s in OPEN_STATUSES}
        return [o for o in self.orders if o.status in open_values]


def site_label(site: Site) -> str:
    place = " ".join(p for p in (site.state, site.zip) if p)
    return ", ".join(p for p in (site.address, site.city, place) if p)


def customer_rows(session: Session, text: str = "", limit: int = 50) -> list[CustomerListRow]:
    """The directory: `customers.search_customers` (name, phone, e-mail, site address) with
    each customer's first city and open/total order counts (two grouped queries)."""
    found = customers.search_customers(session, text, limit)
    ids = [c.id for c in found]
    if not ids:
        return []
    open_values = [s.value for s in OPEN_STATUSES]
    counts: dict[int, tuple[int, int]] = {}
    for cid, total, open_n in session.exec(
        select(
            WorkOrder.customer_id,
            func.count(),
            func.sum(case((col(WorkOrder.status).in_(open_values), 1), else_=0)),
        )
        .where(col(WorkOrder.customer_id).in_(ids))
        .group_by(col(WorkOrder.customer_id))
    ):
        counts[cid] = (int(open_n or 0), int(total))
    cities: dict[int, str] = {}
    for cid, city in session.exec(
        select(Site.customer_id, Site.city)
        .where(col(Site.customer_id).in_(ids))
        .order_by(col(Site.customer_id), col(Site.id))
    ):
        cities.setdefault(cid, city)
    return [
        CustomerListRow(
            id=c.id,
            name=c.name,
            kind=c.kind,
            phone=customers.format_phone(c),
            email=c.email,
            city=cities.get(c.id, ""),
            open_orders=counts.get(c.id, (0, 0))[0],
            total_orders=counts.get(c.id, (0, 0))[1],
        )
        for c in found
    ]


def customer_card(session: Session, customer_id: int) -> CustomerCard:
    """Everything about one customer; orders newest first, every status."""
    c = session.get(Customer, customer_id)
    if c is None:
        raise NotFound(f"customer #{customer_id} not found")
    sites = customers.customer_sites(session, c.id)
    today = now().astimezone(shop_zone(session)).date()
    orders = queries.list_orders(session, customer_id=c.id, open_only=False, limit=None)
    orders.sort(key=lambda o: (o.created_at, o.id), reverse=True)
    return CustomerCard(
        id=c.id,
        name=c.name,
        kind=c.kind,
        phone=customers.format_phone(c),
        email=c.email,
        billing_address=c.billing_address,
        tax_exempt=c.tax_exempt,
        notes=c.notes,
        sites=[SiteView(s.id, s.name, site_label(s), s.access_notes) for s in sites],
        contacts=[
            ContactView(p.id, p.name, p.role, p.phone, p.email, p.site_id)
            for p in customers.customer_contacts(session, c.id)
        ],
        assets=[
            AssetView(
                id=a.id,
                site_id=a.site_id,
                kind=a.kind,
                make=a.make,
                model=a.model,
                serial=a.serial,
                installed_on=a.installed_on,
                warranty_until=a.warranty_until,
                under_warranty=bool(a.warranty_until and a.warranty_until >= today),
                retired_on=a.retired_on,
            )
            for a in customers.site_assets(session, [s.id for s in sites])
        ],
        orders=orders,
        duplicates=[
            (d.id, d.existing_id, d.existing, d.matched_on)
            if d.customer_id == c.id
            else (d.id, d.customer_id, d.customer, d.matched_on)
            for d in customers.possible_duplicates(session, c.id)
            if c.id in (d.customer_id, d.existing_id)
        ],
        merged_into_id=c.merged_into_id,
    )


def card_with_messages(session: Session, customer_id: int, limit: int = 8) -> tuple:
    """(the customer's card, their latest `limit` messages, how they may be messaged in
    words) for the console's customer screen."""
    from svcdesk.services.messages import prefs
    from svcdesk.services.messages import views as message_views

    card = customer_card(session, customer_id)
    recent = message_views.message_rows(session, customer_id=customer_id, limit=limit)
    return card, recent, prefs.describe(prefs.preference(session, customer_id))
