"""`svcdesk customers add|list|show`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso
from svcdesk.services.crm import customers as svc
from svcdesk.services.orders import queries

app = typer.Typer(help="Customers, their sites, contacts and equipment.", no_args_is_help=True)


@app.command("add")
def add(
    name: str,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    kind: Annotated[str, typer.Option("--kind", help="residential or commercial")] = "residential",
    address: Annotated[
        str | None, typer.Option("--address", help="First site's street address.")
    ] = None,
    city: Annotated[str, typer.Option("--city")] = "",
    state: Annotated[str, typer.Option("--state")] = "",
    zip_code: Annotated[str, typer.Option("--zip")] = "",
    tax_exempt: Annotated[bool, typer.Option("--tax-exempt")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Add a customer (and a first site when --address is given)."""
    with write_session(engine()) as session:
        existing = svc.match_customer(session, phone=phone, email=email)
        if existing:
            from svcdesk.errors import InvalidInput

            raise InvalidInput(
                f"customer: {existing.name} (#{existing.id}) already has that phone or e-mail"
            )
        customer = svc.create_customer(
            session, name=name, phone=phone, email=email, kind=kind, tax_exempt=tax_exempt
        )
        site = None
        if address:
            site = svc.add_site(
                session, customer, address=address, city=city, state=state, zip_code=zip_code
            )
        result = {"id": customer.id, "name": customer.name, "site_id": site.id if site else None}
    if json_out:
        print_json(result)
    else:
        info(f"customer #{result['id']} {result['name']} added")


def _customer_json(c) -> dict:
    """The fields `customers list --json` gives per customer (`show` adds to them)."""
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "phone": c.phone,
        "email": c.email,
        "tax_exempt": c.tax_exempt,
    }


@app.command("list")
def list_cmd(
    search: Annotated[
        str, typer.Option("--search", "-s", help="Name, phone, e-mail or address.")
    ] = "",
    limit: Annotated[int, typer.Option("--limit")] = 100,
    json_out: JsonOpt = False,
) -> None:
    """Customers, optionally filtered."""
    with read_session(engine()) as session:
        rows = svc.search_customers(session, search, limit)
    if json_out:
        print_json([_customer_json(c) for c in rows])
        return
    table(
        f"{len(rows)} customers",
        ["#", "Name", "Kind", "Phone", "E-mail"],
        [(c.id, c.name, c.kind, c.phone, c.email) for c in rows],
    )


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Id, phone, e-mail or name.")],
    json_out: JsonOpt = False,
) -> None:
    """A customer with sites, contacts, assets and order history."""
    with read_session(engine()) as session:
        c = svc.get_customer(session, ref)
        sites = svc.customer_sites(session, c.id)
        contacts = svc.customer_contacts(session, c.id)
        assets = svc.site_assets(session, [s.id for s in sites])
        orders = queries.list_orders(session, customer_id=c.id, open_only=False, limit=None)
        zone = shop_zone(session)
    if json_out:
        print_json(
            {
                **_customer_json(c),
                "created_at": iso(c.created_at),
                "sites": [
                    {
                        "id": s.id,
                        "address": s.address,
                        "city": s.city,
                        "state": s.state,
                        "zip": s.zip,
                        "lat": s.lat,
                        "lon": s.lon,
                    }
                    for s in sites
                ],
                "contacts": [
                    {"id": p.id, "name": p.name, "role": p.role, "phone": p.phone, "email": p.email}
                    for p in contacts
                ],
                "assets": [
                    {
                        "id": a.id,
                        "site_id": a.site_id,
                        "kind": a.kind,
                        "make": a.make,
                        "model": a.model,
                        "serial": a.serial,
                        "warranty_until": a.warranty_until.isoformat()
                        if a.warranty_until
                        else None,
                    }
                    for a in assets
                ],
                "orders": [o.to_json() for o in orders],
            }
        )
        return
    info(f"#{c.id} {c.name} ({c.kind}) {c.phone or ''} {c.email or ''}")
    table(
        "Sites",
        ["#", "Address", "City", "State", "ZIP"],
        [(s.id, s.address, s.city, s.state, s.zip) for s in sites],
    )
    if contacts:
        table(
            "Contacts",
            ["Name", "Role", "Phone", "E-mail"],
            [(p.name, p.role, p.phone, p.email) for p in contacts],
        )
    if assets:
        table(
            "Assets",
            ["#", "Site", "Kind", "Make", "Model", "Serial", "Warranty"],
            [
                (a.id, a.site_id, a.kind, a.make, a.model, a.serial, a.warranty_until)
                for a in assets
            ],
        )
    table(
        "Orders",
        ["Number", "Status", "Priority", "Summary", "Created"],
        [
            (o.number, o.status, o.priority, o.summary, fmt(o.created_at, zone, "%Y-%m-%d"))
            for o in orders
        ],
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="customers")
