"""`svcdesk db path|init|backup`. The database modules are imported in the commands that
open one: `db path` (scripts call it to find the file) needs none of SQLAlchemy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svcdesk.cli.files import input_file, is_stdio, output_file, say
from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json
from svcdesk.cli.progress import progress
from svcdesk.cli.state import STATE, engine
from svcdesk.config import resolve_db_url
from svcdesk.errors import InvalidInput

app = typer.Typer(help="Database location, creation and backups.", no_args_is_help=True)


@app.command("path")
def path(json_out: JsonOpt = False) -> None:
    """Print where the database is (URL; the file for SQLite)."""
    url = resolve_db_url(STATE.db)
    file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if file is None:  # never print a PostgreSQL password
        from sqlalchemy.engine import make_url

        try:
            url = make_url(url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - an unparsable URL: show none of it
            url = url.split("://", 1)[0] + "://***"
    if json_out:
        print_json({"url": url, "file": file})
    else:
        info(file or url)


@app.command("init")
def init() -> None:
    """Create the schema (safe to re-run; nothing existing is changed)."""
    from svcdesk import db as dbmod

    eng = engine()
    dbmod.init_schema(eng)
    info(f"database ready: {eng.url.render_as_string(hide_password=True)}")


@app.command("backup")
def backup(
    file: Annotated[
        Path | None, typer.Argument(help="Where to write the copy ('-' = stdout).")
    ] = None,
    rotate: Annotated[
        bool,
        typer.Option(
            "--rotate", help="Daily backup into backup.dir, keeping backup.keep_days copies."
        ),
    ] = False,
) -> None:
    """Consistent online copy of the SQLite database (safe while the console is open)."""
    from svcdesk import db as dbmod

    if rotate == (file is not None):
        raise typer.BadParameter("give either FILE or --rotate")
    if rotate:
        from svcdesk.backups import daily_backup, rotation_settings

        eng = engine()
        if dbmod.sqlite_path(eng) is None:
            raise InvalidInput("db backup --rotate: only SQLite files are backed up this way")
        made = daily_backup(eng)
        if made:
            info(f"backup written: {made}")
        elif rotation_settings(eng)[0] <= 0:
            info("daily backups are off (backup.keep_days is 0)")
        else:
            info("today's backup already exists")
        return
    assert file is not None
    with output_file(file, ".db") as path, progress("db backup"):
        target = dbmod.backup(engine(), path)
    say(f"backup written: {file if is_stdio(file) else target}", file)


@app.command("restore")
def restore(
    file: Annotated[
        Path, typer.Argument(help="A backup made by `svcdesk db backup` ('-' = stdin, with --yes).")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Don't ask for confirmation.")] = False,
) -> None:
    """Replace the database with a verified backup; the current one is kept aside."""
    from svcdesk.backups import restore as do_restore
    from svcdesk.backups import verify_backup

    if is_stdio(file) and not yes:
        raise typer.BadParameter(
            "reading the backup from stdin ('-') needs --yes", param_hint="--yes"
        )
    with input_file(file, ".db") as path:
        counts = verify_backup(path.expanduser().resolve())
        if not yes:
            typer.confirm(
                f"Replace the database with {file} ({counts['work_order']} orders)?", abort=True
            )
        aside, counts = do_restore(engine(), path)
    STATE._engine = None
    info(f"restored {file} ({counts['work_order']} orders); previous database kept at {aside}")


@app.command("check")
def check(json_out: JsonOpt = False) -> None:
    """Integrity check plus domain invariants (event trails, sequences, totals, stock)."""
    from svcdesk.db import read_session
    from svcdesk.services.common.integrity import run_checks

    with progress("db check"), read_session(engine()) as session:
        results = run_checks(session)
    failed = [r for r in results if not r.ok]
    if json_out:
        print_json({r.name: r.problems for r in results})
    else:
        for r in results:
            info(f"{'ok  ' if r.ok else 'FAIL'} {r.name}")
            for p in r.problems:
                info(f"     {p}")
    if failed:
        raise typer.Exit(1)


@app.command("migrate-to")
def migrate_to(
    url: Annotated[str, typer.Argument(help="Target, e.g. postgresql://user@host/svcdesk")],
    strip_nul: Annotated[
        bool,
        typer.Option(
            "--strip-nul", help="Delete NUL (\\x00) characters from text (PostgreSQL refuses them)."
        ),
    ] = False,
) -> None:
    """Copy this database into an empty PostgreSQL database and verify counts and totals."""
    from svcdesk.db import make_engine
    from svcdesk.migrate import migrate

    target = make_engine(url, create=False)
    lines: list[str] = []  # (printed once the progress line is gone)
    with progress("db migrate-to") as step:

        def copied(table: str, rows: int) -> None:
            step(0, f"db migrate-to: {table}")
            lines.append(f"  {table}: {rows} rows")

        reports = migrate(engine(), target, progress=copied, strip_nul=strip_nul)
    for line in lines:
        info(line)
    info(
        f"copied {sum(r.rows for r in reports)} rows in {len(reports)} tables; counts and totals verified"
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
