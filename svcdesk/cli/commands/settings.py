"""`svcdesk settings list|set`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common import settings as svc

app = typer.Typer(
    help="Shop settings: time zone, hours, company details, SLA targets, billing, tax zone.",
    no_args_is_help=True,
)


@app.command("list")
def list_cmd(
    all_columns: Annotated[
        bool,
        typer.Option(
            "--allowed",
            help="Also show each key's kind and allowed values (with --json: every field).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Every setting: key, value, default and meaning."""
    with read_session(engine()) as session:
        rows = svc.setting_rows(session)
    if json_out and not all_columns:
        print_json({r.key: r.value for r in rows})  # (the stable shape: key -> value)
        return
    if json_out:
        print_json(
            {
                r.key: {
                    "value": r.value,
                    "default": r.default,
                    "kind": r.kind,
                    "allowed": r.allowed,
                    "meaning": r.meaning,
                }
                for r in rows
            }
        )
        return
    columns = ["Key", "Value", "Default", "Meaning"] + (["Kind", "Allowed"] if all_columns else [])
    table(
        f"{len(rows)} settings",
        columns,
        [
            (r.key, r.value, r.default, r.meaning) + ((r.kind, r.allowed) if all_columns else ())
            for r in rows
        ],
    )


@app.command("set")
def set_cmd(
    key: str,
    value: Annotated[str, typer.Argument(help="The value; - reads it from stdin (secrets).")],
) -> None:
    """Change one setting (checked against its type and range; audited). Secrets (the
    SMTP password, the SMS URL) are never shown back."""
    if value == "-":
        value = sys.stdin.readline().rstrip("\r\n")
    with write_session(engine()) as session:
        stored = svc.set_setting(session, key, value, actor=actor())
    info(f"{key} = {svc.shown_value(key, stored)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="settings")
