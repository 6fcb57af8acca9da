"""`svcdesk db path|init|backup`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svcdesk import db as dbmod
from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json
from svcdesk.cli.state import STATE, engine
from svcdesk.config import resolve_db_url

app = typer.Typer(help="Database location, creation and backups.", no_args_is_help=True)


@app.command("path")
def path(json_out: JsonOpt = False) -> None:
    """Print where the database is (URL; the file for SQLite)."""
    url = resolve_db_url(STATE.db)
    file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if json_out:
        print_json({"url": url, "file": file})
    else:
        info(file or url)


@app.command("init")
def init() -> None:
    """Create the schema (safe to re-run; nothing existing is changed)."""
    eng = engine()
    dbmod.init_schema(eng)
    info(f"database ready: {eng.url.render_as_string(hide_password=True)}")


@app.command("backup")
def backup(file: Annotated[Path, typer.Argument(help="Where to write the copy.")]) -> None:
    """Consistent online copy of the SQLite database (safe while the console is open)."""
    target = dbmod.backup(engine(), file)
    info(f"backup written: {target}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
