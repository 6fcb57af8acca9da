"""Progress for commands that can take more than a second (issue 20): demo, intake,
export, pm generate, dispatch plan, db migrate-to, db check, db backup.

Shown with rich.progress on standard error, and only when a person is watching: both
standard output and standard error are terminals, and neither `--json` nor the global
`--quiet` was given. In a pipe, under cron or in tests (CliRunner is not a terminal)
nothing extra is printed, not even a blank line; the bar is transient (gone when done).
A step count gives a bar; without one a spinner with the elapsed time shows it is alive.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from svcdesk.cli import output
from svcdesk.cli.state import STATE

Step = Callable[..., None]


def _terminal() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


def wanted() -> bool:
    return _terminal() and not STATE.quiet and not output.JSON_ERRORS


def _nothing(*_args: object, **_kwargs: object) -> None:
    return None


@contextlib.contextmanager
def progress(label: str, *, total: int | None = None) -> Iterator[Step]:
    """`with progress("export orders") as step:` then `step()` per unit of work done,
    `step(0, "now: tables")` to change the line's text. A no-op when not `wanted()`."""
    if not wanted():
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    columns.append(TimeElapsedColumn())
    console = Console(stderr=True, force_terminal=True, highlight=False)
    # (stdout is left alone: the command's data, `--out -` included, goes there unchanged)
    with Progress(
        *columns,
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task(label, total=total)

        def step(advance: int = 1, text: str | None = None) -> None:
            bar.update(task, advance=advance, description=label if text is None else text)

        yield step
