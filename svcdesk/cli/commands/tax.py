"""`svcdesk tax zones add|edit|list`: sales-tax zones (rates typed as percents)."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.money import fmt_percent
from svcdesk.services.common.settings import get_setting
from svcdesk.services.crm import tax as svc

app = typer.Typer(help="Sales tax: zones and their rates.", no_args_is_help=True)
zones = typer.Typer(
    help="Tax zones: a site bills at its zone's rate, else the default zone's.",
    no_args_is_help=True,
)
app.add_typer(zones, name="zones")


def _zone_json(zone, default: str) -> dict:
    return {
        "id": zone.id,
        "name": zone.name,
        "rate_bp": zone.rate_bp,
        "active": zone.active,
        "default": zone.name.lower() == default.lower(),
    }


@zones.command("add")
def add(
    name: Annotated[str, typer.Argument(help="e.g. 'Austin' or 'Travis County'.")],
    rate: Annotated[str, typer.Option("--rate", help="Percent, e.g. 8.25.")],
    default: Annotated[
        bool, typer.Option("--default", help="Make it the default zone (tax.default_zone).")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Add a tax zone."""
    with write_session(engine()) as session:
        zone = svc.add_zone(session, name, rate, default=default, actor=actor())
        out = _zone_json(zone, get_setting(session, "tax.default_zone") or "")
    if json_out:
        print_json(out)
    else:
        extra = " (the default zone)" if out["default"] else ""
        info(f"tax zone #{out['id']} {out['name']} {fmt_percent(out['rate_bp'])} added{extra}")


@zones.command("edit")
def edit(
    zone_ref: Annotated[str, typer.Argument(metavar="ZONE", help="Name or id.")],
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    rate: Annotated[str | None, typer.Option("--rate", help="New rate, percent.")] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Use it or retire it.")
    ] = None,
    default: Annotated[bool, typer.Option("--default", help="Make it the default zone.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Rename, re-rate, retire or make default (invoices already made keep their rate)."""
    from svcdesk.services.common.settings import set_setting

    with write_session(engine()) as session:
        if name is None and rate is None and active is None and default:
            zone = svc.get_zone(session, zone_ref)
        else:
            zone = svc.edit_zone(
                session, zone_ref, name=name, rate=rate, active=active, actor=actor()
            )
        if default:
            set_setting(session, "tax.default_zone", zone.name, actor=actor())
        out = _zone_json(zone, get_setting(session, "tax.default_zone") or "")
    if json_out:
        print_json(out)
    else:
        state = "" if out["active"] else ", inactive"
        extra = ", the default zone" if out["default"] else ""
        info(f"tax zone #{out['id']} {out['name']} {fmt_percent(out['rate_bp'])}{state}{extra}")


@zones.command("list")
def list_cmd(json_out: JsonOpt = False) -> None:
    """Every tax zone, its rate, and which is the default."""
    with read_session(engine()) as session:
        rows = svc.list_zones(session)
        default = get_setting(session, "tax.default_zone") or ""
    out = [_zone_json(z, default) for z in rows]
    if json_out:
        print_json(out)
        return
    table(
        f"{len(out)} tax zones",
        ["#", "Name", "Rate", "Active", "Default"],
        [
            (
                z["id"],
                z["name"],
                fmt_percent(z["rate_bp"]),
                "yes" if z["active"] else "no",
                "default" if z["default"] else "",
            )
            for z in out
        ],  # fmt: skip
    )
    if not default:
        info("no default zone: sites without a zone bill no tax (tax zones edit NAME --default)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="tax")
