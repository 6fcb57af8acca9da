"""Tax zones: a site bills at its zone's rate; a site without one at the default zone's
(setting `tax.default_zone`); no default zone means no tax. Rates are basis points
(825 = 8.25 %), typed as percents ("8.25")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Site
from svcdesk.models.shop import TaxZone
from svcdesk.services.common.events import record_change
from svcdesk.services.common.money import fmt_percent, parse_percent
from svcdesk.services.common.rows import row_id

MAX_RATE_BP = 5000  # = arith.compute's limit: 50 %


def parse_rate(text: str | int) -> int:
    """'8.25' or '8.25%' -> 825 basis points; 0 to 50 %, at most 2 decimals."""
    bp = parse_percent(str(text), field="rate")
    if not 0 <= bp <= MAX_RATE_BP:
        raise InvalidInput(f"rate: {text!r} is not between 0 and 50 (percent)")
    return bp


def _name(text: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise InvalidInput("name: a tax zone needs a name")
    if len(name) > 80:
        raise InvalidInput(f"name: {name[:20]!r}... is longer than 80 characters")
    return name


def find_zone(session: Session, name: str) -> TaxZone | None:
    """By name, case-insensitively."""
    key = " ".join((name or "").split()).lower()
    return session.exec(select(TaxZone).where(func.lower(TaxZone.name) == key)).first()


def get_zone(session: Session, ref: str | int) -> TaxZone:
    """By name or id."""
    text = str(ref).strip()
    zone = find_zone(session, text)
    if zone is None and text.isdigit():
        zone = session.get(TaxZone, int(text))
    if zone is None:
        names = ", ".join(zone_names(session)) or "none yet"
        raise NotFound(f"tax zone {text!r} not found; zones: {names}")
    return zone


def zone_names(session: Session, *, active_only: bool = True) -> list[str]:
    stmt = select(TaxZone.name).order_by(TaxZone.name)
    if active_only:
        stmt = stmt.where(col(TaxZone.active).is_(True))
    return list(session.exec(stmt))


def list_zones(session: Session) -> list[TaxZone]:
    return list(session.exec(select(TaxZone).order_by(TaxZone.name)))


def _snapshot(zone: TaxZone) -> dict:
    return {"name": zone.name, "rate_bp": zone.rate_bp, "active": zone.active}


def add_zone(
    session: Session, name: str, rate: str | int, *, actor: str = "system", default: bool = False
) -> TaxZone:
    """A new zone (`rate` as a percent: "8.25"); `default=True` also makes it the default."""
    name = _name(name)
    if find_zone(session, name) is not None:
        raise InvalidInput(
            f"name: tax zone {name!r} already exists; change it with `tax zones edit`"
        )
    zone = TaxZone(name=name, rate_bp=parse_rate(rate), active=True)
    session.add(zone)
    session.flush()
    record_change(
        session, "tax_zone", row_id(zone), "created", f"tax zone {zone.name} {fmt_percent(zone.rate_bp)}",
        actor=actor, after=_snapshot(zone),
    )  # fmt: skip
    if default:
        from svcdesk.services.common.settings import set_setting

        set_setting(session, "tax.default_zone", zone.name, actor=actor)
    return zone


def edit_zone(
    session: Session,
    ref: str | int,
    *,
    name: str | None = None,
    rate: str | int | None = None,
    active: bool | None = None,
    actor: str = "system",
) -> TaxZone:
    """Rename, re-rate or (de)activate a zone. Invoices already made keep their rate.
    The default zone cannot be deactivated; renaming it keeps it the default."""
    from svcdesk.services.common.settings import get_setting, set_setting

    zone = get_zone(session, ref)
    before = _snapshot(zone)
    was_default = (get_setting(session, "tax.default_zone") or "").lower() == zone.name.lower()
    if name is not None:
        new = _name(name)
        other = find_zone(session, new)
        if other is not None and other.id != zone.id:
            raise InvalidInput(f"name: tax zone {new!r} already exists")
        zone.name = new
    if rate is not None:
        zone.rate_bp = parse_rate(rate)
    if active is not None:
        if not active and was_default:
            raise InvalidInput(
                f"active: {zone.name} is the default tax zone; set tax.default_zone to another "
                "zone first"
            )
        zone.active = active
    after = _snapshot(zone)
    if after == before:
        raise InvalidInput("tax zones edit: nothing to change (give --name, --rate or --active)")
    session.add(zone)
    session.flush()
    changed = ", ".join(f"{k} {before[k]} -> {after[k]}" for k in after if after[k] != before[k])
    record_change(
        session, "tax_zone", row_id(zone), "edited", f"tax zone {zone.name}: {changed}",
        actor=actor, before=before, after=after,
    )  # fmt: skip
    if was_default and zone.name != before["name"]:
        set_setting(session, "tax.default_zone", zone.name, actor=actor)
    return zone


def save_zone(
    session: Session,
    zone_id: int | None,
    *,
    name: str,
    rate: str,
    active: bool,
    default: bool,
    actor: str = "system",
) -> TaxZone:
    """The console's zone dialog: add a zone (`zone_id` None) or set every field of one;
    only what differs from the zone as it is is changed, and `default` makes it (or stops
    it being) the default zone."""
    from svcdesk.services.common.settings import get_setting, set_setting

    if zone_id is None:
        made = add_zone(session, name, rate, default=default, actor=actor)
        if not active:
            edit_zone(session, row_id(made), active=False, actor=actor)
        return made
    zone = get_zone(session, zone_id)
    was_default = (get_setting(session, "tax.default_zone") or "").lower() == zone.name.lower()
    old_rate = fmt_percent(zone.rate_bp).rstrip("%")
    if (name, rate, active) != (zone.name, old_rate, zone.active):
        zone = edit_zone(
            session, zone_id,
            name=name if name != zone.name else None,
            rate=rate if rate != old_rate else None,
            active=active if active != zone.active else None, actor=actor,
        )  # fmt: skip
    if default and not was_default:
        set_setting(session, "tax.default_zone", zone.name, actor=actor)
    elif not default and was_default:
        set_setting(session, "tax.default_zone", "", actor=actor)
    return zone


def default_zone(session: Session) -> TaxZone | None:
    from svcdesk.services.common.settings import get_setting

    name = get_setting(session, "tax.default_zone") or ""
    zone = find_zone(session, name) if name else None
    return zone if zone is not None and zone.active else None


@dataclass(frozen=True)
class SiteTax:
    rate_bp: int
    zone: str | None  # the zone's name; None = no zone (no tax)
    source: str  # "site", "default" or "none"


def site_tax(session: Session, site: Site | None) -> SiteTax:
    """The tax a site bills at: its zone's (when active), else the default zone's."""
    if site is not None and site.tax_zone_id is not None:
        zone = session.get(TaxZone, site.tax_zone_id)
        if zone is not None and zone.active:
            return SiteTax(zone.rate_bp, zone.name, "site")
    zone = default_zone(session)
    if zone is not None:
        return SiteTax(zone.rate_bp, zone.name, "default")
    return SiteTax(0, None, "none")


def site_rates(session: Session, site_ids: set[int]) -> dict[int, int]:
    """site id -> tax rate (bp), for many sites in two queries (bulk invoicing)."""
    if not site_ids:
        return {}
    fallback = default_zone(session)
    base = fallback.rate_bp if fallback is not None else 0
    out: dict[int, int] = {}
    ordered = sorted(site_ids)
    for start in range(0, len(ordered), 900):  # (SQLite's bound-parameter limit)
        rows = session.exec(
            select(Site.id, TaxZone.rate_bp, TaxZone.active)
            .join(TaxZone, col(TaxZone.id) == Site.tax_zone_id, isouter=True)
            .where(col(Site.id).in_(ordered[start : start + 900]))
        ).all()
        out.update(
            (sid, rate if rate is not None and active else base) for sid, rate, active in rows
        )
    return out


def check_zone_setting(key: str, text: str, session: Session) -> str:
    """The `tax.default_zone` setting names an active zone (the canonical name), else one
    line listing the zones."""
    zone = find_zone(session, text)
    if zone is None or not zone.active:
        names = ", ".join(zone_names(session)) or "none yet: add one with `svcdesk tax zones add`"
        raise InvalidInput(f"{key}: {text!r} is not an active tax zone; zones: {names}")
    return zone.name
