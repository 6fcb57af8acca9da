"""`svcdesk customers add|edit|list|show|merge|duplicates`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt, LimitOpt, nothing_to_change
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso
from svcdesk.services.common.words import status_words
from svcdesk.services.crm import customers as svc
from svcdesk.services.crm.asset_forms import asset_dict
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
    billing_address: Annotated[str | None, typer.Option("--billing-address")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    same_phone_ok: Annotated[
        bool,
        typer.Option(
            "--same-phone-ok",
            help="Add even when another customer has that phone or e-mail (a household).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Add a customer (and a first site when --address is given)."""
    with write_session(engine()) as session:
        customer, site = svc.add_customer(
            session,
            name=name,
            phone=phone,
            email=email,
            kind=kind,
            address=address,
            city=city,
            state=state,
            zip_code=zip_code,
            same_phone_ok=same_phone_ok,
            tax_exempt=tax_exempt,
            billing_address=billing_address,
            notes=notes,
            actor=actor(),
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
        "phone_ext": c.phone_ext,
        "email": c.email,
        "tax_exempt": c.tax_exempt,
    }


@app.command("list")
def list_cmd(
    search: Annotated[
        str, typer.Option("--search", "-s", help="Name, phone, e-mail or address.")
    ] = "",
    limit: LimitOpt = 100,
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
        [(c.id, c.name, c.kind, svc.format_phone(c), c.email) for c in rows],
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
        history = svc.customer_events(session, c.id)
        dups = svc.possible_duplicates(session, c.id)
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
                "assets": [asset_dict(a) for a in assets],
                "orders": [o.to_json() for o in orders],
                "merged_into_id": c.merged_into_id,
                "history": [
                    {"at": iso(e.at), "actor": e.actor, "kind": e.kind, "detail": e.detail}
                    for e in history
                ],
                "possible_duplicates": [
                    {"id": d.id, "customer_id": d.customer_id, "existing_id": d.existing_id}
                    for d in dups
                ],
            }
        )
        return
    info(f"#{c.id} {c.name} ({c.kind}) {svc.format_phone(c) or ''} {c.email or ''}")
    if c.merged_into_id:
        info(f"merged into #{c.merged_into_id}")
    for d in dups:
        other = d.existing if d.customer_id == c.id else d.customer
        other_id = d.existing_id if d.customer_id == c.id else d.customer_id
        info(
            f"possible duplicate of {other} (#{other_id}): same {d.matched_on} "
            f"(svcdesk customers merge {d.existing_id} {d.customer_id})"
        )
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
            ["#", "Site", "Kind", "Make", "Model", "Serial", "Warranty", "Retired"],
            [
                (
                    a.id,
                    a.site_id,
                    a.kind.replace("_", " "),
                    a.make,
                    a.model,
                    a.serial,
                    a.warranty_until,
                    a.retired_on or "",
                )
                for a in assets
            ],
        )
    table(
        "Orders",
        ["Number", "Status", "Priority", "Summary", "Created"],
        [
            (
                o.number,
                status_words(o.status),
                o.priority,
                o.summary,
                fmt(o.created_at, zone, "%Y-%m-%d"),
            )
            for o in orders
        ],
    )

    if history:
        table(
            "History",
            ["When", "Who", "What", "Detail"],
            [(fmt(e.at, zone), e.actor, e.kind.replace("_", " "), e.detail) for e in history],
        )


_KEEP = "(blank clears it)"


@app.command("edit")
def edit(
    ref: Annotated[str, typer.Argument(help="Id, phone, e-mail or name.")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help=f"e.g. '512-555-0101 x23' {_KEEP}.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help=_KEEP)] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="residential or commercial")] = None,
    billing_address: Annotated[str | None, typer.Option("--billing-address", help=_KEEP)] = None,
    tax_exempt: Annotated[
        bool | None, typer.Option("--tax-exempt/--taxable", show_default=False)
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help=_KEEP)] = None,
    json_out: JsonOpt = False,
) -> None:
    """Change a customer's name, phone, e-mail, kind, billing address, tax status or notes."""
    fields = {
        k: v
        for k, v in {
            "phone": phone,
            "email": email,
            "billing_address": billing_address,
            "notes": notes,
        }.items()
        if v is not None
    }
    if name is None and kind is None and tax_exempt is None and not fields:
        nothing_to_change(
            "--name, --phone, --email, --kind, --billing-address, --tax-exempt/--taxable or --notes"
        )
    with write_session(engine()) as session:
        c = svc.get_customer(session, ref)
        changes = svc.edit_customer(
            session, c, name=name, kind=kind, tax_exempt=tax_exempt, actor=actor(), **fields
        )
        result = {**_customer_json(c), "changes": changes}
    if json_out:
        print_json(result)
    elif changes:
        info(f"customer #{result['id']} {result['name']}: " + "; ".join(changes))
    else:
        info(f"customer #{result['id']} {result['name']}: nothing changed")


@app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(help="The customer that stays (id, phone, name).")],
    duplicate: Annotated[str, typer.Argument(help="The duplicate merged into it.")],
    json_out: JsonOpt = False,
) -> None:
    """Merge DUPLICATE into KEEP: its sites, orders, agreements, invoices, quotes and
    contacts move to KEEP; both keep a merge event; possible-duplicate records clear."""
    with write_session(engine()) as session:
        a = svc.get_customer(session, keep)
        b = svc.get_customer(session, duplicate)
        r = svc.merge_customers(session, a, b, actor=actor())
        result = {
            "kept": {"id": a.id, "name": a.name},
            "merged": {"id": b.id, "name": b.name},
            "moved": r.moved,
            "duplicates_cleared": r.duplicates_cleared,
            "sites_folded": r.sites_folded,
        }
    if json_out:
        print_json(result)
        return
    moved = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in r.moved.items()) or "nothing"
    if r.sites_folded:
        moved += f"; {r.sites_folded} site(s) at an address already on file folded into it"
    info(f"{result['merged']['name']} (#{result['merged']['id']}) merged into "
         f"{result['kept']['name']} (#{result['kept']['id']}): moved {moved}")  # fmt: skip


@app.command("duplicates")
def duplicates(
    dismiss: Annotated[
        int | None,
        typer.Option("--dismiss", help="Record ID is not a duplicate (clears it)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Callers whose phone or e-mail matched a customer with another name: each was filed
    under a new customer. Resolve with `customers merge KEEP DUPLICATE` or --dismiss ID."""
    if dismiss is not None:
        with write_session(engine()) as session:
            svc.dismiss_duplicate(session, dismiss, actor=actor())
        info(f"possible duplicate {dismiss} dismissed")
        return
    with read_session(engine()) as session:
        rows = svc.possible_duplicates(session)
        zone = shop_zone(session)
    if json_out:
        print_json(
            [
                {
                    "id": d.id,
                    "customer_id": d.customer_id,
                    "customer": d.customer,
                    "existing_id": d.existing_id,
                    "existing": d.existing,
                    "matched_on": d.matched_on,
                    "order": d.order,
                    "created_at": iso(d.created_at),
                }
                for d in rows
            ]
        )
        return
    table(
        f"{len(rows)} possible duplicates",
        ["Id", "New customer", "Same as", "Matched on", "Order", "When", "Resolve"],
        [
            (
                d.id,
                f"{d.customer} (#{d.customer_id})",
                f"{d.existing} (#{d.existing_id})",
                d.matched_on,
                d.order,
                fmt(d.created_at, zone),
                f"customers merge {d.existing_id} {d.customer_id}",
            )
            for d in rows
        ],
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="customers")
