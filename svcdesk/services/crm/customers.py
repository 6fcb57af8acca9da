"""Customers, sites, contacts, assets; matching a caller to what we already know."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, delete, or_, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import (
    Asset,
    Contact,
    Customer,
    CustomerEvent,
    CustomerKind,
    PossibleDuplicate,
    Site,
    WorkOrder,
    all_models,
)
from svcdesk.models.agreements import AgreementCoverage
from svcdesk.services.common.events import put_change
from svcdesk.services.common.normalize import (
    TEXT_LIMITS,
    Phone,
    address_key,
    check_email,
    check_length,
    display_phone,
    email_key,
    names_agree,
    parse_phone,
    phone_key,
)
from svcdesk.services.common.rows import children, must_get, row_id
from svcdesk.services.common.sqlexpr import containing


def check_contact(
    phone: str | None, email: str | None, *, phone_field: str = "phone", email_field: str = "email"
) -> tuple[Phone | None, str | None]:
    """The one validation of a phone and e-mail typed anywhere (CLI flags, intake files,
    the console's forms): (parsed phone or None, trimmed e-mail or None); InvalidInput
    with one line naming the field otherwise."""
    return parse_phone(phone, phone_field), check_email(email, email_field)


def record_event(
    session: Session, customer_id: int, kind: str, detail: str | None = None, *, actor: str
) -> None:
    from svcdesk.services.common.events import on_behalf_of

    session.add(
        CustomerEvent(
            customer_id=customer_id, kind=kind, detail=detail, actor=actor,
            on_behalf_of=on_behalf_of(session, actor),
        )
    )  # fmt: skip


def _candidates(session: Session, pk: str | None, ek: str | None) -> list[tuple[Customer, str]]:
    """Live customers with that phone key or e-mail key, oldest first, with what matched."""
    found: list[tuple[Customer, str]] = []
    live = col(Customer.merged_into_id).is_(None)
    if pk:
        stmt = select(Customer).where(Customer.phone_key == pk, live).order_by(col(Customer.id))
        found += [(c, "phone") for c in session.exec(stmt)]
    if ek:
        seen = {c.id for c, _ in found}
        stmt = select(Customer).where(Customer.email_key == ek, live).order_by(col(Customer.id))
        found += [(c, "e-mail") for c in session.exec(stmt) if c.id not in seen]
    return found


def match_customer(session: Session, *, phone: str | None, email: str | None) -> Customer | None:
    """An existing customer with the same phone or e-mail (case-insensitive), whatever
    the name (see `match_caller` for the name check)."""
    found = _candidates(session, phone_key(phone), email_key(email))
    return found[0][0] if found else None


@dataclass
class CallerMatch:
    customer: Customer | None  # the customer to file under (None: make a new one)
    suspect: Customer | None = None  # a phone/e-mail match whose name disagreed
    matched_on: str | None = None  # "phone" or "e-mail"


def match_caller(
    session: Session,
    *,
    name: str | None,
    phone: str | None,
    email: str | None,
    force: bool = False,
) -> CallerMatch:
    """Who is calling: a customer with the same phone or e-mail whose name agrees
    (`names_agree`: "Porter, Jane" = "jane porter" = "J. Porter"). A match whose name
    disagrees does not take the order: `customer` is None and `suspect` names it, so the
    caller becomes a new customer recorded as a possible duplicate. `force` takes the
    first match whatever the name (scripts that know better)."""
    found = _candidates(session, phone_key(phone), email_key(email))
    if not found:
        return CallerMatch(None)
    if force or not (name or "").strip():
        return CallerMatch(found[0][0])
    for customer, _ in found:
        if names_agree(name, customer.name):
            return CallerMatch(customer)
    return CallerMatch(None, found[0][0], found[0][1])


def record_duplicate(
    session: Session,
    new: Customer,
    existing: Customer,
    matched_on: str,
    *,
    order_id: int | None = None,
    actor: str = "system",
) -> PossibleDuplicate:
    row = PossibleDuplicate(
        customer_id=new.id,
        existing_id=existing.id,
        matched_on=matched_on,
        order_id=order_id,
        actor=actor,
    )
    session.add(row)
    session.flush()
    return row


def _check_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name: a customer needs a name")
    check_length("name", name, TEXT_LIMITS["name"])
    return name


def _check_kind(kind: str) -> str:
    try:
        return CustomerKind((kind or "").strip().lower()).value
    except ValueError:
        raise InvalidInput(f"kind: {kind!r} is not residential or commercial") from None


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
    actor: str = "system",
) -> Customer:
    if not (name or "").strip():
        raise InvalidInput("customer: a customer needs a name")
    name = _check_name(name)
    kind = _check_kind(kind)
    parsed, email = check_contact(phone, email)
    customer = Customer(
        name=name,
        kind=kind,
        phone=parsed.e164 if parsed else None,
        phone_ext=parsed.ext if parsed else None,
        phone_key=parsed.key if parsed else None,
        email=email,
        email_key=email_key(email),
        billing_address=billing_address,
        tax_exempt=tax_exempt,
        notes=notes,
    )
    session.add(customer)
    session.flush()
    record_event(session, customer.id, "added", name, actor=actor)
    return customer


def add_customer(
    session: Session,
    *,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    kind: str = CustomerKind.RESIDENTIAL.value,
    address: str | None = None,
    city: str = "",
    state: str = "",
    zip_code: str = "",
    same_phone_ok: bool = False,
    actor: str = "system",
    **fields,
) -> tuple[Customer, Site | None]:
    """The office's "add a customer" (CLI and console): refused when another customer
    already has the phone or e-mail (unless `same_phone_ok`: a household), with a first
    site when `address` is given."""
    check_contact(phone, email)
    existing = match_customer(session, phone=phone, email=email)
    if existing and not same_phone_ok:
        raise InvalidInput(
            f"customer: {existing.name} (#{existing.id}) already has that phone or e-mail "
            "(edit that customer, or add with --same-phone-ok for a household)"
        )
    customer = create_customer(
        session, name=name, phone=phone, email=email, kind=kind, actor=actor, **fields
    )
    site = None
    if address and address.strip():
        site = add_site(
            session, customer, address=address, city=city, state=state, zip_code=zip_code
        )
    return customer, site


_UNSET = object()


def edit_customer(
    session: Session,
    customer: Customer,
    *,
    name: str | None = None,
    phone=_UNSET,
    email=_UNSET,
    kind: str | None = None,
    billing_address=_UNSET,
    tax_exempt: bool | None = None,
    notes=_UNSET,
    actor: str = "system",
) -> list[str]:
    """Change the given fields (a blank phone/e-mail/address clears it). Returns the
    changes in words ("phone (512) 555-0101 -> (512) 555-0199"); an event records them."""
    if customer.merged_into_id is not None:
        raise InvalidInput(f"customer: #{customer.id} was merged into #{customer.merged_into_id}")
    changes: list[str] = []

    def put(field: str, value, label: str = "") -> None:
        put_change(customer, field, value, changes, label)

    if name is not None:
        put("name", _check_name(name))
    if kind is not None:
        put("kind", _check_kind(kind))

    def taken(pk: str | None, ek: str | None, label: str, value: str) -> None:
        other = next((o for o, _ in _candidates(session, pk, ek) if o.id != customer.id), None)
        if other is not None:
            raise InvalidInput(
                f"{label}: {other.name} (#{other.id}) already has {value!r}; "
                f"merge them with `svcdesk customers merge {other.id} {customer.id}`"
            )

    if phone is not _UNSET:
        parsed = parse_phone(phone)
        if parsed and parsed.key != customer.phone_key:
            taken(parsed.key, None, "phone", phone)
        put("phone", parsed.e164 if parsed else None)
        put("phone_ext", parsed.ext if parsed else None, "extension")
        customer.phone_key = parsed.key if parsed else None
    if email is not _UNSET:
        text = check_email(email)
        if text and email_key(text) != customer.email_key:
            taken(None, email_key(text), "email", text)
        put("email", text, "e-mail")
        customer.email_key = email_key(text)
    if billing_address is not _UNSET:
        put("billing_address", (billing_address or "").strip() or None, "billing address")
    if tax_exempt is not None:
        put("tax_exempt", bool(tax_exempt), "tax exempt")
    if notes is not _UNSET:
        put("notes", (notes or "").strip() or None)
    if changes:
        session.add(customer)
        session.flush()
        record_event(session, customer.id, "edited", "; ".join(changes), actor=actor)
    return changes


# Tables whose customer_id is the customer's own history or matching record, not a
# record to move on merge.
_NOT_MOVED = {"customer_event", "possible_duplicate"}


@dataclass
class MergeResult:
    kept: Customer
    gone: Customer
    moved: dict[str, int]  # table -> rows moved
    duplicates_cleared: int
    sites_folded: int = 0  # gone's sites at an address keep already had (now keep's)


def merge_customers(
    session: Session, keep: Customer, gone: Customer, *, actor: str = "system"
) -> MergeResult:
    """Move everything of `gone` (sites, orders, agreements, invoices, quotes, contacts:
    every table with a customer_id) to `keep`; `gone` stays as a record pointing at
    `keep` (never matched again), both get a `merged` event, and possible-duplicate
    records between the two (or of `gone`) are cleared. Moved orders get a history
    event and a new `updated_at` (so incremental exports send them again)."""
    if keep.id == gone.id:
        raise InvalidInput("merge: a customer cannot be merged into itself")
    for c in (keep, gone):
        if c.merged_into_id is not None:
            raise InvalidInput(
                f"merge: {c.name} (#{c.id}) was already merged into #{c.merged_into_id}"
            )
    from svcdesk.services.common import events

    moved_orders = list(session.exec(select(WorkOrder.id).where(WorkOrder.customer_id == gone.id)))
    moved: dict[str, int] = {}
    folded = _fold_same_address_sites(session, keep, gone)
    for table in all_models():  # (every table with a customer_id)
        if table.name in _NOT_MOVED or "customer_id" not in table.c:
            continue
        column = table.c.customer_id
        if not any(fk.column.table.name == "customer" for fk in column.foreign_keys):
            continue
        values: dict[str, object] = {"customer_id": keep.id}
        if table.name == "work_order":
            values.update(updated_at=now(), version=table.c.version + 1)
        count = session.execute(update(table).where(column == gone.id).values(**values)).rowcount  # type: ignore[attr-defined]  # a CursorResult
        if count:
            moved[table.name] = count
    events.record_many(
        session,
        [
            {
                "order_id": oid,
                "kind": "merged",
                "detail": f"customer {gone.name} (#{gone.id}) merged into {keep.name} (#{keep.id})",
            }
            for oid in moved_orders
        ],
        actor=actor,
    )
    # what the duplicate knew that the survivor lacks
    for field in ("phone", "email", "billing_address"):
        if getattr(keep, field) is None and getattr(gone, field) is not None:
            setattr(keep, field, getattr(gone, field))
            if field == "phone":
                keep.phone_ext, keep.phone_key = gone.phone_ext, gone.phone_key
            if field == "email":
                keep.email_key = gone.email_key
    if gone.notes:
        keep.notes = f"{keep.notes}\n{gone.notes}" if keep.notes else gone.notes
    gone.merged_into_id = keep.id
    gone.phone_key = gone.email_key = None
    cleared = session.execute(
        delete(PossibleDuplicate).where(
            or_(
                col(PossibleDuplicate.customer_id) == gone.id,
                col(PossibleDuplicate.existing_id) == gone.id,
            )
        )
    ).rowcount  # type: ignore[attr-defined]  # a CursorResult
    summary = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in moved.items()) or "nothing to move"
    if folded:
        summary += f"; {folded} site(s) at an address already on file folded into it"
    record_event(
        session, keep.id, "merged", f"{gone.name} (#{gone.id}) merged in: {summary}", actor=actor
    )
    record_event(
        session, gone.id, "merged_into", f"merged into {keep.name} (#{keep.id})", actor=actor
    )
    session.add_all([keep, gone])
    session.flush()
    return MergeResult(keep, gone, moved, cleared, folded)


def _fold_same_address_sites(session: Session, keep: Customer, gone: Customer) -> int:
    """A site of `gone` at an address `keep` already has (same `address_key`: the caller
    who rang under another name gave the same house) becomes that site: every row
    pointing at it (orders, assets, contacts, coverage, invoices...) points at `keep`'s
    site, whose tax zone and details win (access notes are kept when `keep`'s has none),
    and the duplicate site is deleted. Without this the merge left the customer with two
    sites at one address (which `sites add` refuses), the duplicate billing at the default
    tax zone. Returns how many sites were folded."""
    kept_sites = {
        s.address_key: s for s in session.exec(select(Site).where(Site.customer_id == keep.id))
    }
    folded = 0
    for site in session.exec(select(Site).where(Site.customer_id == gone.id)).all():
        target = kept_sites.get(site.address_key)
        if target is None:
            continue
        # coverage rows the kept site already has would break (agreement, site, asset)
        for cov in session.exec(
            select(AgreementCoverage).where(AgreementCoverage.site_id == site.id)
        ).all():
            twin = session.exec(
                select(AgreementCoverage).where(
                    AgreementCoverage.agreement_id == cov.agreement_id,
                    AgreementCoverage.site_id == target.id,
                    AgreementCoverage.asset_id == cov.asset_id,
                )
            ).first()
            if twin is not None:
                session.delete(cov)
        session.flush()
        for table in all_models():
            for column in table.c:
                if any(
                    fk.column.table.name == "site" and fk.column.name == "id"
                    for fk in column.foreign_keys
                ):
                    values: dict[str, object] = {column.name: target.id}
                    if table.name == "work_order":
                        values.update(updated_at=now(), version=table.c.version + 1)
                    session.execute(update(table).where(column == site.id).values(**values))
        if not target.access_notes and site.access_notes:
            target.access_notes = site.access_notes
            session.add(target)
        session.delete(site)
        session.flush()
        folded += 1
    return folded


@dataclass
class DuplicateView:
    id: int
    customer_id: int
    customer: str
    customer_phone: str | None
    existing_id: int
    existing: str
    existing_phone: str | None
    matched_on: str
    order: str | None
    created_at: object


def possible_duplicates(session: Session, customer_id: int | None = None) -> list[DuplicateView]:
    """Open possible-duplicate records (of one customer, either side, when given)."""
    stmt = select(PossibleDuplicate).order_by(col(PossibleDuplicate.id))
    if customer_id is not None:
        stmt = stmt.where(
            or_(
                col(PossibleDuplicate.customer_id) == customer_id,
                col(PossibleDuplicate.existing_id) == customer_id,
            )
        )
    rows = session.exec(stmt).all()
    out = []
    for r in rows:
        new = must_get(session, Customer, r.customer_id)
        old = must_get(session, Customer, r.existing_id)
        order = session.get(WorkOrder, r.order_id) if r.order_id else None
        out.append(
            DuplicateView(
                row_id(r),
                new.id,
                new.name,
                format_phone(new),
                old.id,
                old.name,
                format_phone(old),
                r.matched_on,
                order.number if order else None,
                r.created_at,
            )
        )
    return out


def duplicate_of_order(session: Session, order_id: int) -> dict | None:
    """The possible duplicate an order's intake recorded: {id, name, matched_on} of the
    existing customer, or None."""
    row = session.exec(
        select(PossibleDuplicate).where(PossibleDuplicate.order_id == order_id)
    ).first()
    if row is None:
        return None
    existing = must_get(session, Customer, row.existing_id)
    return {"id": existing.id, "name": existing.name, "matched_on": row.matched_on}


def dismiss_duplicate(session: Session, dup_id: int, *, actor: str = "system") -> PossibleDuplicate:
    row = session.get(PossibleDuplicate, dup_id)
    if row is None:
        raise NotFound(f"possible duplicate {dup_id} not found")
    session.delete(row)
    record_event(
        session,
        row.customer_id,
        "not_duplicate",
        f"not the same as #{row.existing_id}",
        actor=actor,
    )
    session.flush()
    return row


def format_phone(customer: Customer) -> str | None:
    """The customer's phone as a dispatcher reads it: (512) 555-0101 x23."""
    return display_phone(customer.phone, customer.phone_ext)


def customer_events(session: Session, customer_id: int) -> list[CustomerEvent]:
    return children(session, CustomerEvent, CustomerEvent.customer_id, customer_id)


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
    tax_zone_id: int | None = None,
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
        tax_zone_id=tax_zone_id,
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


ASSET_TEXT = {"kind": 60, "make": 80, "model": 80, "serial": 80, "notes": 2000}


def _asset_text(field: str, value: str | None, *, required: bool = False) -> str | None:
    text = (value or "").strip() or None
    if required and not text:
        raise InvalidInput(f"{field}: required")
    if text and len(text) > ASSET_TEXT[field]:
        raise InvalidInput(
            f"{field}: {len(text)} characters; at most {ASSET_TEXT[field]} are accepted"
        )
    return text


def _asset_dates(installed_on: date | None, warranty_until: date | None) -> None:
    if installed_on and warranty_until and warranty_until < installed_on:
        raise InvalidInput(
            f"warranty: ends {warranty_until}, before the install date {installed_on}"
        )


def add_asset(session: Session, site: Site, *, kind: str, actor: str = "system", **fields) -> Asset:
    kind = (_asset_text("kind", kind, required=True) or "").lower().replace(" ", "_")
    for name in ("make", "model", "serial", "notes"):
        if name in fields:
            fields[name] = _asset_text(name, fields[name])
    _asset_dates(fields.get("installed_on"), fields.get("warranty_until"))
    asset = Asset(site_id=site.id, kind=kind, **fields)
    session.add(asset)
    session.flush()
    record_event(
        session,
        site.customer_id,
        "asset_added",
        f"asset #{asset.id} {describe_asset(asset)}",
        actor=actor,
    )
    return asset


def describe_asset(asset: Asset) -> str:
    return " ".join(p for p in (asset.kind.replace("_", " "), asset.make, asset.model) if p)


def get_asset(session: Session, asset_id: int | str) -> Asset:
    text = str(asset_id).strip().lstrip("#")
    asset = session.get(Asset, int(text)) if text.isdigit() else None
    if asset is None:
        raise NotFound(f"asset {asset_id!r} not found")
    return asset


def edit_asset(session: Session, asset: Asset, *, actor: str = "system", **fields) -> list[str]:
    """Change the given fields (site, kind, make, model, serial, installed_on,
    warranty_until, notes; a blank text clears it). Returns the changes in words."""
    changes = []
    site = fields.pop("site", None)
    if site is not None and site.id != asset.site_id:
        old = session.get(Site, asset.site_id)
        if old is not None and old.customer_id != site.customer_id:
            raise InvalidInput("site: an asset moves only between sites of the same customer")
        changes.append(f"site #{asset.site_id} -> #{site.id}")
        asset.site_id = site.id
    for name in ("kind", "make", "model", "serial", "notes"):
        if name in fields:
            value = _asset_text(name, fields[name], required=name == "kind")
            if name == "kind" and value:
                value = value.lower().replace(" ", "_")
            if value != getattr(asset, name):
                changes.append(f"{name} {getattr(asset, name) or '-'} -> {value or '-'}")
                setattr(asset, name, value)
    for name, label in (("installed_on", "installed"), ("warranty_until", "warranty")):
        if name in fields and fields[name] != getattr(asset, name):
            changes.append(f"{label} {getattr(asset, name) or '-'} -> {fields[name] or '-'}")
            setattr(asset, name, fields[name])
    _asset_dates(asset.installed_on, asset.warranty_until)
    if changes:
        session.add(asset)
        session.flush()
        site_row = must_get(session, Site, asset.site_id)
        record_event(
            session,
            site_row.customer_id,
            "asset_edited",
            f"asset #{asset.id}: " + "; ".join(changes),
            actor=actor,
        )
    return changes


def retire_asset(
    session: Session,
    asset: Asset,
    *,
    on: date | None = None,
    reason: str | None = None,
    actor: str = "system",
) -> Asset:
    """Take an asset out of service (kept, with its history; new orders cannot use it)."""
    if asset.retired_on is not None:
        raise InvalidInput(f"asset #{asset.id} was already retired on {asset.retired_on}")
    day = on or now().date()
    if day > now().date():
        raise InvalidInput(f"on: {day} is in the future")
    asset.retired_on = day
    asset.retired_reason = (reason or "").strip() or None
    session.add(asset)
    session.flush()
    site = must_get(session, Site, asset.site_id)
    record_event(
        session,
        site.customer_id,
        "asset_retired",
        f"asset #{asset.id} {describe_asset(asset)} retired {day}"
        + (f": {asset.retired_reason}" if asset.retired_reason else ""),
        actor=actor,
    )
    return asset


def get_customer(session: Session, ref: str | int) -> Customer:
    """By id, phone, e-mail or unique name (prefix)."""
    text = str(ref).strip()
    if text.startswith("#"):
        text = text[1:]
    if text.isdigit() and len(text) < 7:
        found = session.get(Customer, int(text))
        if found:
            return found
    found = match_customer(session, phone=text, email=text)
    if found:
        return found
    matches = session.exec(
        select(Customer)
        .where(containing(text, col(Customer.name), prefix=True))
        .where(col(Customer.merged_into_id).is_(None))
        .limit(6)
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
    stmt = (
        select(Customer)
        .where(col(Customer.merged_into_id).is_(None))
        .order_by(Customer.name)
        .limit(limit)
    )
    text = text.strip()
    if text:
        digits = phone_key(text)
        site_match = select(Site.customer_id).where(
            containing(text, col(Site.address), col(Site.city), col(Site.zip))
        )
        conds = [
            containing(text, col(Customer.name), col(Customer.email)),
            col(Customer.id).in_(site_match),
        ]
        if digits or text.replace("-", "").isdigit():
            conds.append(
                col(Customer.phone_key).like(f"%{''.join(ch for ch in text if ch.isdigit())}%")
            )
        stmt = stmt.where(or_(*conds))
    return list(session.exec(stmt))


def customer_sites(session: Session, customer_id: int) -> list[Site]:
    return children(session, Site, Site.customer_id, customer_id)


def edit_customer_from_form(
    session: Session, customer_id: int, v: dict[str, str], *, actor: str = "system"
) -> int:
    """`edit_customer` from the console's form (every field given as text; tax exempt
    y/yes/true/1, anything else no). Returns the customer's id."""
    c = get_customer(session, customer_id)
    edit_customer(
        session,
        c,
        name=v["name"],
        phone=v["phone"],
        email=v["email"],
        kind=v["kind"],
        billing_address=v["billing"],
        tax_exempt=v["tax_exempt"].strip().lower() in ("y", "yes", "true", "1"),
        notes=v["notes"],
        actor=actor,
    )
    return row_id(c)


def customer_matches(session: Session, text: str, limit: int = 8) -> list[tuple[int, str]]:
    """Customers matching what was typed, as (id, "name · phone · first site (+more)")
    for the order form's picker."""
    out = []
    for c in search_customers(session, text, limit=limit):
        sites = customer_sites(session, c.id)
        where = f"{sites[0].address}, {sites[0].city}" if sites else "no site"
        extra = f" (+{len(sites) - 1})" if len(sites) > 1 else ""
        out.append((row_id(c), f"{c.name} · {format_phone(c) or c.email or '-'} · {where}{extra}"))
    return out


@dataclass
class SiteChoice:
    """A site to pick on the order form, with its assets as (label, id)."""

    id: int
    label: str
    assets: list[tuple[str, int]] = dataclasses.field(default_factory=list)


def site_choices(session: Session, customer_id: int) -> list[SiteChoice]:
    sites = customer_sites(session, customer_id)
    choices = [
        SiteChoice(row_id(s), ", ".join(p for p in (s.name, s.address, s.city) if p)) for s in sites
    ]
    by_id = {c.id: c for c in choices}
    for a in site_assets(session, [c.id for c in choices]):
        label = " ".join(p for p in (a.kind, a.make, a.model, a.serial) if p)
        by_id[a.site_id].assets.append((label, row_id(a)))
    return choices


def customer_contacts(session: Session, customer_id: int) -> list[Contact]:
    return children(session, Contact, Contact.customer_id, customer_id)


def site_assets(session: Session, site_ids: list[int]) -> list[Asset]:
    if not site_ids:
        return []
    return list(
        session.exec(select(Asset).where(col(Asset.site_id).in_(site_ids)).order_by(col(Asset.id)))
    )
