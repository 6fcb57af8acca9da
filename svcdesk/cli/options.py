"""Shared option types (Annotated aliases) so every command spells them the same way."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON (stable shape, see docs/cli.md).")
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Override booking refusals; recorded in history.")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")]
# (0 or -1 used to mean "no limit": every row of a million-order shop at once)
LimitOpt = Annotated[
    int, typer.Option("--limit", min=1, max=100_000, help="At most this many rows (1-100,000).")
]


def nothing_to_change(options: str) -> NoReturn:
    """Usage error for an edit command given none of its `options` (exit 2)."""
    raise typer.BadParameter(f"nothing to change; give {options}", param_hint="options")
