"""Importing an intake file as one batch: all-or-nothing, or good rows in and bad rows to a
reject file; dry runs; idempotent re-runs (rows with a known external_ref are skipped)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from sqlmodel import Session

from svcdesk.atomicfile import PRIVATE, check_target
from svcdesk.db import write_session
from svcdesk.errors import BatchRejected
from svcdesk.services.common.files import engine_file_mode
from svcdesk.services.common.settings import settings_cached, shop_zone
from svcdesk.services.orders.intake_io.batch import CHUNK, BatchWriter, Item
from svcdesk.services.orders.intake_io.columns import RowInvalid, RowParser
from svcdesk.services.orders.intake_io.reader import IntakeSource, Record, open_source
from svcdesk.services.orders.intake_io.rejects import RejectSpool
from svcdesk.services.orders.intake_lock import lock_intake

Progress = Callable[[int, int], None]  # (rows read, bytes read)


@dataclass
class BatchResult:
    file: str
    format: str
    created: int = 0
    skipped: int = 0
    rejected: int = 0
    customers_created: int = 0
    sites_created: int = 0
    matched: int = 0  # rows filed under an existing customer
    flagged: int = 0  # rows whose phone/e-mail matched a customer with another name
    first_number: str | None = None
    last_number: str | None = None
    dry_run: bool = False
    reject_file: str | None = None
    unknown_columns: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # one per bad row

    def summary(self) -> str:
        text = f"created {self.created}, skipped {self.skipped}, rejected {self.rejected}"
        return f"dry run: would have {text}" if self.dry_run else text

    def callers(self) -> str:
        """How the created orders' callers were matched (one line)."""
        text = (
            f"callers: {self.matched} matched an existing customer, "
            f"{self.customers_created - self.flagged} new, "
            f"{self.flagged} flagged as possible duplicates"
        )
        return f"dry run: {text}" if self.dry_run else text

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "created": self.created,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "customers_created": self.customers_created,
            "sites_created": self.sites_created,
            "matched": self.matched,
            "flagged": self.flagged,
            "first_number": self.first_number,
            "last_number": self.last_number,
            "dry_run": self.dry_run,
            "reject_file": self.reject_file,
            "unknown_columns": self.unknown_columns,
            "errors": self.lines,
        }


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during a batch: the lookup maps hold many long-lived
    objects that every full collection would walk again (about 20% of the run time).
    Reference counting still frees everything the loop drops."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_source(
    session: Session,
    source: IntakeSource,
    *,
    rejects: RejectSpool | None = None,
    dry_run: bool = False,
    actor: str = "import",
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
    match_existing: bool = False,
) -> BatchResult:
    """Import every record in `session`'s transaction, all or nothing.

    Bad rows: without `rejects` (or on a dry run) nothing is kept and BatchRejected lists
    one line per bad row; with `rejects` the good rows stay and bad rows are spooled there.
    A dry run rolls everything back (to a SAVEPOINT) and reports what would have happened.
    Any other failure rolls back the session's whole transaction, so nothing of a failed
    batch can be committed by a caller that catches the error. (A real import runs
    without a SAVEPOINT: on SQLite an open savepoint makes every row of a statement that
    needs a statement journal - `order_event` has a trigger - copy the pages it touches,
    about 8 us a row.)

    `session` must come from `db.write_session` (on SQLite its BEGIN IMMEDIATE holds the
    write lock for the whole batch, which the batch's id numbering relies on)."""
    lock_intake(session)  # PostgreSQL: one intake at a time looks up and creates
    result = BatchResult(
        file=source.name, format=source.format, dry_run=dry_run, unknown_columns=source.unknown
    )
    parser = RowParser(shop_zone(session), match_existing=match_existing)
    writer = BatchWriter(session, actor=actor)
    savepoint = session.begin_nested() if dry_run else None
    try:
        with _gc_paused(), settings_cached(session), writer.deferred_search():
            _import_chunks(source, parser, writer, result, rejects, dry_run, progress, chunk_size)
        if result.lines and (rejects is None or dry_run):
            raise BatchRejected(result.lines)
        if savepoint is not None:
            savepoint.rollback()
    except BaseException:
        writer.close()
        if savepoint is None:
            session.rollback()
        elif savepoint.is_active:
            savepoint.rollback()
        raise
    writer.close()
    return result


def _import_chunks(
    source: IntakeSource,
    parser: RowParser,
    writer: BatchWriter,
    result: BatchResult,
    rejects: RejectSpool | None,
    dry_run: bool,
    progress: Progress | None,
    chunk_size: int,
) -> None:
    """Stream the records chunk by chunk into `writer`; collect bad rows in `result`."""
    seen: dict[str, int] = {}  # external_ref -> first row number in this file
    done = 0
    for chunk in _chunks(source.records(), chunk_size):
        bad: list[tuple[Record, str]] = []
        items: list[Item] = []
        for record in chunk:
            problem = _read(record, parser, seen, items)
            if problem:
                bad.append((record, problem))
        out = writer.write(items)
        bad += [(i.raw, f"column {c}: {m}" if c else m) for i, c, m in out.bad]
        result.created += len(out.created)
        result.skipped += len(out.skipped)
        result.customers_created += out.customers
        result.sites_created += out.sites
        result.matched += out.matched
        result.flagged += out.flagged
        if out.created:
            result.first_number = result.first_number or out.created[0]
            result.last_number = out.created[-1]
        for record, problem in sorted(bad, key=lambda b: b[0].number):
            line = f"{source.name} row {record.number}, {problem}"
            result.lines.append(line)
            if rejects is not None and not dry_run:
                rejects.add(record.raw, line)
        result.rejected += len(bad)
        done += len(chunk)
        if progress:
            progress(done, source.position())


def _read(record: Record, parser: RowParser, seen: dict[str, int], items: list[Item]) -> str:
    """Queue a readable row; returns the problem text of an unreadable one."""
    if record.problem:
        return record.problem
    try:
        texts = record.texts()  # a full CSV row: picked and stripped in C
        req, pk, ek = parser.parse(record.values) if texts is None else parser.parse_texts(texts)
    except RowInvalid as exc:
        return "; ".join(f"column {c}: {m}" for c, m in exc.problems)
    ref = req.external_ref
    if not ref:
        return "column external_ref: required, so that re-running the file creates nothing twice"
    if ref in seen:
        return f"column external_ref: {ref!r} already appears in row {seen[ref]}"
    seen[ref] = record.number
    items.append(Item(record.number, req, record, pk, ek))
    return ""


def run_file_intake(
    engine: Engine,
    path: str,
    *,
    fmt: str | None = None,
    reject_path: str | Path | None = None,
    dry_run: bool = False,
    actor: str = "import",
    progress: Progress | None = None,
    stdin: IO[bytes] | None = None,
    on_open: Callable[[IntakeSource], None] | None = None,
    match_existing: bool = False,
) -> BatchResult:
    """Open the file, import it in one transaction, then write the reject file (if any)."""
    mode = PRIVATE
    if reject_path and not dry_run:
        check_target(reject_path, "reject file", make_parent=True)  # before anything is written
        mode = engine_file_mode(engine)
    with open_source(path, fmt, stdin) as source:
        if on_open:
            on_open(source)
        rejects = (
            RejectSpool(source.headers, reject_path, mode) if reject_path and not dry_run else None
        )
        try:
            with write_session(engine) as session:
                result = import_source(
                    session,
                    source,
                    rejects=rejects,
                    dry_run=dry_run,
                    actor=actor,
                    progress=progress,
                    match_existing=match_existing,
                )
        except BaseException:
            if rejects is not None:
                rejects.close()
            raise
    if rejects is not None:  # written even when empty, so no stale rejects linger
        result.reject_file = str(rejects.finish())
    return result
