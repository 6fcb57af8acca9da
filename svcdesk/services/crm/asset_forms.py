"""Assets from typed text (the CLI's flags and the console's forms): site id, dates in
the shop's zone, blank = clear; the rules stay in `customers.add_asset/edit_asset/
retire_asset`."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from svcdesk.errors import InvalidInput
from svcdesk.models import Asset, Site
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm import customers as crm


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def asset_dict(a: Asset) -> dict:
    """An asset's fields as plain values (dates ISO, or None), for the faces to show."""
    return {
        "id": a.id,
        "site_id": a.site_id,
        "kind": a.kind,
        "make": a.make,
        "model": a.model,
        "serial": a.serial,
        "installed_on": _day(a.installed_on),
        "warranty_until": _day(a.warranty_until),
        "retired_on": _day(a.retired_on),
        "retired_reason": a.retired_reason,
    }


def parse_day(session: Session, text: str | None, field: str) -> date | None:
    """A calendar day typed in the shop's zone; blank is None."""
    if text is None or not text.strip():
        return None
    zone = shop_zone(session)
    try:
        return parse_when(text, zone, field=field).astimezone(zone).date()
    except InvalidInput:
        raise InvalidInput(f"{field}: {text!r} is not a date; expected e.g. 2026-03-14") from None


def find_site(session: Session, ref: str | int) -> Site:
    text = str(ref).strip().lstrip("#")
    site = session.get(Site, int(text)) if text.isdigit() else None
    if site is None:
        raise InvalidInput(f"site: no site {ref!r}; `svcdesk customers show NAME` lists site ids")
    return site


def add_asset_from_text(session: Session, v: dict[str, str | None], *, actor: str) -> Asset:
    """`v`: site, kind, make, model, serial, installed, warranty, notes (text)."""
    return crm.add_asset(
        session,
        find_site(session, v.get("site") or ""),
        kind=v.get("kind") or "",
        make=v.get("make"),
        model=v.get("model"),
        serial=v.get("serial"),
        installed_on=parse_day(session, v.get("installed"), "installed"),
        warranty_until=parse_day(session, v.get("warranty"), "warranty"),
        notes=v.get("notes"),
        actor=actor,
    )


def edit_asset_from_text(
    session: Session, asset: Asset, v: dict[str, str | None], *, actor: str
) -> list[str]:
    """Only the keys present in `v` change (None = not given; '' clears)."""
    fields: dict = {
        k: v[k] for k in ("kind", "make", "model", "serial", "notes") if v.get(k) is not None
    }
    if (site := v.get("site")) is not None:
        fields["site"] = find_site(session, site)
    if v.get("installed") is not None:
        fields["installed_on"] = parse_day(session, v["installed"], "installed")
    if v.get("warranty") is not None:
        fields["warranty_until"] = parse_day(session, v["warranty"], "warranty")
    return crm.edit_asset(session, asset, actor=actor, **fields)


def retire_asset_from_text(
    session: Session, asset_id: str | int, on: str | None, reason: str | None, *, actor: str
) -> Asset:
    """Retire an asset on a day typed in the shop's zone (blank = today)."""
    asset = crm.get_asset(session, asset_id)
    day = parse_day(session, on, "on")
    return crm.retire_asset(session, asset, on=day, reason=reason, actor=actor)
