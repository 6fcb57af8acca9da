"""`svcdesk intake`: one order from flags, or a batch from a file (`--file F`, `-` = stdin)."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from svcdesk.cli.files import output_file, say, say_json, to_stdout
from svcdesk.cli.options import DryRunOpt, JsonOpt
from svcdesk.cli.output import console, err_console, error, info, print_json
from svcdesk.cli.progress import wanted as progress_wanted
from svcdesk.cli.state import actor, engine
from svcdesk.db import write_session
from svcdesk.errors import BatchRejected, InvalidInput
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import iso
from svcdesk.services.orders.intake import take_order
from svcdesk.services.orders.intake_io import RowInvalid, RowParser, run_file_intake

PROGRESS_MIN_BYTES = 1_000_000  # show a bar on a terminal for files bigger than this


def _opt(column: str, help_text: str):
    return typer.Option(f"--{column.replace('_', '-')}", help=help_text)


def intake(
    file: Annotated[
        str | None,
        typer.Option(
            "--file", "-f", help="Batch: .csv, .json (array) or .jsonl file; '-' reads stdin."
        ),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, json or jsonl (default: from the name).")
    ] = None,
    reject_file: Annotated[
        str | None,
        typer.Option(
            "--reject-file",
            help="Import good rows; write bad rows (+ error column) here ('-' = stdout).",
        ),
    ] = None,
    customer: Annotated[str | None, _opt("customer", "Customer name.")] = None,
    phone: Annotated[str | None, _opt("phone", "Caller's phone (matches a customer).")] = None,
    email: Annotated[str | None, _opt("email", "Caller's e-mail (matches a customer).")] = None,
    address: Annotated[str | None, _opt("address", "Street address of the site.")] = None,
    city: Annotated[str | None, _opt("city", "City.")] = None,
    state: Annotated[str | None, _opt("state", "State (e.g. TX).")] = None,
    zip_code: Annotated[str | None, _opt("zip", "ZIP code.")] = None,
    summary: Annotated[str | None, _opt("summary", "What the customer needs.")] = None,
    description: Annotated[str | None, _opt("description", "Longer description.")] = None,
    priority: Annotated[
        str | None, _opt("priority", "emergency, high, normal (default) or low.")
    ] = None,
    skill: Annotated[str | None, _opt("skill", "Required skill, e.g. hvac, plumbing.")] = None,
    window_start: Annotated[
        str | None, _opt("window_start", "Promised window start (shop time).")
    ] = None,
    window_end: Annotated[str | None, _opt("window_end", "Promised window end.")] = None,
    est_minutes: Annotated[str | None, _opt("est_minutes", "Estimated minutes (60).")] = None,
    source: Annotated[
        str | None, _opt("source", "phone (default), portal, email, agreement, import, walk_in.")
    ] = None,
    kind: Annotated[
        str | None,
        _opt("kind", "repair (default), maintenance, install, inspection, callback, estimate."),
    ] = None,
    external_ref: Annotated[
        str | None, _opt("external_ref", "Your reference; a known one creates nothing.")
    ] = None,
    match_existing: Annotated[
        bool,
        typer.Option(
            "--match-existing",
            help="File under the customer with the same phone/e-mail even when the name "
            "differs (default: a new customer, recorded as a possible duplicate).",
        ),
    ] = False,
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Take a call (one order from flags) or import a file of requests (--file)."""
    flags = {
        "customer": customer,
        "phone": phone,
        "email": email,
        "address": address,
        "city": city,
        "state": state,
        "zip": zip_code,
        "summary": summary,
        "description": description,
        "priority": priority,
        "skill": skill,
        "window_start": window_start,
        "window_end": window_end,
        "est_minutes": est_minutes,
        "source": source,
        "kind": kind,
        "external_ref": external_ref,
    }
    given = [f"--{k.replace('_', '-')}" for k, v in flags.items() if v is not None]
    if file is not None:
        if given:
            raise typer.BadParameter(
                f"--file imports a batch; don't combine it with {', '.join(given)}",
                param_hint="--file",
            )
        _batch(file, fmt, reject_file, dry_run, json_out, match_existing)
        return
    if fmt or reject_file:
        raise typer.BadParameter("--format and --reject-file need --file", param_hint="--file")
    if not given:
        raise typer.BadParameter(
            "give either --file F for a batch, or the order's fields (--customer, --phone, "
            "--address, --summary, ...)",
            param_hint="--file",
        )
    _single(flags, dry_run, json_out, match_existing)


def _single(flags: dict, dry_run: bool, json_out: bool, match_existing: bool) -> None:
    with write_session(engine()) as session:
        parser = RowParser(
            shop_zone(session), default_source="phone", match_existing=match_existing
        )
        try:
            req = parser.request(flags)
        except RowInvalid as exc:
            raise InvalidInput("; ".join(f"{c}: {m}" for c, m in exc.problems)) from None
        order, created, dup = take_order(session, req, actor=actor())
        result = {
            "number": order.number,
            "id": order.id,
            "created": created,
            "customer_id": order.customer_id,
            "site_id": order.site_id,
            "priority": order.priority,
            "sla_due": iso(order.sla_due),
            "external_ref": order.external_ref,
            "dry_run": dry_run,
            "possible_duplicate_of": dup,
        }
        if dry_run:
            session.rollback()
    if json_out:
        print_json(result)
    elif not created:
        info(
            f"{result['number']} already has external_ref {result['external_ref']}; nothing created"
        )
    elif dry_run:
        info(f"dry run: would create {result['number']}")
    else:
        info(result["number"])
    if dup and not json_out:
        err_console.print(
            f"note: {dup['name']} (#{dup['id']}) has the same {dup['matched_on']} but another "
            f"name; filed under a new customer (#{result['customer_id']}), recorded as a "
            "possible duplicate (svcdesk customers duplicates; --match-existing to file under "
            "the existing customer)",
            markup=False,
        )


def _show_progress(src) -> bool:
    """A bar only on a terminal, not under --json/--quiet, and only for big files."""
    return progress_wanted() and (src.size or 0) >= PROGRESS_MIN_BYTES


def _batch(
    file: str,
    fmt: str | None,
    reject_file: str | None,
    dry_run: bool,
    json_out: bool,
    match_existing: bool = False,
):
    with ExitStack() as stack:
        progress = None
        task = None
        # ('-': the bad rows go to stdout once the run is over; the report to stderr)
        reject_path = stack.enter_context(output_file(reject_file, ".csv")) if reject_file else None

        def on_open(src) -> None:
            nonlocal progress, task
            if _show_progress(src):
                progress = stack.enter_context(
                    Progress(
                        TextColumn("intake {task.fields[name]}"),
                        BarColumn(),
                        TextColumn("{task.fields[rows]} rows"),
                        TimeRemainingColumn(),
                        console=console,
                        transient=True,
                    )
                )
                task = progress.add_task("intake", total=src.size, name=src.name, rows=0)

        def advance(rows: int, position: int) -> None:
            if progress is not None:
                progress.update(task, completed=position, rows=rows)

        try:
            result = run_file_intake(
                engine(),
                file,
                fmt=fmt,
                reject_path=reject_path,
                dry_run=dry_run,
                actor=actor(),
                progress=advance,
                stdin=sys.stdin.buffer if file == "-" else None,
                on_open=on_open,
                match_existing=match_existing,
            )
        except BatchRejected as exc:
            stack.close()
            if json_out:  # (one JSON object, the bad rows in it)
                error(f"{len(exc.lines)} bad row(s); nothing imported", exc=exc, rows=exc.lines)
                raise typer.Exit(1) from None
            hint = (
                ""
                if dry_run
                else " (--reject-file FILE imports the good rows and writes the bad ones there)"
            )
            raise InvalidInput(
                f"{len(exc.lines):,} bad row(s); nothing imported{hint}; first: {exc.lines[0]}"
            ) from None
    if result.unknown_columns:
        err_console.print(_ignored(result.unknown_columns), markup=False)
    if result.reject_file and to_stdout(reject_file):
        result.reject_file = reject_file
    if json_out:
        say_json(result.to_json(), reject_file)
        return
    say(result.summary(), reject_file)
    if result.created:
        say(result.callers(), reject_file)
    if result.reject_file and result.rejected:
        say(f"{result.rejected} bad row(s) written to {result.reject_file}", reject_file)


def _ignored(columns: list[str], show: int = 5) -> str:
    """One note for any number of unknown columns (a 10,000-column file is one line)."""
    if len(columns) == 1:
        return f"note: ignored unknown column {columns[0]!r}"
    names = ", ".join(repr(c) for c in columns[:show])
    more = f" and {len(columns) - show:,} more" if len(columns) > show else ""
    return f"note: ignored {len(columns):,} unknown columns: {names}{more}"


def register(root: typer.Typer) -> None:
    root.command("intake")(intake)
