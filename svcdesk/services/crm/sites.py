"""Adding, editing and listing a customer's sites (the CLI's `sites`, the console's site
form): the address checked (state two letters, ZIP 5 or 9 digits), the tax zone, access
notes, and an optional lat/lon that routing uses before the ZIP centroid. Every change is
audited (`events.record_change`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Customer, Site
from svcdesk.models.shop import TaxZone
from svcdesk.services.common.events import record_change
from svcdesk.services.common.normalize import address_key
from svcdesk.services.crm import customers as crm

_STATE = re.compile(r"^[A-Za-z]{2}$")
_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
LIMITS = {"name": 100, "address": 200, "city": 100, "access_notes": 1000}
UNSET = object()  # (edit: a field not given keeps its value)


def check_state(text: str | None) -> str:
    value = (text or "").strip()
    if value and not _STATE.match(value):
        raise InvalidInput(f"state: {value!r} is not a two-letter state code like TX")
    return value.upper()


def check_zip(text: str | None) -> str:
    """'78701', '78701-1234' or '787011234' -> '78701' / '78701-1234'."""
    value = (text or "").strip()
    if not value:
        return ""
    m = _ZIP.match(value)
    if not m:
        raise InvalidInput(f"zip: {value!r} is not a ZIP code of 5 or 9 digits like 78701")
    return m.group(1) + (f"-{m.group(2)}" if m.group(2) else "")


def check_coordinates(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if (lat is None) != (lon is None):
        raise InvalidInput("lat/lon: give both a latitude and a longitude, or neither")
    if lat is None or lon is None:
        return None, None
    for name, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if value != value or not -limit <= value <= limit:  # (value != value: NaN)
            raise InvalidInput(f"{name}: {value} is not between -{limit} and {limit}")
    return round(float(lat), 6), round(float(lon), 6)


def parse_coordinate(text: str | None, name: str) -> float | None:
    """A typed latitude/longitude ('' = none)."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a number of degrees like 30.2672") from None


def _text(name: str, value: str | None, *, required: bool = False) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{name}: a site needs a street address")
    if len(text) > LIMITS[name]:
        raise InvalidInput(f"{name}: {len(text)} characters; at most {LIMITS[name]} are accepted")
    return text or None


def _zone_id(session: Session, zone: str | None) -> int | None:
    """A zone name ('' = none: the default zone applies)."""
    if zone is None or not zone.strip():
        return None
    from svcdesk.services.crm.tax import get_zone

    found = get_zone(session, zone)
    if not found.active:
        raise InvalidInput(f"tax zone: {found.name} is inactive")
    return found.id


def _snapshot(site: Site) -> dict:
    return {
        "name": site.name, "address": site.address, "city": site.city, "state": site.state,
        "zip": site.zip, "tax_zone_id": site.tax_zone_id, "access_notes": site.access_notes,
        "lat": site.lat, "lon": site.lon,
    }  # fmt: skip


def get_site(session: Session, site_id: int | str) -> Site:
    text = str(site_id).strip().lstrip("#")
    site = session.get(Site, int(text)) if text.isdigit() else None
    if site is None:
        raise NotFound(f"site {text!r} not found; `svcdesk sites list` shows the sites")
    return site


def site_fields(
    *,
    address: str | None = None,
    city: str | None = None,
    state: str | None = None,
    zip_code: str | None = None,
    name: str | None = None,
    tax_zone: str | None = None,
    access_notes: str | None = None,
    lat: str | None = None,
    lon: str | None = None,
) -> dict:
    """Typed site fields as `add_site`/`edit_site` take them: only those given (None = not
    given, '' clears), latitude and longitude parsed."""
    typed = {"address": address, "city": city, "state": state, "zip_code": zip_code,
             "name": name, "tax_zone": tax_zone, "access_notes": access_notes}  # fmt: skip
    given: dict = {k: v for k, v in typed.items() if v is not None}
    for key, text in (("lat", lat), ("lon", lon)):
        if text is not None:
            given[key] = parse_coordinate(text, key)
    return given


def save_site(
    session: Session, site_id: int | None, customer: str | int | Customer, *, actor: str, **fields
) -> Site:
    """Add a site to `customer` (`site_id` None) or change site `site_id`: `fields` as
    `site_fields` gives them."""
    if site_id is None:
        return add_site(session, customer, actor=actor, **fields)
    return edit_site(session, site_id, actor=actor, **fields)


def add_site(
    session: Session,
    customer: str | int | Customer,
    *,
    address: str,
    city: str = "",
    state: str = "",
    zip_code: str = "",
    name: str | None = None,
    tax_zone: str | None = None,
    access_notes: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    actor: str = "system",
) -> Site:
    """A new site for `customer` (id, phone, e-mail or name), validated and audited; the
    same address (by `normalize.address_key`) twice for one customer is refused."""
    cust = customer if isinstance(customer, Customer) else crm.get_customer(session, customer)
    street = _text("address", address, required=True) or ""
    city_text = _text("city", city) or ""
    state_code, zip_text = check_state(state), check_zip(zip_code)
    lat, lon = check_coordinates(lat, lon)
    zone_id = _zone_id(session, tax_zone)
    existing = crm.find_site(session, cust.id, street, zip_text, city_text)
    if existing is not None:
        raise InvalidInput(
            f"address: {cust.name} already has this site (#{existing.id} {existing.address}); "
            f"change it with `svcdesk sites edit {existing.id}`"
        )
    site = crm.add_site(
        session, cust, address=street, city=city_text, state=state_code, zip_code=zip_text,
        name=_text("name", name), lat=lat, lon=lon,
        access_notes=_text("access_notes", access_notes), tax_zone_id=zone_id,
    )  # fmt: skip
    record_change(
        session, "site", site.id, "created", f"site #{site.id} {site.address} for {cust.name}",
        actor=actor, after=_snapshot(site),
    )  # fmt: skip
    return site


def edit_site(
    session: Session,
    site_id: int | str,
    *,
    address=UNSET,
    city=UNSET,
    state=UNSET,
    zip_code=UNSET,
    name=UNSET,
    tax_zone=UNSET,
    access_notes=UNSET,
    lat=UNSET,
    lon=UNSET,
    actor: str = "system",
) -> Site:
    """Change the fields given (UNSET keeps a field; for `tax_zone` '' means 'the default
    zone', for lat/lon None clears both); the match key follows the address."""
    site = get_site(session, site_id)
    before = _snapshot(site)
    if address is not UNSET:
        site.address = _text("address", address, required=True) or ""
    if city is not UNSET:
        site.city = _text("city", city) or ""
    if state is not UNSET:
        site.state = check_state(state)
    if zip_code is not UNSET:
        site.zip = check_zip(zip_code)
    if name is not UNSET:
        site.name = _text("name", name)
    if access_notes is not UNSET:
        site.access_notes = _text("access_notes", access_notes)
    if tax_zone is not UNSET:
        site.tax_zone_id = _zone_id(session, tax_zone)
    if lat is not UNSET or lon is not UNSET:
        site.lat, site.lon = check_coordinates(
            site.lat if lat is UNSET else lat, site.lon if lon is UNSET else lon
        )
    after = _snapshot(site)
    if after == before:
        raise InvalidInput(f"site #{site.id}: nothing to change")
    key = address_key(site.address, site.zip, site.city)
    clash = session.exec(
        select(Site.id).where(
            Site.customer_id == site.customer_id, Site.address_key == key, Site.id != site.id
        )
    ).first()
    if clash is not None:
        raise InvalidInput(f"address: the customer already has this address as site #{clash}")
    site.address_key = key
    session.add(site)
    session.flush()
    changed = ", ".join(k for k in after if after[k] != before[k])
    record_change(
        session, "site", site.id, "edited", f"site #{site.id} {site.address}: {changed}",
        actor=actor, before=before, after=after,
    )  # fmt: skip
    return site


@dataclass(frozen=True)
class SiteRow:
    id: int
    customer_id: int
    customer: str
    name: str | None
    address: str
    city: str
    state: str
    zip: str
    tax_zone: str  # the site's zone, or "default (NAME)" / "none"
    tax_rate_bp: int
    access_notes: str | None
    lat: float | None
    lon: float | None


def list_sites(
    session: Session, *, customer: str | int | None = None, limit: int | None = 200
) -> list[SiteRow]:
    """Sites (of one customer, or all by customer name) with the tax each bills at."""
    from svcdesk.services.crm.tax import default_zone

    stmt = (
        select(Site, Customer.name, TaxZone)
        .join(Customer, col(Customer.id) == Site.customer_id)
        .join(TaxZone, col(TaxZone.id) == Site.tax_zone_id, isouter=True)
        .order_by(col(Customer.name), col(Site.id))
    )
    if customer is not None:
        stmt = stmt.where(Site.customer_id == crm.get_customer(session, customer).id)
    if limit:
        stmt = stmt.limit(limit)
    fallback = default_zone(session)
    rows = []
    for site, customer_name, zone in session.exec(stmt):
        if zone is not None and zone.active:
            label, rate = zone.name, zone.rate_bp
        elif fallback is not None:
            label, rate = f"default ({fallback.name})", fallback.rate_bp
        else:
            label, rate = "none", 0
        rows.append(
            SiteRow(
                site.id, site.customer_id, customer_name, site.name, site.address, site.city,
                site.state, site.zip, label, rate, site.access_notes, site.lat, site.lon,
            )
        )  # fmt: skip
    return rows


def customer_site_ids(session: Session, customer_id: int) -> list[int]:
    return list(session.exec(select(Site.id).where(col(Site.customer_id) == customer_id)))
