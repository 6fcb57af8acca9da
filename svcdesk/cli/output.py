"""Printing: Rich tables on a terminal, stable JSON for scripts, errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

# Piped output (scripts, cron, tests) gets a wide fixed width instead of 80 columns.
console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """JSON to stdout, keys sorted, UTC times as ISO strings (the documented shape)."""
    sys.stdout.write(
        json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n"
    )


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    t = Table(title=title, header_style="bold", show_lines=False, pad_edge=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    console.print(t)


def info(message: str) -> None:
    console.print(message, markup=False)


MAX_ERROR = 300  # characters of one error line (a 100 kB name is not echoed back)


def cut(text: str, limit: int = MAX_ERROR) -> str:
    """Each line of `text` at most `limit` characters (says how much was left out)."""
    lines = str(text).split("\n")
    return "\n".join(
        ln if len(ln) <= limit else f"{ln[:limit]}… ({len(ln) - limit} more characters)"
        for ln in lines
    )


def error(message: str) -> None:
    err_console.print(f"error: {cut(message)}", markup=False)
