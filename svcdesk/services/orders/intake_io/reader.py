"""Reading intake files: CSV, a JSON array of objects, JSON Lines, or `-` for stdin.

Records are streamed (a JSON array is the exception: it is parsed whole, so use CSV or
JSON Lines for very large files). UTF-8 with or without BOM, CRLF or LF, quoted newlines,
blank lines skipped."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from svcdesk.errors import InvalidInput
from svcdesk.services.orders.intake_io.columns import COLUMNS, REQUIRED, header_key, match_headers

FORMATS = ("csv", "json", "jsonl")
_EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_BY_KEY = {header_key(c): c for c in COLUMNS}


class Record:
    """One row. `number`: CSV = data record after the header (1 = first), JSON = array
    element (1-based), JSON Lines = line number. `raw` gives the original headers/values
    (for the reject file); `values` is keyed by column name; `problem` says why a row
    couldn't be read at all."""

    __slots__ = ("_header", "_plan", "_raw", "_values", "number", "problem")

    def __init__(
        self,
        number: int,
        raw: dict[str, Any] | list[str],
        values: dict[str, str | None] | None = None,
        problem: str | None = None,
        header: list[str] | None = None,
        plan: _Plan | None = None,
    ):
        self.number = number
        self._raw = raw  # a dict, or a CSV row's cells (paired with `header` on demand)
        self._header = header
        self._values = values if values is not None or plan is not None else {}
        self._plan = plan  # a full CSV row: its values are read through the header's plan
        self.problem = problem

    @property
    def values(self) -> dict[str, str | None]:
        if self._values is None:
            assert self._plan is not None and isinstance(self._raw, list)
            cells = self._raw
            self._values = {c: cells[i] for c, i in self._plan.pairs}
        return self._values

    def texts(self) -> tuple[str, ...] | None:
        """A full CSV row's values in the reader's column order, stripped ("" when blank
        or when the file has no such column), picked in C; None for other records (read
        `values`)."""
        if self._plan is None:
            return None
        return self._plan.texts(self._raw)  # type: ignore[arg-type]

    @property
    def raw(self) -> dict[str, Any]:
        if isinstance(self._raw, dict):
            return self._raw
        cells, header = self._raw, self._header or []
        raw = dict(zip(header, cells, strict=False))
        if len(cells) > len(header):
            raw[""] = ",".join(cells[len(header) :])
        return raw


class _Plan:
    """Where a CSV header put each known column, worked out once per file."""

    __slots__ = ("_fill", "_pick", "pairs")

    def __init__(self, names: list[str | None], columns: tuple[str, ...]):
        self.pairs = [(c, i) for i, c in enumerate(names) if c]
        where = {c: i for c, i in self.pairs}
        present = [c for c in columns if c in where]
        picks = [where[c] for c in present]
        self._pick = (
            itemgetter(*picks) if len(picks) > 1 else lambda cells: tuple(cells[i] for i in picks)
        )
        # the columns the header lacks are filled in as "" (None: the header has them all)
        self._fill = (
            None
            if len(present) == len(columns)
            else [present.index(c) if c in where else -1 for c in columns]
        )

    def texts(self, cells: list[str]) -> tuple[str, ...]:
        found = tuple(map(str.strip, self._pick(cells)))
        if self._fill is None:
            return found
        return tuple(found[i] if i >= 0 else "" for i in self._fill)


@dataclass
class IntakeSource:
    name: str
    format: str
    stream: IO[bytes]
    size: int | None = None
    headers: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    _records: Iterator[Record] | None = None

    def position(self) -> int:
        try:
            return self.stream.tell()
        except (OSError, ValueError):
            return 0

    def records(self) -> Iterator[Record]:
        assert self._records is not None
        try:
            yield from self._records
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{self.name}: not UTF-8 text ({exc.reason} at byte {self.position()}); "
                "save the file as UTF-8"
            ) from None


def detect_format(path: str, fmt: str | None, head: bytes = b"") -> str:
    if fmt:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise InvalidInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        return fmt
    found = _EXTENSIONS.get(Path(path).suffix.lower())
    if found:
        return found
    if path == "-":
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        return {b"[": "json", b"{": "jsonl"}.get(first, "csv")
    raise InvalidInput(
        f"{path}: can't tell the format from the file name; use --format csv, json or jsonl"
    )


MAX_FILE_BYTES = int(os.environ.get("SVCDESK_MAX_IMPORT_MB", "1024")) * 1_000_000


@contextmanager
def open_source(
    path: str, fmt: str | None = None, stdin: IO[bytes] | None = None
) -> Iterator[IntakeSource]:
    """Open a file (or stdin for `-`), check its header, and yield an IntakeSource."""
    if path == "-":
        stream: IO[bytes] = io.BufferedReader(stdin or sys.stdin.buffer)  # type: ignore[arg-type,type-var]
        name, size = "stdin", None
    else:
        file = Path(path)
        if not file.is_file():
            raise InvalidInput(f"{path}: no such file")
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                f"{path}: {size / 1e6:.0f} MB is over the {MAX_FILE_BYTES / 1e6:.0f} MB limit; "
                "split the file"
            )
        stream, name = file.open("rb"), path
    try:
        fmt = detect_format(path, fmt, stream.peek(64) if path == "-" else b"")  # type: ignore[attr-defined]
        source = IntakeSource(name=name, format=fmt, stream=stream, size=size)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        opener = {"csv": _csv_records, "json": _json_records, "jsonl": _jsonl_records}[fmt]
        try:
            source._records = opener(source, text)
        except UnicodeDecodeError:
            raise InvalidInput(f"{name}: not UTF-8 text; save the file as UTF-8") from None
        yield source
    finally:
        if path != "-":
            stream.close()


def _csv_records(source: IntakeSource, text: IO[str]) -> Iterator[Record]:
    source.headers, source.unknown, records = csv_records(source.name, text)
    return records


def csv_records(
    name: str,
    text: IO[str],
    columns: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
) -> tuple[list[str], list[str], Iterator[Record]]:
    """Intake's CSV rules for any column set: (header, unknown headers, records).

    Blank lines before the header and between rows are skipped; a row with more non-blank
    values than the header has columns comes back with `problem` set."""
    reader = csv.reader(text)
    header: list[str] | None = None
    try:
        for header in reader:
            if any(cell.strip() for cell in header):
                break
        else:
            header = None
    except csv.Error as exc:
        raise InvalidInput(f"{name}: not a CSV file ({exc})") from None
    if header is None:
        raise InvalidInput(f"{name}: empty file; expected a header row")
    mapping, unknown = match_headers(name, header, columns, required)
    names = [mapping.get(h) for h in header]
    return header, unknown, _csv_rows(name, reader, header, names, len(header), columns)


def read_table(
    name: str, text: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> list[Record]:
    """A whole CSV text already in memory (BOM, CRLF and blank lines handled as for intake),
    for files whose every column must be known: an unknown header raises InvalidInput."""
    _, unknown, records = csv_records(name, io.StringIO(text.lstrip("\ufeff")), columns, required)
    if unknown:
        raise InvalidInput(
            f"{name}: unknown column {unknown[0]!r} (columns are {', '.join(columns)})"
        )
    return list(records)


def _csv_rows(name, reader, header, names, width, columns) -> Iterator[Record]:
    plan = _Plan(names, columns)
    pairs = plan.pairs
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(f"{name} row {number + 1}: unreadable CSV ({exc})") from None
        number += 1
        if not (cells and cells[0].strip()) and not "".join(cells).strip():
            continue
        if len(cells) == width:  # the common case: values picked through the plan
            yield Record(number, cells, header=header, plan=plan)
        elif len(cells) < width:
            values = {c: cells[i] for c, i in pairs if i < len(cells)}
            yield Record(number, cells, values, header=header)
        elif "".join(cells[width:]).strip():
            problem = f"{len(cells)} values but the header has {width} columns"
            yield Record(number, cells, problem=problem, header=header)
        else:
            yield Record(number, cells[:width], header=header, plan=plan)


def _object_record(number: int, obj: Any) -> Record:
    if not isinstance(obj, dict):
        return Record(number, {"value": obj}, problem="expected an object with named fields")
    record = Record(number, obj)
    for key, value in obj.items():
        column = _BY_KEY.get(header_key(key))
        if column is None:
            continue
        if isinstance(value, (dict, list)):
            record.problem = (
                f"column {column}: expected text or a number, got {type(value).__name__}"
            )
        elif value is None:
            record.values[column] = None
        elif isinstance(value, bool):
            record.values[column] = str(value).lower()
        else:
            record.values[column] = str(value)
    return record


def _check_keys(source: IntakeSource, obj: Any) -> None:
    if isinstance(obj, dict) and not source.headers:
        source.headers = [str(k) for k in obj]
        _, source.unknown = match_headers(source.name, source.headers)


MAX_JSON_DIGITS = 30  # no field needs more; a 5,000-digit number was a traceback


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"a {len(text)}-digit number (at most {MAX_JSON_DIGITS} digits)")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_JSON_DIGITS + 10:
        raise ValueError(f"a {len(text)}-character number")
    return float(text)


def _no_surrogates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Object hook: a lone UTF-16 surrogate ('\\ud800') cannot be stored as UTF-8."""
    for key, value in pairs:
        for text in (key, value):
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError(
                        f"field {key!r} holds an unpaired surrogate (\\u{ord(text[0]):04x}...); "
                        "not valid text"
                    ) from None
    return dict(pairs)


def _json_parse(source: IntakeSource, read: Callable[..., Any], arg: Any) -> Any:
    """json.load/loads with bounded numbers and text that can be stored; malformed,
    over-deep or oversized input is one InvalidInput naming the file."""
    try:
        return read(
            arg, parse_int=_json_int, parse_float=_json_float, object_pairs_hook=_no_surrogates
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source.name}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise InvalidInput(f"{source.name}: JSON nested too deeply to read") from None
    except ValueError as exc:
        raise InvalidInput(f"{source.name}: {exc}") from None


def _json_records(source: IntakeSource, text: IO[str]) -> Iterator[Record]:
    data = _json_parse(source, json.load, text)
    if not isinstance(data, list):
        raise InvalidInput(f"{source.name}: expected a JSON array of objects, one per order")
    if data:
        _check_keys(source, data[0])
    return (_object_record(i, obj) for i, obj in enumerate(data, start=1))


def _jsonl_records(source: IntakeSource, text: IO[str]) -> Iterator[Record]:
    lines = enumerate(text, start=1)
    first: Record | None = None
    for number, line in lines:
        if line.strip():
            first = _jsonl_record(source, number, line)
            break
    return _jsonl_rest(source, first, lines)


def _jsonl_rest(source, first, lines) -> Iterator[Record]:
    if first is not None:
        yield first
    for number, line in lines:
        if line.strip():
            yield _jsonl_record(source, number, line)


def _jsonl_record(source: IntakeSource, number: int, line: str) -> Record:
    try:
        obj = json.loads(
            line, parse_int=_json_int, parse_float=_json_float, object_pairs_hook=_no_surrogates
        )
    except json.JSONDecodeError as exc:
        return Record(number, {"raw": line.rstrip("\r\n")}, problem=f"not valid JSON ({exc.msg})")
    except RecursionError:
        return Record(number, {"raw": line[:200]}, problem="JSON nested too deeply")
    except ValueError as exc:
        return Record(number, {"raw": line[:200]}, problem=str(exc))
    _check_keys(source, obj)
    return _object_record(number, obj)
