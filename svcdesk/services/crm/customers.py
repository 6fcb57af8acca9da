"""Customers, sites, contacts, assets; matching a caller to what we already know."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Asset, Contact, Customer, CustomerKind, Site
from svcdesk.services.common.normalize import address_key, email_key, phone_key


def match_customer(session: Session, *, phone: str | None, email: str | None) -> Customer | None:
    """An existing customer with the same phone (last 10 digits) or e-mail (case-insensitive)."""
    pk, ek = phone_key(phone), email_key(email)
    if pk:
        found = session.exec(select(Customer).where(Customer.phone_key == pk)).first()
        if found:
            return found
    if ek:
        return session.exec(select(Customer).where(Customer.email_key == ek)).first()
    return None


def create_customer(
    session: Session,
    *,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    kind: str = CustomerKind.RESIDENTIAL.value,
    billing_address: str | None = None,
    tax_exempt: bool = False,
    notes: str | None = None,
) -> Customer:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("customer: a customer needs a name")
    try:
        kind = CustomerKind(kind.strip().lower()).value
    except ValueError:
        raise InvalidInput(f"kind: {kind!r} is not residential or commercial") from None
    if email and not email_key(email):
        raise InvalidInput(f"email: {email!r} is not an e-mail address")
    customer = Customer(
        name=name,
        kind=kind,
        phone=phone,
        phone_key=phone_key(phone),
        email=email,
        email_key=email_key(email),
        billing_address=billing_address,
        tax_exempt=tax_exempt,
        notes=notes,
    )
    session.add(customer)
    session.flush()
    return customer


def find_site(
    session: Session, customer_id: int, address: str, zip_code: str = "", city: str = ""
) -> Site | None:
    key = address_key(address, zip_code, city)
    return session.exec(
        select(Site).where(Site.customer_id == customer_id, Site.address_key == key)
    ).first()


def add_site(
    session: Session,
    customer: Customer,
    *,
    address: str,
    city: str = "",
    state: str = "",
    zip_code: str = "",
    name: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    access_notes: str | None = None,
    tax_rate_bp: int = 0,
) -> Site:
    if not (address or "").strip():
        raise InvalidInput("address: a site needs a street address")
    site = Site(
        customer_id=customer.id,
        name=name,
        address=address.strip(),
        city=city.strip(),
        state=state.strip().upper(),
        zip=zip_code.strip(),
        lat=lat,
        lon=lon,
        address_key=address_key(address, zip_code, city),
        access_notes=access_notes,
        tax_rate_bp=tax_rate_bp,
    )
    session.add(site)
    session.flush()
    return site


def find_or_add_site(session: Session, customer: Customer, **fields) -> Site:
    existing = find_site(
        session, customer.id, fields["address"], fields.get("zip_code", ""), fields.get("city", "")
    )
    return existing or add_site(session, customer, **fields)


def add_contact(
    session: Session,
    customer: Customer,
    *,
    name: str,
    role: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    site_id: int | None = None,
) -> Contact:
    contact = Contact(
        customer_id=customer.id, name=name, role=role, phone=phone, email=email, site_id=site_id
    )
    session.add(contact)
    session.flush()
    return contact


def add_asset(session: Session, site: Site, *, kind: str, **fields) -> Asset:
    asset = Asset(site_id=site.id, kind=kind, **fields)
    session.add(asset)
    session.flush()
    return asset


def get_customer(session: Session, ref: str | int) -> Customer:
    """By id, phone, e-mail or unique name (prefix)."""
    text = str(ref).strip()
    if text.isdigit() and len(text) < 7:
        found = session.get(Customer, int(text))
        if found:
            return found
    found = match_customer(session, phone=text, email=text)
    if found:
        return found
    matches = session.exec(
        select(Customer).where(col(Customer.name).ilike(f"{text}%")).limit(6)
    ).all()
    if len(matches) == 1:
        return matches[0]
    exact = [c for c in matches if c.name.lower() == text.lower()]
    if len(exact) == 1:
        return exact[0]
    if not matches:
        raise NotFound(f"customer {text!r} not found")
    raise InvalidInput(f"customer {text!r} is ambiguous: " + ", ".join(c.name for c in matches[:5]))


def search_customers(session: Session, text: str = "", limit: int = 50) -> list[Customer]:
    """Name, phone, e-mail or any site address containing `text`."""
    stmt = select(Customer).order_by(Customer.name).limit(limit)
    text = text.strip()
    if text:
        like = f"%{text}%"
        digits = phone_key(text)
        site_match = select(Site.customer_id).where(
            or_(
                col(Site.address).ilike(like), col(Site.city).ilike(like), col(Site.zip).ilike(like)
            )
        )
        conds = [
            col(Customer.name).ilike(like),
            col(Customer.email).ilike(like),
            col(Customer.id).in_(site_match),
        ]
        if digits or text.replace("-", "").isdigit():
            conds.append(
                col(Customer.phone_key).like(f"%{''.join(ch for ch in text if ch.isdigit())}%")
            )
        stmt = stmt.where(or_(*conds))
    return list(session.exec(stmt))


def customer_sites(session: Session, customer_id: int) -> list[Site]:
    return list(
        session.exec(
            select(Site).where(col(Site.customer_id) == customer_id).order_by(col(Site.id))
        )
    )


def customer_contacts(session: Session, customer_id: int) -> list[Contact]:
    return list(
        session.exec(
            select(Contact).where(col(Contact.customer_id) == customer_id).order_by(col(Contact.id))
        )
    )


def site_assets(session: Session, site_ids: list[int]) -> list[Asset]:
    if not site_ids:
        return []
    return list(
        session.exec(select(Asset).where(col(Asset.site_id).in_(site_ids)).order_by(col(Asset.id)))
    )
