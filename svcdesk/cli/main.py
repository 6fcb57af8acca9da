"""Entry point: `svcdesk` opens the console; subcommands are for scripts.

Command groups live in `svcdesk/cli/commands/`; each module has `register(app)` and is
found automatically."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from svcdesk.cli import commands
from svcdesk.cli.output import error
from svcdesk.cli.state import STATE
from svcdesk.config import default_actor
from svcdesk.errors import SvcDeskError


class CheckedGroup(TyperGroup):
    """Root group: any SvcDeskError from any command becomes one line on stderr, exit 1."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except SvcDeskError as exc:
            error(str(exc))
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=CheckedGroup,
    name="svcdesk",
    help="Service order console for field-service shops. Run without a command to open it.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL or SQLite file (default: $SVCDESK_DB or the app dir)."
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", help="Name recorded in history (default: $SVCDESK_USER or OS user)."),
    ] = None,
) -> None:
    STATE.db = db
    STATE.actor = actor or default_actor()
    STATE._engine = None
    if ctx.invoked_subcommand is None:
        from svcdesk.tui.launch import run_console

        run_console(STATE.engine, actor=STATE.actor)


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Console script: user errors become one line on stderr and exit 1."""
    try:
        app(args=argv, standalone_mode=True)
    except SvcDeskError as exc:
        error(str(exc))
        sys.exit(1)
