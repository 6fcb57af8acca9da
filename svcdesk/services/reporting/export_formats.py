"""Export file formats: CSV (formula-safe), JSON Lines and JSON, all written row by row.

Rows arrive in chunks of plain values (str, int, float, bool, None; timestamps are already
ISO text, CSV text already formula-safe), so memory stays constant however many rows."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import IO

from svcdesk.services.common.spreadsheet import FORMULA_START


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    JSON = "json"


def csv_cell(column):
    """SQL for one CSV cell, so the database does the per-cell work instead of Python:
    text gets a leading apostrophe when it starts like a formula (same rule as
    `neutralise`), booleans become `true`/`false`; other values pass unchanged."""
    from sqlalchemy import Boolean, String, case, literal

    from svcdesk.services.common.sqlexpr import IsoText, first_code

    kind = getattr(column.type, "impl_instance", column.type)  # unwrap AutoString etc.
    if isinstance(kind, Boolean):
        cell = case((column.is_(True), literal("true")), (column.is_(False), literal("false")))
    elif isinstance(kind, String) and not isinstance(kind, IsoText):
        starts = first_code(column).in_([ord(c) for c in FORMULA_START])
        cell = case((starts, literal("'") + column), else_=column)
    else:
        return column
    return cell.label(column.key)


def write_csv(fh: IO[str], columns: Sequence[str], chunks: Iterable[Sequence]) -> int:
    """Cells come formula-safe from the query (`csv_cell`); RFC 4180 quoting, CRLF."""
    writer = csv.writer(fh)
    writer.writerow(columns)
    count = 0
    for chunk in chunks:
        writer.writerows(chunk)
        count += len(chunk)
    return count


def _objects(columns: Sequence[str], chunks: Iterable[Sequence]):
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for chunk in chunks:
        for row in chunk:
            yield dumps(dict(zip(columns, row, strict=True)))


def write_jsonl(fh: IO[str], columns: Sequence[str], chunks: Iterable[Sequence]) -> int:
    count = 0
    for text in _objects(columns, chunks):
        fh.write(text)
        fh.write("\n")
        count += 1
    return count


def write_json(fh: IO[str], columns: Sequence[str], chunks: Iterable[Sequence]) -> int:
    """One JSON array, one object per line inside it (valid JSON, still streamed)."""
    count = 0
    fh.write("[")
    for text in _objects(columns, chunks):
        fh.write(",\n" if count else "\n")
        fh.write(text)
        count += 1
    fh.write("\n]\n" if count else "]\n")
    return count


WRITERS: dict[ExportFormat, Callable[..., int]] = {
    ExportFormat.CSV: write_csv,
    ExportFormat.JSONL: write_jsonl,
    ExportFormat.JSON: write_json,
}
