"""`svcdesk techs enrol|devices|revoke`: technicians' phones for the field app.

Registered into the `techs` group from this module (cli/main.py COMMAND_MODULES loads it
with `techs`), so the technician commands and the phone commands live in separate files."""

from __future__ import annotations

import io
from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso
from svcdesk.services.crm import devices as svc
from svcdesk.services.crm import technicians

DEFAULT_URL, URL_ENV = svc.DEFAULT_URL, svc.URL_ENV


def enrol(
    name: Annotated[str, typer.Argument(help="Technician name or id.")],
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help=f"The field app's address as phones reach it (default ${URL_ENV} or {DEFAULT_URL}).",
        ),
    ] = None,
    qr: Annotated[bool, typer.Option("--qr/--no-qr", help="Print a QR code of the link.")] = True,
    json_out: JsonOpt = False,
) -> None:
    """Print a one-time sign-in link (valid 15 minutes) for a technician's phone."""
    try:
        base = svc.field_url(url)
    except InvalidInput:
        raise typer.BadParameter(
            "must start with http:// or https://", param_hint="--url"
        ) from None
    with write_session(engine()) as session:
        tech = technicians.find_technician(session, name)
        enrolment = svc.create_enrolment(session, tech, actor=actor())
        zone = shop_zone(session)
    link = svc.enrolment_link(base, enrolment.token)
    if json_out:
        print_json({"technician": enrolment.technician, "url": link,
                    "expires_at": iso(enrolment.expires_at)})  # fmt: skip
        return
    info(
        f"Sign-in link for {enrolment.technician} (one use, until {fmt(enrolment.expires_at, zone, '%H:%M')}):"
    )
    info(link)
    if qr:
        import segno

        out = io.StringIO()
        segno.make(link, error="l").terminal(out=out, compact=True)
        info(out.getvalue().rstrip("\n"))


def devices(
    name: Annotated[str, typer.Argument(help="Technician name or id.")],
    json_out: JsonOpt = False,
) -> None:
    """A technician's signed-in phones (revoked ones too)."""
    with read_session(engine()) as session:
        tech = technicians.find_technician(session, name)
        rows = svc.list_devices(session, tech)
        zone = shop_zone(session)
    if json_out:
        print_json(
            [
                {
                    "id": d.id,
                    "technician": tech.name,
                    "label": d.label,
                    "created_at": iso(d.created_at),
                    "created_by": d.created_by,
                    "last_seen_at": iso(d.last_seen_at),
                    "revoked_at": iso(d.revoked_at),
                    "revoked_by": d.revoked_by,
                }
                for d in rows
            ]
        )
        return
    table(
        f"{tech.name}: {len(rows)} device(s)",
        ["Id", "Signed in", "Last seen", "State", "Browser"],
        [
            (
                d.id,
                fmt(d.created_at, zone),
                fmt(d.last_seen_at, zone) if d.last_seen_at else "",
                f"revoked {fmt(d.revoked_at, zone)} by {d.revoked_by}"
                if d.revoked_at
                else "active",
                (d.label or "")[:40],
            )
            for d in rows
        ],
    )


def revoke(
    device_id: Annotated[int, typer.Argument(help="Device id (see `techs devices`).")],
) -> None:
    """Sign a phone out for good (its session stops working at once)."""
    with write_session(engine()) as session:
        device = svc.revoke_device(session, device_id, actor=actor())
        tech = technicians.find_technician(session, device.technician_id)
    info(f"device {device_id} of {tech.name} revoked")


_DONE: list[bool] = []


def register(root: typer.Typer) -> None:
    """Adds to the `techs` group (registered by techs.py); no top-level name of its own."""
    if _DONE:
        return
    _DONE.append(True)
    from svcdesk.cli.commands.techs import app as techs_app

    techs_app.command("enrol")(enrol)
    techs_app.command("devices")(devices)
    techs_app.command("revoke")(revoke)
