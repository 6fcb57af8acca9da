"""Export file formats: CSV (formula-safe), JSON Lines and JSON, all written row by row.

Rows arrive as tuples of plain values (str, int, float, bool, None; timestamps are already
ISO text), so memory stays constant however many rows there are."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import IO, Any

# A spreadsheet treats a cell starting with one of these as a formula (or as the start of
# one: tab and CR can hide a leading '=' from a naive check). OWASP: prefix with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    JSON = "json"


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cells(rows: Iterable[Sequence[Any]], text_cols: Sequence[int]) -> Iterable[list]:
    for row in rows:
        cells = list(row)
        for i in text_cols:
            v = cells[i]
            if v and v[0] in "=+-@\t\r":
                cells[i] = "'" + v
        yield cells


def write_csv(fh: IO[str], columns: Sequence[str], text_cols: Sequence[int], rows) -> int:
    counter = _Counter(rows)
    writer = csv.writer(fh)  # RFC 4180: CRLF, quotes around fields with , " or newlines
    writer.writerow(columns)
    writer.writerows(_csv_cells(counter, text_cols))
    return counter.count


def write_jsonl(fh: IO[str], columns: Sequence[str], text_cols: Sequence[int], rows) -> int:
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for row in rows:
        fh.write(dumps(dict(zip(columns, row, strict=True))))
        fh.write("\n")
        count += 1
    return count


def write_json(fh: IO[str], columns: Sequence[str], text_cols: Sequence[int], rows) -> int:
    """One JSON array, one object per line inside it (valid JSON, still streamed)."""
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    fh.write("[")
    for row in rows:
        fh.write(",\n" if count else "\n")
        fh.write(dumps(dict(zip(columns, row, strict=True))))
        count += 1
    fh.write("\n]\n" if count else "]\n")
    return count


WRITERS: dict[ExportFormat, Callable[..., int]] = {
    ExportFormat.CSV: write_csv,
    ExportFormat.JSONL: write_jsonl,
    ExportFormat.JSON: write_json,
}


class _Counter:
    """Counts rows as the CSV writer pulls them."""

    def __init__(self, rows: Iterable):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
