"""Entry point: `svcdesk` opens the console; subcommands are for scripts.

Command groups live in `svcdesk/cli/commands/`; each module has `register(app)` and is
found automatically. Registration is recorded, and a group's click command is built only
when it is invoked (then kept): Typer's build introspects every function signature, and
building all ~40 groups cost ~0.3 s of CPU on every start — most of a cron job's run."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
import typer.main
from typer.core import CompletionItem, TyperCommand, TyperGroup

from svcdesk.cli import commands, output
from svcdesk.cli.completion import COMPLETE_VAR, attach_completers, completing
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
        if completing():
            attach_completers(name, _BUILT[name])
    return _BUILT.get(name)


class CheckedGroup(TyperGroup):
    """Root group: any SvcDeskError from any command becomes one line on stderr, exit 1.
    Its subcommands are built on first use (see the module's docstring)."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        _register_unindexed()  # (help and completion list everything)
        return sorted({*super().list_commands(ctx), *COMMAND_MODULES, *_LAZY})

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Command | None:
        return super().get_command(ctx, cmd_name) or _build(cmd_name)

    def _short_helps(self, ctx: typer.Context, limit: int) -> list[tuple[str, str]]:
        """(name, short help) of every visible command: from svcdesk/cli/index.py, so
        `--help` and completion import no command module."""
        from svcdesk.cli.index import HIDDEN, SHORT_HELP

        rows = []
        for name in self.list_commands(ctx):
            if name in SHORT_HELP:  # (a stub command shortens it as Typer would)
                rows.append(
                    (name, TyperCommand(name, help=SHORT_HELP[name]).get_short_help_str(limit))
                )
            elif name in HIDDEN:
                continue
            elif (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        return rows

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        rows = self._short_helps(ctx, formatter.width - 6 - max(map(len, COMMAND_MODULES)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: typer.Context, incomplete: str) -> list[CompletionItem]:
        items = [
            CompletionItem(name, help=text)
            for name, text in self._short_helps(ctx, 80)
            if name.startswith(incomplete)
        ]
        return items + TyperCommand.shell_complete(self, ctx, incomplete)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        output.JSON_ERRORS = "--json" in args  # (errors as JSON for a --json caller)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except SvcDeskError as exc:
            error(str(exc), exc=exc)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort):
            raise
        except typer.TyperException as exc:
            # a usage error (exit 2): as JSON under --json, else click prints it
            message = getattr(exc, "format_message", None)
            if output.JSON_ERRORS and message is not None:
                code = getattr(exc, "exit_code", 2)
                error(message(), exc=exc, exit_code=code)
                raise typer.Exit(code) from None
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
    error(line, exc=exc)
    raise typer.Exit(1) from None


app = typer.Typer(
    cls=CheckedGroup,
    name="svcdesk",
    help="Service order console for field-service shops. Run without a command to open it.",
    no_args_is_help=False,
    add_completion=True,  # (--install-completion / --show-completion: bash, zsh, fish)
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
        typer.Option(
            "--as",
            help="Act as this staff member (`svcdesk staff`), recorded as on behalf of you "
            "(default: you, $SVCDESK_USER or the OS user).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress display on a terminal.")
    ] = False,
) -> None:
    STATE.db = db
    STATE.as_name = actor
    STATE.actor = default_actor()
    STATE.quiet = quiet
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
    "links": ("links",),
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
    "staff": ("staff",),
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


def _register_unindexed() -> None:
    """Register the modules COMMAND_MODULES does not name (a new module lists its commands
    before it is indexed); finding them reads the directory, importing nothing else."""
    indexed = {m for names in COMMAND_MODULES.values() for m in names}
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name not in indexed:
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
    instruction = os.environ.get(COMPLETE_VAR, "")
    if instruction.startswith("complete_"):
        from svcdesk.cli.completion import fast_complete

        if fast_complete(lambda: typer.main.get_command(app), instruction):
            sys.exit(0)
    try:
        # (prog_name: `python -m svcdesk` completes and shows usage as the installed command)
        app(args=argv, prog_name="svcdesk", standalone_mode=True)
    except SvcDeskError as exc:
        error(str(exc), exc=exc)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
