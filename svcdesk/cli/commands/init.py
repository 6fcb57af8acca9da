"""`svcdesk init`: start a shop (the only command that creates a database; `demo` builds
its own)."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.output import error, info
from svcdesk.cli.state import STATE
from svcdesk.db import shown_name
from svcdesk.services.common.money import fmt_money, fmt_percent, parse_money
from svcdesk.services.crm.tax import parse_rate
from svcdesk.services.shop.setup import ShopStart, start_shop


def _check_target(value: str | None) -> str | None:
    """Before any prompt: a path that cannot take a new shop is refused at once."""
    from svcdesk.config import resolve_db_url
    from svcdesk.errors import SvcDeskError
    from svcdesk.services.shop.setup import check_target

    try:
        check_target(resolve_db_url(value or STATE.db))
    except SvcDeskError as exc:
        error(str(exc))
        raise typer.Exit(1) from None
    return value


def init(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Where: a SQLite file or a PostgreSQL URL (default: as --db).",
            is_eager=True,
            callback=_check_target,
        ),
    ] = None,
    company: Annotated[
        str, typer.Option("--company", prompt="Company name", help="Name on invoices.")
    ] = ...,  # type: ignore[assignment]
    timezone: Annotated[
        str,
        typer.Option("--timezone", prompt="Time zone", help="IANA name, e.g. America/Chicago."),
    ] = "America/Chicago",
    hours: Annotated[
        str,
        typer.Option(
            "--hours", prompt="Business hours", help="e.g. 'mon-fri 08:00-17:00; sat 09:00-12:00'."
        ),
    ] = "mon-fri 08:00-17:00",
    tax_zone: Annotated[
        str,
        typer.Option("--tax-zone", prompt="Default tax zone name", help="e.g. Austin."),
    ] = ...,  # type: ignore[assignment]
    tax_rate: Annotated[
        str,
        typer.Option("--tax-rate", prompt="Its sales tax rate, percent", help="e.g. 8.25 (%)."),
    ] = ...,  # type: ignore[assignment]
    staff: Annotated[
        str | None,
        typer.Option("--staff", help="The first staff member (a manager), e.g. your own name."),
    ] = None,
    labor_rate: Annotated[
        str | None,
        typer.Option("--labor-rate", help="Regular hourly labor rate, e.g. 95.00 (invoices)."),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(
            "--address", help="Company address on documents; its ZIP starts the drive times."
        ),
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="Company phone on documents.")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Company e-mail on documents.")
    ] = None,
) -> None:
    """Start a shop: create the database with the company name, time zone, business hours,
    default tax zone and optionally its first staff member, labor rate and contact details.
    Refuses a path that already holds a file or a shop."""
    from svcdesk.errors import InvalidInput
    from svcdesk.services.crm.staff import ADD_HINT, check_name

    target = db or STATE.db
    actor, behalf = STATE.actor, None
    if STATE.as_name is not None:  # a new shop's only staff member is the one --staff adds
        name = check_name(STATE.as_name, "--as")
        if staff is None or name.lower() != check_name(staff, "staff").lower():
            raise InvalidInput(
                f"--as: this shop has no staff yet; {ADD_HINT} (or `svcdesk init --staff NAME`)"
            )
        actor, behalf = check_name(staff, "staff"), STATE.actor
    start = ShopStart(
        company, timezone, hours, tax_zone, tax_rate, staff, labor_rate, address, phone, email
    )
    engine = start_shop(target, start, actor=actor, on_behalf_of=behalf)
    where = shown_name(engine.url.render_as_string(hide_password=False))
    engine.dispose()
    info(
        f"shop started: {start.company.strip()} at {where} ({timezone.strip()}, "
        f"{hours.strip()}; tax zone {' '.join(tax_zone.split())} "
        f"{fmt_percent(parse_rate(tax_rate))} is the default)"
    )
    if staff is not None:
        info(f"staff: {check_name(staff)} (manager) added; act as them with --as")
    if start.labor_rate is not None:
        info(f"labor: {fmt_money(parse_money(start.labor_rate))}/h regular rate (price book LABOR)")
    else:
        info(
            f"labor: no hourly rate yet (invoices need one): svcdesk --db {where} pricebook set "
            "LABOR --type labor --kind regular --price 95.00"
        )
    info(company_line(start, where))
    info(f"next: svcdesk --db {where} techs add ... / customers add ... / intake ...")


def company_line(start: ShopStart, where: str) -> str:
    """What init says of the company's address: the depot it gives, or how to add one."""
    from svcdesk.services.shop.setup import depot_words

    if not (start.address or "").strip():
        return (
            f"address: none yet (documents, and the depot drive times start from): svcdesk "
            f"--db {where} settings set company.address '12 Main St, City, ST 12345'"
        )
    return f"address: {start.address.strip()} ({depot_words(start.address)})"


def register(root: typer.Typer) -> None:
    root.command("init")(init)
