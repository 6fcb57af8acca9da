"""The reject file: bad rows with their original columns plus an `error` column.

Rows are spooled to a temporary file while the batch streams (constant memory), then
written in the reject file's own format (by extension: .json, .jsonl, else CSV) to a
temporary name beside it and renamed, so a reader never sees half a file. Values are
written exactly as they came in, so a fixed reject file can be imported again (its `error`
column is ignored by intake)."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from svcdesk.atomicfile import atomic_write

ERROR_COLUMN = "error"


class RejectSpool:
    def __init__(self, headers: list[str]):
        self.columns: list[str] = [h for h in headers if h != ERROR_COLUMN]
        self._known = set(self.columns)
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in finish)
        self.count = 0

    def add(self, raw: dict[str, Any], error: str) -> None:
        for key in raw:
            if key not in self._known and key != ERROR_COLUMN:
                self._known.add(key)
                self.columns.append(key)
        row = {k: v for k, v in raw.items() if k != ERROR_COLUMN}
        self._spool.write(json.dumps([row, error], ensure_ascii=False) + "\n")
        self.count += 1

    def _rows(self):
        self._spool.seek(0)
        for line in self._spool:
            row, error = json.loads(line)
            yield row, error

    def finish(self, target: Path) -> Path:
        """Write the reject file atomically; returns its path."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        suffix = target.suffix.lower()

        def fill(out) -> None:
            if suffix == ".json":
                self._write_json(out)
            elif suffix in (".jsonl", ".ndjson"):
                for row, error in self._rows():
                    out.write(json.dumps({**row, ERROR_COLUMN: error}, ensure_ascii=False))
                    out.write("\n")
            else:
                self._write_csv(out)

        try:
            atomic_write(target, fill, what="reject file")
        finally:
            self.close()
        return target

    def _write_csv(self, out) -> None:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*self.columns, ERROR_COLUMN])
        for row, error in self._rows():
            writer.writerow([_cell(row.get(c)) for c in self.columns] + [error])

    def _write_json(self, out) -> None:
        out.write("[")
        for i, (row, error) in enumerate(self._rows()):
            out.write(",\n  " if i else "\n  ")
            out.write(json.dumps({**row, ERROR_COLUMN: error}, ensure_ascii=False))
        out.write("\n]\n" if self.count else "]\n")

    def close(self) -> None:
        self._spool.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
