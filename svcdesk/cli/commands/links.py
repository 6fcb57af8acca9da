"""`svcdesk links quote|invoice|request|list|revoke`: links customers open without an account
(served by `svcdesk serve`, docs/customer-links.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.services.billing import portal
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso
from svcdesk.services.crm import devices

app = typer.Typer(help="Links customers open: approve a quote, see an invoice, ask for service.",
                  no_args_is_help=True)  # fmt: skip

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="The web app's address as customers reach it (default: the web.public_url "
        f"setting, else ${devices.URL_ENV}, else {devices.DEFAULT_URL}).",
    ),
]
DaysOpt = Annotated[
    int | None,
    typer.Option("--days", help="Days the link works (default: quote 30, invoice 60, request 30)."),
]


def _base(url: str | None) -> str:
    try:
        with read_session(engine()) as session:
            return portal.public_base(session, url)
    except InvalidInput:
        raise typer.BadParameter(
            "must start with http:// or https://", param_hint="--url"
        ) from None


def _made(link: portal.NewLink, json_out: bool) -> None:
    if json_out:
        print_json({"id": link.id, "kind": link.kind, "for": link.what, "url": link.url,
                    "expires_at": iso(link.expires_at)})  # fmt: skip
        return
    with read_session(engine()) as session:
        zone = shop_zone(session)
    info(f"Link for {link.what} (until {fmt(link.expires_at, zone, '%Y-%m-%d')}):")
    info(link.url)


def _document_link(create, number: str, url: str | None, days: int | None, json_out: bool) -> None:
    base = _base(url)
    with write_session(engine()) as session:
        link = create(session, number, base_url=base, days=days, actor=actor())
    _made(link, json_out)


@app.command("quote")
def quote(
    number: Annotated[str, typer.Argument(help="Quote number (sent).")],
    url: UrlOpt = None,
    days: DaysOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A link where the customer sees the quote and approves an option with a signature."""
    _document_link(portal.create_quote_link, number, url, days, json_out)


@app.command("invoice")
def invoice(
    number: Annotated[str, typer.Argument(help="Invoice number (sent).")],
    url: UrlOpt = None,
    days: DaysOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A link where the customer sees the invoice and its balance and downloads the PDF."""
    _document_link(portal.create_invoice_link, number, url, days, json_out)


@app.command("request")
def request(
    customer: Annotated[
        str | None,
        typer.Option("--customer", help="For one customer (name, phone or id); default anyone."),
    ] = None,
    url: UrlOpt = None,
    days: DaysOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A service request form; what is sent lands on the board as a new order (source portal)."""
    base = _base(url)
    with write_session(engine()) as session:
        link = portal.create_request_link(session, customer, base_url=base, days=days,
                                          actor=actor())  # fmt: skip
    _made(link, json_out)


@app.command("list")
def list_cmd(
    customer: Annotated[
        str | None, typer.Option("--customer", help="One customer's links.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Expired and revoked links too.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Links given to customers, newest first (the links themselves are not kept)."""
    with read_session(engine()) as session:
        rows = portal.list_links(session, customer, include_ended=all_)
        zone = shop_zone(session)
    if json_out:
        print_json([{"id": r.id, "kind": r.kind, "for": r.what, "customer": r.customer,
                     "state": r.state, "created_at": iso(r.created_at), "created_by": r.created_by,
                     "expires_at": iso(r.expires_at), "opened_at": iso(r.opened_at),
                     "used_at": iso(r.used_at), "signer": r.signer} for r in rows])  # fmt: skip
        return

    def used(r: portal.LinkRow) -> str:
        if r.used_at is None:
            return "opened " + fmt(r.opened_at, zone) if r.opened_at else "not opened"
        return f"used {fmt(r.used_at, zone)}" + (f" by {r.signer}" if r.signer else "")

    table(
        f"{len(rows)} customer link(s)",
        ["Id", "For", "Customer", "State", "Until", "Seen"],
        [
            (
                r.id,
                r.what,
                r.customer or "anyone",
                r.state,
                fmt(r.expires_at, zone, "%Y-%m-%d"),
                used(r),
            )
            for r in rows
        ],  # fmt: skip
    )


@app.command("revoke")
def revoke(
    link_id: Annotated[int, typer.Argument(help="Link id (see `links list`).")],
) -> None:
    """Stop a link working at once."""
    with write_session(engine()) as session:
        link = portal.revoke_link(session, link_id, actor=actor())
    info(f"link {link.id} ({link.kind}) revoked")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="links")
