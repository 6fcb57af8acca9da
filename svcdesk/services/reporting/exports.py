"""Nightly exports: one framework for every kind (orders, visits, invoices, ...).

A kind (a small module in `services/reporting/export_kinds/`) gives its columns as SQL expressions
and a `changed_at` expression. `run_export` then:

1. opens ONE read transaction (a consistent snapshot) and takes `mark` = the change marker
   bound of that snapshot (svcdesk/db_changes.py: SQLite's commit-order counter + 1, or
   PostgreSQL's oldest running transaction id); rows with `low <= change_seq < mark` are the
   export, where `low` is the stored mark of `--incremental NAME`. (`--since TIME` filters
   on `changed_at` instead, for a one-off look; without either, everything.)
2. streams those rows (constant memory) into a temp file next to `--out`, flushes and
   fsyncs it, and renames it over `--out` (a reader never sees half a file);
3. only then stores `mark` as NAME's new mark (a separate short write transaction).

A run that fails or is killed anywhere before step 3 leaves the mark where it was, so the
next run exports the same rows again. The marker follows COMMIT order, not timestamps: a
row committed after the snapshot gets a marker >= `mark` however early its transaction
began and whatever time it carries (a batch stamped at its start, a skewed clock, a date
in the future), so it is in the next run: nothing is ever skipped.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, Select, func, or_, select, type_coerce
from sqlmodel import Session

from svcdesk import db_changes
from svcdesk.atomicfile import atomic_write as _atomic_write
from svcdesk.atomicfile import check_target, is_stdout
from svcdesk.clock import now
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models.base import UTCDateTime
from svcdesk.models.reporting import ExportWatermark
from svcdesk.services.common.files import file_mode
from svcdesk.services.common.timefmt import iso
from svcdesk.services.reporting import export_kinds
from svcdesk.services.reporting.export_formats import WRITERS, ExportFormat, csv_cell
from svcdesk.services.reporting.export_kinds import KINDS, ExportKind

STREAM_CHUNK = 2000


def _discover() -> None:
    for info in pkgutil.iter_modules(export_kinds.__path__):
        importlib.import_module(f"{export_kinds.__name__}.{info.name}")


def kinds() -> dict[str, ExportKind]:
    _discover()
    return dict(sorted(KINDS.items()))


def get_kind(name: str) -> ExportKind:
    known = kinds()
    if name not in known:
        raise InvalidInput(f"export: unknown kind {name!r}; expected one of {', '.join(known)}")
    return known[name]


@dataclass
class ExportResult:
    kind: str
    format: str
    path: Path
    rows: int
    low: datetime | None  # exclusive lower bound used (None = everything)
    high: datetime | None  # the watermark after this run (None = nothing exported, ever)
    incremental: str | None

    def summary(self) -> str:
        """The one line a cron mail shows."""
        scope = f" changed after {iso(self.low)}" if self.low else ""
        mark = f"; watermark {self.incremental}={iso(self.high)}" if self.incremental else ""
        noun = "row" if self.rows == 1 else "rows"
        return (
            f"{self.kind}: exported {self.rows} {noun}{scope} to {self.path} ({self.format}){mark}"
        )

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "format": self.format,
            "path": str(self.path),
            "rows": self.rows,
            "since": iso(self.low),
            "watermark": iso(self.high),
            "incremental": self.incremental,
        }


def get_watermark(session: Session, name: str) -> ExportWatermark | None:
    return session.get(ExportWatermark, name)


def list_watermarks(session: Session) -> list[ExportWatermark]:
    from sqlmodel import select as sm_select

    return list(session.exec(sm_select(ExportWatermark).order_by(ExportWatermark.name)))


@dataclass(frozen=True)
class SeqRange:
    """Rows with `low <= change_seq < high` (`low` None: from the start); `legacy_after`: a
    mark kept by a release before 0008 also takes rows changed after that time."""

    low: int | None
    high: int
    legacy_after: datetime | None = None


def export_query(
    kind: ExportKind,
    low: datetime | None,
    high: datetime | None,
    fmt: ExportFormat | str | None = None,
    seq: SeqRange | None = None,
) -> Select:
    """The SELECT an export streams; for CSV its cells are made formula-safe in SQL
    (`csv_cell`). Public so the benchmark can hand the same query to the sqlite3 shell.
    `seq` (incremental runs) selects by change marker; `low`/`high` by `changed_at`."""
    changed = type_coerce(kind.changed_at(), UTCDateTime())
    stmt = kind.build()
    if fmt is not None and ExportFormat(fmt) == ExportFormat.CSV:
        cells = [csv_cell(c) for c in stmt.selected_columns]
        stmt = stmt.with_only_columns(*cells, maintain_column_froms=True)
    if seq is not None:
        return _seq_where(stmt, kind, seq).order_by(kind.key())
    if low is not None:
        stmt = stmt.where(changed > low)
    if high is not None:
        stmt = stmt.where(changed <= high)
    return stmt.order_by(kind.key())


def _seq_where(stmt: Select, kind: ExportKind, seq: SeqRange) -> Select:
    marker = kind.change_seq()
    stmt = stmt.where(marker < seq.high)
    if seq.legacy_after is not None:
        changed = type_coerce(kind.changed_at(), UTCDateTime())
        return stmt.where(or_(marker >= 1, changed > seq.legacy_after))
    if seq.low is not None:
        stmt = stmt.where(marker >= seq.low)
    return stmt


def _high_water(
    session: Session, kind: ExportKind, low: datetime | None, seq: SeqRange | None = None
) -> datetime | None:
    """The newest `changed_at` among the rows exported (shown as the watermark's time)."""
    changed = type_coerce(kind.changed_at(), UTCDateTime())
    if kind.changed_table is not None and kind.change_tables is None:
        stmt = select(func.max(changed)).select_from(kind.changed_table())
    else:
        stmt = kind.build().with_only_columns(func.max(changed), maintain_column_froms=True)
    if seq is not None:
        stmt = _seq_where(stmt, kind, seq)
    elif low is not None:
        stmt = stmt.where(changed > low)
    return session.execute(stmt).scalar()


def run_export(
    engine: Engine,
    kind_name: str,
    fmt: ExportFormat | str,
    out: Path,
    *,
    since: datetime | None = None,
    incremental: str | None = None,
) -> ExportResult:
    """Write one export file; see the module docstring for the guarantees."""
    kind = get_kind(kind_name)
    fmt = ExportFormat(fmt)
    if since is not None and incremental:
        raise InvalidInput("export: give --since or --incremental, not both")
    if incremental is not None and not incremental.strip():
        raise InvalidInput("export: --incremental needs a name, e.g. nightly-orders")
    out = check_out_path(out)
    seq = None
    with read_session(engine) as session:
        low = since
        if incremental:
            mark = get_watermark(session, incremental)
            if mark is not None and mark.kind != kind.name:
                raise InvalidInput(
                    f"export: incremental name {incremental!r} belongs to the {mark.kind} "
                    f"export; pick another name for {kind.name}"
                )
            low = mark.watermark if mark else None
            # The bound is read FIRST in this snapshot: on PostgreSQL (read committed) a
            # later statement may see more, never less, of what is below it.
            bound = db_changes.mark_now(session.connection())
            legacy = low if (mark is not None and mark.seq is None) else None
            seq = SeqRange(mark.seq if mark else None, bound, legacy)
        high = _high_water(session, kind, low, seq)
        columns = [c.key for c in kind.build().selected_columns]
        stmt = export_query(kind, low, high, fmt, seq)
        chunks = iter(()) if high is None else _chunks(session, stmt)
        mode = file_mode(session)
        count = atomic_write(out, lambda fh: WRITERS[fmt](fh, columns, chunks), mode=mode)
    mark_to = _next_mark(low, high)
    if incremental:
        if seq is None:  # (set above for every incremental run)
            raise RuntimeError("incremental export without a change range")
        _advance(engine, incremental, kind.name, mark_to, count, out, seq.high)
    return ExportResult(kind.name, fmt.value, out, count, low, mark_to, incremental)


def _next_mark(low: datetime | None, high: datetime | None) -> datetime | None:
    """The watermark's time after a run: the newest change exported, never later than now
    (shown to people only: which rows come next is decided by the change marker)."""
    if high is None:
        return low
    if low is not None and high < low:
        return low
    return min(high, now())


def _chunks(session: Session, stmt: Select):
    """The rows in chunks of STREAM_CHUNK (a server-side cursor: constant memory)."""
    result = session.connection().execution_options(yield_per=STREAM_CHUNK).execute(stmt)
    yield from result.partitions()


def atomic_write(out: Path, fill: Callable[[IO[str]], int], mode: int = 0o600) -> int:
    """Temp file (0600) + fsync + rename (svcdesk/atomicfile.py), or stdout for `-`; stale
    temp files of killed runs in the folder are swept first."""
    return _atomic_write(out, fill, what="export", mode=mode)


def check_out_path(out: Path) -> Path:
    """`--out` must be `-` (standard output) or a regular file (or none yet) in an existing
    folder: a device, FIFO, symlink or directory there is refused, never replaced."""
    if is_stdout(out):
        return Path("-")
    return check_target(out, "export: --out")


def _advance(engine: Engine, name: str, kind: str, high, rows: int, out: Path, seq: int) -> None:
    with write_session(engine) as session:
        mark = session.get(ExportWatermark, name)
        if mark is None:
            mark = ExportWatermark(name=name, kind=kind)
            session.add(mark)
        if high is not None and (mark.watermark is None or high > mark.watermark):
            mark.watermark = high
        if mark.seq is None or seq > mark.seq:
            mark.seq = seq
        mark.last_run_at = now()
        mark.last_rows = rows
        mark.last_path = str(out)
