"""`svcdesk settings list|set`."""

from __future__ import annotations

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common import settings as svc

app = typer.Typer(
    help="Shop settings: time zone, company details, SLA hours.", no_args_is_help=True
)


@app.command("list")
def list_cmd(json_out: JsonOpt = False) -> None:
    """Every setting with its current value."""
    with read_session(engine()) as session:
        values = svc.all_settings(session)
    if json_out:
        print_json(values)
    else:
        table("Settings", ["Key", "Value"], sorted(values.items()))


@app.command("set")
def set_cmd(key: str, value: str) -> None:
    """Change one setting."""
    with write_session(engine()) as session:
        svc.set_setting(session, key, value)
    info(f"{key} = {value}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="settings")
