"""The reject file: bad rows with their original columns plus an `error` column.

Rows are spooled to a temporary file while the batch streams (constant memory), then
written in the reject file's own format (by extension: .json, .jsonl, else CSV) to a
temporary name beside it and renamed, so a reader never sees half a file. Values are
written exactly as they came in, so a fixed reject file can be imported again (its `error`
column is ignored by intake)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from svcdesk.atomicfile import (
    PRIVATE,
    check_target,
    create_temp,
    finish_temp,
    is_stdout,
    sweep_stale_parts,
)
from svcdesk.errors import SvcDeskError

ERROR_COLUMN = "error"


class RejectSpool:
    """`target` is opened (its temp file created, 0600) BEFORE the batch writes anything:
    a reject file that cannot be written (a missing folder, no permission, a device or
    symlink at the path) refuses the run instead of being found after the commit."""

    def __init__(self, headers: list[str], target: Path | str | None = None, mode: int = PRIVATE):
        self.columns: list[str] = [h for h in headers if h != ERROR_COLUMN]
        self._known = set(self.columns)
        self.target = self._tmp = None
        self.mode = mode
        if target is not None and not is_stdout(target):
            self.target = check_target(target, "reject file", make_parent=True)
            sweep_stale_parts(self.target)
            try:
                self._tmp = create_temp(self.target)
            except OSError as exc:
                raise SvcDeskError(
                    f"reject file: cannot write {self.target}: {exc.strerror or exc}"
                ) from None
        elif target is not None:
            self.target = Path("-")
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

    def finish(self, target: Path | None = None) -> Path:
        """Write the reject file atomically (into the temp file opened at the start, then
        renamed; `-`: standard output); returns its path."""
        if self.target is None:
            raise ValueError("RejectSpool.finish: the target is given when the spool is made")
        target = self.target
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
            if self._tmp is None:  # standard output
                fill(sys.stdout)
                sys.stdout.flush()
                return target
            try:
                with open(self._tmp, "w", encoding="utf-8", newline="") as out:
                    fill(out)
                    out.flush()
                    os.fsync(out.fileno())
                finish_temp(self._tmp, target, "reject file", self.mode)
                self._tmp = None
            except OSError as exc:
                raise SvcDeskError(
                    f"reject file: cannot write {target}: {exc.strerror or exc}"
                ) from None
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
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
            self._tmp = None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
