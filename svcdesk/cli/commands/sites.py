"""`svcdesk sites add|edit|list`: a customer's service addresses."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt, LimitOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.money import fmt_percent
from svcdesk.services.crm import sites as svc

app = typer.Typer(help="Sites: where the work is done (address, tax zone, access).",
                  no_args_is_help=True)  # fmt: skip

Address = Annotated[str | None, typer.Option("--address", help="Street address.")]
City = Annotated[str | None, typer.Option("--city")]
State = Annotated[str | None, typer.Option("--state", help="Two letters, e.g. TX.")]
Zip = Annotated[str | None, typer.Option("--zip", help="5 or 9 digits.")]
Name = Annotated[str | None, typer.Option("--name", help="e.g. 'Main', 'Warehouse'.")]
Zone = Annotated[str | None, typer.Option("--tax-zone", help="Zone name ('' = the default zone).")]
Notes = Annotated[str | None, typer.Option("--access", help="Access notes: gate code, pets.")]
Lat = Annotated[str | None, typer.Option("--lat", help="Latitude, e.g. 30.2672 ('' clears).")]
Lon = Annotated[str | None, typer.Option("--lon", help="Longitude, e.g. -97.7431.")]


def _site_json(r: svc.SiteRow) -> dict:
    return {
        "id": r.id, "customer_id": r.customer_id, "customer": r.customer, "name": r.name,
        "address": r.address, "city": r.city, "state": r.state, "zip": r.zip,
        "tax_zone": r.tax_zone, "tax_rate_bp": r.tax_rate_bp, "access_notes": r.access_notes,
        "lat": r.lat, "lon": r.lon,
    }  # fmt: skip


def _row(session, site_id: int) -> svc.SiteRow:
    return next(r for r in svc.list_sites(session, limit=None) if r.id == site_id)


def _show(row: svc.SiteRow, verb: str, json_out: bool) -> None:
    if json_out:
        print_json(_site_json(row))
    else:
        place = ", ".join(p for p in (row.address, row.city, f"{row.state} {row.zip}".strip()) if p)
        info(f"site #{row.id} {place} ({row.customer}; tax {row.tax_zone} "
             f"{fmt_percent(row.tax_rate_bp)}) {verb}")  # fmt: skip


def _save(write, verb: str, json_out: bool) -> None:
    """Run `write(session) -> site` in one transaction and show the site as it now is."""
    with write_session(engine()) as session:
        row = _row(session, write(session).id)
    _show(row, verb, json_out)


@app.command("add")
def add(
    customer: Annotated[str, typer.Argument(help="Customer id, phone, e-mail or name.")],
    address: Annotated[str, typer.Option("--address", help="Street address.")],
    city: Annotated[str, typer.Option("--city")] = "",
    state: Annotated[str, typer.Option("--state", help="Two letters, e.g. TX.")] = "",
    zip_code: Annotated[str, typer.Option("--zip", help="5 or 9 digits.")] = "",
    name: Name = None,
    tax_zone: Zone = None,
    access: Notes = None,
    lat: Lat = None,
    lon: Lon = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a site to a customer."""
    given = svc.site_fields(address=address, city=city, state=state, zip_code=zip_code,
                            name=name, tax_zone=tax_zone, access_notes=access, lat=lat,
                            lon=lon)  # fmt: skip
    _save(lambda s: svc.add_site(s, customer, actor=actor(), **given), "added", json_out)


@app.command("edit")
def edit(
    site_id: Annotated[int, typer.Argument(metavar="SITE", help="Site number (sites list).")],
    address: Address = None,
    city: City = None,
    state: State = None,
    zip_code: Zip = None,
    name: Name = None,
    tax_zone: Zone = None,
    access: Notes = None,
    lat: Lat = None,
    lon: Lon = None,
    json_out: JsonOpt = False,
) -> None:
    """Change a site's fields (only those given)."""
    given = svc.site_fields(address=address, city=city, state=state, zip_code=zip_code,
                            name=name, tax_zone=tax_zone, access_notes=access, lat=lat,
                            lon=lon)  # fmt: skip
    _save(lambda s: svc.edit_site(s, site_id, actor=actor(), **given), "changed", json_out)


@app.command("list")
def list_cmd(
    customer: Annotated[
        str | None, typer.Option("--customer", "-c", help="Only this customer's sites.")
    ] = None,
    limit: LimitOpt = 200,
    json_out: JsonOpt = False,
) -> None:
    """Sites with their customer, tax zone and access notes."""
    with read_session(engine()) as session:
        rows = svc.list_sites(session, customer=customer, limit=limit)
    if json_out:
        print_json([_site_json(r) for r in rows])
        return
    table(
        f"{len(rows)} sites",
        ["#", "Customer", "Address", "City", "State", "ZIP", "Tax", "Access", "Lat/lon"],
        [
            (
                r.id,
                r.customer,
                r.address,
                r.city,
                r.state,
                r.zip,
                f"{r.tax_zone} {fmt_percent(r.tax_rate_bp)}",
                r.access_notes,
                f"{r.lat}, {r.lon}" if r.lat is not None else "",
            )
            for r in rows
        ],  # fmt: skip
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sites")
