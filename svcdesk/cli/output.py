"""Printing: Rich tables on a terminal, stable JSON for scripts, errors on stderr.

Rich is imported on first use (`console`, `err_console`, `table`, `info`): `--help`,
completion and error lines do not need it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    err_console: Console


@cache
def _consoles() -> tuple[Console, Console]:
    from rich.console import Console

    # Piped output (scripts, cron, tests) gets a wide fixed width instead of 80 columns.
    return (
        Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160),
        Console(stderr=True, highlight=False, soft_wrap=True),
    )


def __getattr__(name: str) -> Any:
    if name == "console":
        return _consoles()[0]
    if name == "err_console":
        return _consoles()[1]
    raise AttributeError(name)


def print_json(data: Any, *, err: bool = False) -> None:
    """JSON to stdout (`err`: stderr), keys sorted, UTC times as ISO strings (the
    documented shape)."""
    (sys.stderr if err else sys.stdout).write(
        json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n"
    )


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from rich.table import Table

    t = Table(title=title, header_style="bold", show_lines=False, pad_edge=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    _consoles()[0].print(t)


def info(message: str) -> None:
    _consoles()[0].print(message, markup=False)


def show_changes(what: str, result: dict, changes: list[str], json_out: bool) -> None:
    """An edit command's answer: `result` with its `changes` as JSON, or "what: a; b"
    ("nothing changed" when the values given were already so)."""
    if json_out:
        print_json({**result, "changes": changes})
    else:
        info(f"{what}: " + ("; ".join(changes) or "nothing changed"))


def err_print(message: str) -> None:
    """A line for the user on stderr (when stdout carries data)."""
    _consoles()[1].print(message, markup=False)


MAX_ERROR = 300  # characters of one error line (a 100 kB name is not echoed back)


def cut(text: str, limit: int = MAX_ERROR) -> str:
    """Each line of `text` at most `limit` characters (says how much was left out)."""
    lines = str(text).split("\n")
    return "\n".join(
        ln if len(ln) <= limit else f"{ln[:limit]}… ({len(ln) - limit} more characters)"
        for ln in lines
    )


# Set when the command line has --json: errors then go to stderr as one JSON object.
JSON_ERRORS = False


def error_code(exc: BaseException | None) -> str:
    """The error's kind for scripts: NotFound -> "not_found", a usage error -> "usage"."""
    if exc is None:
        return "error"
    name = type(exc).__name__
    if name in ("UsageError", "BadParameter", "NoSuchOption", "MissingParameter", "BadOptionUsage"):
        return "usage"
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def error(
    message: str, *, exc: BaseException | None = None, exit_code: int = 1, **extra: Any
) -> None:
    """One line `error: ...` on stderr; under --json one object
    `{"error": message, "code": kind, "exit": exit_code, **extra}` (same exit codes)."""
    if JSON_ERRORS:
        data = {"error": cut(message), "code": error_code(exc), "exit": exit_code, **extra}
        sys.stderr.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    _consoles()[1].print(f"error: {cut(message)}", markup=False)
