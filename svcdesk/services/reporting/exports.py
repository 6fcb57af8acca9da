"""Nightly exports: one framework for every kind (orders, visits, invoices, ...).

A kind (a small module in `services/reporting/export_kinds/`) gives its columns as SQL expressions
and a `changed_at` expression. `run_export` then:

1. opens ONE read transaction (a consistent snapshot) and takes `high` = the latest
   `changed_at` in it; rows with `low < changed_at <= high` are the export, where `low` is
   `--since`, or the stored watermark of `--incremental NAME`, or nothing (everything);
2. streams those rows (constant memory) into a temp file next to `--out`, flushes and
   fsyncs it, and renames it over `--out` (a reader never sees half a file);
3. only then stores `high` as NAME's new watermark (a separate short write transaction).

A run that fails or is killed anywhere before step 3 leaves the watermark where it was, so
the next run exports the same rows again: nothing is ever skipped. Writers are serialised
(SQLite BEGIN IMMEDIATE) and stamp `changed_at` inside their transaction, so every row
committed after our snapshot carries a later time than `high` and is picked up next time.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, Select, func, select, type_coerce
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import Session

from svcdesk.atomicfile import atomic_write as _atomic_write
from svcdesk.clock import now
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models.base import UTCDateTime
from svcdesk.models.reporting import ExportWatermark
from svcdesk.services.common.timefmt import iso
from svcdesk.services.reporting.export_formats import WRITERS, ExportFormat, csv_cell

STREAM_CHUNK = 2000


@dataclass(frozen=True)
class ExportKind:
    """What one export kind produces. `build()` returns the SELECT of its columns (labelled,
    in file order) with its joins; `changed_at` is the expression incremental runs compare."""

    name: str
    help: str
    build: Callable[[], Select]
    # a column (`col(Model.field)`) or an expression
    changed_at: Callable[[], ColumnElement | Mapped]
    key: Callable[[], ColumnElement | Mapped]  # stable row order (primary key)
    # When `changed_at` uses one table only: take the high-water mark from it alone (an
    # indexed MAX instead of a pass over the joined query).
    changed_table: Callable[[], Any] | None = None


KINDS: dict[str, ExportKind] = {}


def register_kind(kind: ExportKind) -> ExportKind:
    KINDS[kind.name] = kind
    return kind


def _discover() -> None:
    from svcdesk.services.reporting import export_kinds

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


def export_query(
    kind: ExportKind,
    low: datetime | None,
    high: datetime | None,
    fmt: ExportFormat | str | None = None,
) -> Select:
    """The SELECT an export streams; for CSV its cells are made formula-safe in SQL
    (`csv_cell`). Public so the benchmark can hand the same query to the sqlite3 shell."""
    changed = type_coerce(kind.changed_at(), UTCDateTime())
    stmt = kind.build()
    if fmt is not None and ExportFormat(fmt) == ExportFormat.CSV:
        cells = [csv_cell(c) for c in stmt.selected_columns]
        stmt = stmt.with_only_columns(*cells, maintain_column_froms=True)
    if low is not None:
        stmt = stmt.where(changed > low)
    if high is not None:
        stmt = stmt.where(changed <= high)
    return stmt.order_by(kind.key())


def _high_water(session: Session, kind: ExportKind, low: datetime | None) -> datetime | None:
    changed = type_coerce(kind.changed_at(), UTCDateTime())
    if kind.changed_table is not None:
        stmt = select(func.max(changed)).select_from(kind.changed_table())
    else:
        stmt = kind.build().with_only_columns(func.max(changed), maintain_column_froms=True)
    if low is not None:
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
        high = _high_water(session, kind, low)
        columns = [c.key for c in kind.build().selected_columns]
        stmt = export_query(kind, low, high, fmt)
        chunks = iter(()) if high is None else _chunks(session, stmt)
        count = atomic_write(out, lambda fh: WRITERS[fmt](fh, columns, chunks))
    mark_to = _next_mark(low, high)
    if incremental:
        _advance(engine, incremental, kind.name, mark_to, count, out)
    return ExportResult(kind.name, fmt.value, out, count, low, mark_to, incremental)


def _next_mark(low: datetime | None, high: datetime | None) -> datetime | None:
    """The watermark after a run: the newest change exported, but never later than now (a
    row stamped in the future by a skewed clock is exported again rather than letting the
    mark jump ahead and skip rows written in between)."""
    if high is None:
        return low
    return min(high, now())


def _chunks(session: Session, stmt: Select):
    """The rows in chunks of STREAM_CHUNK (a server-side cursor: constant memory)."""
    result = session.connection().execution_options(yield_per=STREAM_CHUNK).execute(stmt)
    yield from result.partitions()


def atomic_write(out: Path, fill: Callable[[IO[str]], int]) -> int:
    """Temp file + fsync + rename (svcdesk/atomicfile.py); stale temp files of killed runs
    are swept first."""
    return _atomic_write(out, fill, what="export")


def check_out_path(out: Path) -> Path:
    """`--out` must name a file in an existing folder."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise InvalidInput(f"export: --out {out} is a directory; give a file name")
    if not out.parent.is_dir():
        raise InvalidInput(f"export: --out {out}: folder {out.parent} does not exist")
    return out


def _advance(engine: Engine, name: str, kind: str, high, rows: int, out: Path) -> None:
    with write_session(engine) as session:
        mark = session.get(ExportWatermark, name)
        if mark is None:
            mark = ExportWatermark(name=name, kind=kind)
            session.add(mark)
        if high is not None and (mark.watermark is None or high > mark.watermark):
            mark.watermark = high
        mark.last_run_at = now()
        mark.last_rows = rows
        mark.last_path = str(out)
