"""Entry point: `svcdesk` opens the console; subcommands are for scripts.

Command groups live in `svcdesk/cli/commands/`; each module has `register(app)` and is
found automatically. Registration is recorded, and a group's click command is built only
when it is invoked (then kept): Typer's build introspects every function signature, and
building all ~40 groups cost ~0.3 s of CPU on every start — most of a cron job's run."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from typing import Annotated, Any

import click
import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from svcdesk.cli import commands
from svcdesk.cli.output import error
from svcdesk.cli.state import STATE
from svcdesk.config import default_actor
from svcdesk.errors import SvcDeskError


class _Registrar:
    """What `register(app)` gets: records each top-level command or group by name."""

    def add_typer(self, sub: typer.Typer, *, name: str, **kwargs: Any) -> None:
        _LAZY[name] = lambda t: t.add_typer(sub, name=name, **kwargs)

    def command(self, name: str, **kwargs: Any) -> Callable[[Callable], Callable]:
        def record(fn: Callable) -> Callable:
            _LAZY[name] = lambda t: t.command(name, **kwargs)(fn)
            return fn

        return record


_LAZY: dict[str, Callable[[typer.Typer], Any]] = {}
# Typer's public command classes (Typer vendors click privately; no `click` import here).
Command = TyperCommand | TyperGroup
_BUILT: dict[str, Command] = {}


def _build(name: str) -> Command | None:
    if name not in _BUILT:
        _load(name)
    if name not in _BUILT and name in _LAZY:
        holder = typer.Typer(rich_markup_mode=None, add_completion=False)
        holder.callback()(lambda: None)  # (a callback makes Typer build a group)
        _LAZY[name](holder)
        _BUILT[name] = typer.main.get_group(holder).commands[name]
    return _BUILT.get(name)


class CheckedGroup(TyperGroup):
    """Root group: any SvcDeskError from any command becomes one line on stderr, exit 1.
    Its subcommands are built on first use (see the module's docstring)."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        _register_all()  # (help and completion list everything)
        return sorted({*super().list_commands(ctx), *_LAZY})

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Command | None:
        return super().get_command(ctx, cmd_name) or _build(cmd_name)

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except SvcDeskError as exc:
            error(str(exc))
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, click.ClickException):
            raise
        except Exception as exc:
            _one_line_or_raise(exc)


def _one_line_or_raise(exc: Exception) -> None:
    """Input/environment failures (a 20-digit id, a damaged file, a wrong password) as one
    line and exit 1 (svcdesk/cli/failures.py); anything else is a bug: re-raised."""
    from svcdesk.cli.failures import one_line

    line = one_line(exc, STATE.db)
    if line is None:
        raise exc
    error(line)
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


# Which modules of svcdesk/cli/commands register each top-level command, so a script's
# `svcdesk intake ...` imports only what intake needs (importing every module — PDF,
# routing, dispatch — was ~0.5 s of each start). tests/cli/test_cli_index.py keeps it in
# step with the modules; a name not listed here imports every module. `export` also needs
# `time`, which adds `export timecards`.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "agreements": ("agreements",),
    "alerts": ("alerts",),
    "assets": ("assets",),
    "attach": ("attach",),
    "audit": ("audit",),
    "checklist": ("checklist",),
    "closeout": ("closeout",),
    "customers": ("customers",),
    "db": ("db",),
    "demo": ("demo",),
    "dispatch": ("dispatch",),
    "export": ("export", "time"),
    "followups": ("followups",),
    "recalls": ("followups",),
    "init": ("init",),
    "intake": ("intake",),
    "invoices": ("invoices",),
    "invoice": ("invoices",),
    "messages": ("messages",),
    "orders": ("orders",),
    "parts": ("parts",),
    "payments": ("payments",),
    "receivables": ("payments",),
    "pm": ("pm",),
    "pricebook": ("pricebook",),
    "quotes": ("quotes",),
    "quote": ("quotes",),
    "report": ("report",),
    "schedule": ("schedule",),
    "serve": ("serve",),
    "settings": ("settings",),
    "sites": ("sites",),
    "sla": ("sla",),
    "stock": ("stock",),
    "tax": ("tax",),
    "techs": ("techs", "devices"),
    "time": ("time",),
    "visits": ("visits",),
}
_REGISTERED: set[str] = set()


def _register(module_name: str) -> None:
    if module_name not in _REGISTERED:
        _REGISTERED.add(module_name)
        module = importlib.import_module(f"{commands.__name__}.{module_name}")
        module.register(_Registrar())


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        _register(info.name)


def _load(name: str) -> None:
    """Register the modules behind command `name` (all of them for an unknown name)."""
    if name in COMMAND_MODULES:
        for module_name in COMMAND_MODULES[name]:
            _register(module_name)
    else:
        _register_all()


def main(argv: list[str] | None = None) -> None:
    """Console script: user errors become one line on stderr and exit 1."""
    try:
        app(args=argv, standalone_mode=True)
    except SvcDeskError as exc:
        error(str(exc))
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
