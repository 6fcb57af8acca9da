"""`svcdesk export KIND --format csv|jsonl|json [--since TS | --incremental NAME] --out PATH`.

One subcommand per registered export kind (`services/reporting/export_kinds/`), all with the same
options; `svcdesk export watermarks` lists what each incremental name has exported.
Cron-friendly: one summary line on stdout, exit 0 on success, 1 on any error (one line on
stderr, no file and no watermark change), 2 on a usage error. Other areas may add their
own subcommands to `export_app` (e.g. a calendar), keeping one `export` group."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from svcdesk.atomicfile import is_stdout
from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import err_console, info, print_json, table
from svcdesk.cli.progress import progress
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.files import file_mode
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import iso, parse_day, parse_when
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.reporting import exports
from svcdesk.services.reporting.export_formats import ExportFormat

# Commands another area adds under a kind's name (time.py's `timecards --week` payroll
# file): the kind's command stays the one `export timecards` and hands `--week` to it.
EXTRAS: dict[str, Callable] = {}


class ExportTyper(typer.Typer):
    """The one `export` group. A kind's generic command is registered first; an area that
    registers a command under the same name does not shadow it: its function is kept in
    EXTRAS and the generic command calls it for that area's own option (`--week`)."""

    def command(self, name: str | None = None, *args, **kwargs):
        if name in FRAMEWORK_COMMANDS:

            def keep(fn):
                EXTRAS[name] = fn
                return fn

            return keep
        return super().command(name, *args, **kwargs)


FRAMEWORK_COMMANDS: set[str] = set()
export_app = ExportTyper(
    help="Files for scripts and spreadsheets: full or incremental (cron-safe) exports.",
    no_args_is_help=True,
)

FormatOpt = Annotated[
    ExportFormat, typer.Option("--format", "-f", help="csv (formula-safe), jsonl or json.")
]
OutOpt = Annotated[
    Path, typer.Option("--out", "-o", help="File to write (written to a temp name, then renamed).")
]
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", help="Only rows changed after this time (shop-local if no zone)."),
]
IncrementalOpt = Annotated[
    str | None,
    typer.Option(
        "--incremental",
        help="Only rows changed since this name's last successful run; then remember it.",
    ),
]


def _make_command(kind_name: str):
    def command(
        out: OutOpt,
        fmt: FormatOpt = ExportFormat.CSV,
        since: SinceOpt = None,
        incremental: IncrementalOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        run(kind_name, out, fmt, since, incremental, json_out)

    return command


def run(kind_name: str, out: Path, fmt, since: str | None, incremental, json_out: bool) -> None:
    eng = engine()
    since_at = None
    if since is not None:
        with read_session(eng) as session:
            since_at = parse_when(since, shop_zone(session), field="--since")
    with progress(f"export {kind_name}"):
        result = exports.run_export(
            eng, kind_name, fmt, out, since=since_at, incremental=incremental
        )
    if is_stdout(out):  # the rows went to stdout: the summary goes to stderr
        err_console.print(
            json.dumps(result.to_json()) if json_out else result.summary(), markup=False
        )
    elif json_out:
        print_json(result.to_json())
    else:
        info(result.summary())


@export_app.command("watermarks")
def watermarks(json_out: JsonOpt = False) -> None:
    """What each `--incremental NAME` has exported so far."""
    with read_session(engine()) as session:
        marks = exports.list_watermarks(session)
    data = [
        {
            "name": m.name,
            "kind": m.kind,
            "watermark": iso(m.watermark),
            "last_run_at": iso(m.last_run_at),
            "last_rows": m.last_rows,
            "last_path": m.last_path,
        }
        for m in marks
    ]
    if json_out:
        print_json(data)
        return
    table(
        f"{len(data)} incremental exports",
        ["Name", "Kind", "Watermark (UTC)", "Last run (UTC)", "Rows", "File"],
        [
            (d["name"], d["kind"], d["watermark"], d["last_run_at"], d["last_rows"], d["last_path"])
            for d in data
        ],
    )


@export_app.command("timecards")
def timecards_cmd(
    out: OutOpt,
    fmt: FormatOpt = ExportFormat.CSV,
    since: SinceOpt = None,
    incremental: IncrementalOpt = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week", help="Payroll day cards of APPROVED time for the week of this day (CSV)."
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Time entries (travel, work, break, shop); with --week, the payroll day cards."""
    if week is not None:
        if since or incremental or fmt != ExportFormat.CSV:
            raise typer.BadParameter(
                "--week makes the payroll CSV; drop --since/--incremental/--format"
            )
        if "timecards" not in EXTRAS:
            raise typer.BadParameter("--week: payroll export is not installed")
        EXTRAS["timecards"](week=week, out=out, json_out=json_out)
        return
    run("timecards", out, fmt, since, incremental, json_out)


FRAMEWORK_COMMANDS.add("timecards")
for _name, _kind in exports.kinds().items():
    if _name not in FRAMEWORK_COMMANDS:
        export_app.command(_name, help=_kind.help)(_make_command(_name))
        FRAMEWORK_COMMANDS.add(_name)


@export_app.command("ics")
def ics_cmd(
    tech: Annotated[str, typer.Option("--tech", help="Technician name (or unique prefix).")],
    out: OutOpt,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="How many days.")] = 14,
    start: Annotated[
        str | None, typer.Option("--from", help="First day (shop time); default today.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """A technician's schedule as an iCalendar file (stable UIDs: re-imports update)."""
    # (imported here: the dispatch area brings in routing and numpy; other exports skip it)
    from svcdesk.services.dispatch.ics import tech_calendar

    with read_session(engine()) as session:
        technician = find_technician(session, tech)
        first = parse_day(start, shop_zone(session))
        cal = tech_calendar(session, technician, first, days)
        mode = file_mode(session)
    path = exports.check_out_path(out)
    exports.atomic_write(path, lambda fh: fh.write(cal.text), mode=mode)
    data = {
        "technician": technician.name,
        "from": str(cal.first),
        "to": str(cal.last),
        "events": cal.events,
        "cancelled": cal.cancelled,
        "path": str(path),
    }
    if json_out:
        print_json(data)
    else:
        info(
            f"ics: {cal.events} visits ({cal.cancelled} cancelled) for {technician.name} "
            f"{cal.first}..{cal.last} to {path}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
