"""`-` on every file option: standard input for files read, standard output for files
written (issue 20). Exports, PDFs, calendars, payroll and price-book files write `-`
themselves (svcdesk/atomicfile.py); the rest go through here:

- `read_capped(value, limit, what)`: a small text file read whole, at most `limit` bytes
  (`/dev/zero` or a 20 GB file is refused, not read), `-` = standard input;
- `input_file(value)`: a path to read; for `-` standard input copied into a private temp
  file (0600, removed afterwards), for readers that need a file (attachments, restores);
- `output_file(value)`: a path to write; for `-` a private temp file streamed to standard
  output once the writer is done (database copies, intake's reject rows);
- `say(message, *targets)`: the command's own report, on standard error when one of its
  targets is standard output (the data owns stdout: `... --out - | gzip` stays clean).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from svcdesk.cli.output import err_print, info, print_json
from svcdesk.errors import InvalidInput

STDIO = "-"


def is_stdio(value: object) -> bool:
    return value is not None and str(value) == STDIO


def to_stdout(*targets: object) -> bool:
    return any(is_stdio(t) for t in targets)


def say(message: str, *targets: object) -> None:
    if to_stdout(*targets):
        err_print(message)
    else:
        info(message)


def say_json(data: Any, *targets: object) -> None:
    print_json(data, err=to_stdout(*targets))


def read_capped(file: str, limit: int, what: str) -> str:
    """The UTF-8 text of `file` (`-` = standard input), read at most `limit` bytes (so
    /dev/zero or a FIFO that never ends cannot grow without bound). A missing file, a
    folder, a device that cannot be read or text that is not UTF-8: one line."""
    too_big = f"{file if file != STDIO else 'stdin'}: over {limit // 2**20} MB; not {what}"
    if is_stdio(file):
        data = sys.stdin.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(too_big)
        return data
    try:
        with Path(file).expanduser().open("rb") as fh:
            raw = fh.read(limit + 1)  # bounded, whatever the file is
        if len(raw) > limit:
            raise InvalidInput(too_big)
        return raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{file}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{file}: is a folder; give the file inside it") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{file}: cannot read ({exc})") from None


@contextlib.contextmanager
def _private_temp(suffix: str) -> Iterator[Path]:
    """A path in a new private folder (0700): nobody else can put a link or file there."""
    with tempfile.TemporaryDirectory(prefix="svcdesk-") as folder:
        yield Path(folder) / f"stdio{suffix}"


@contextlib.contextmanager
def input_file(value: str | Path, suffix: str = "") -> Iterator[Path]:
    """`value` as a path to read; `-` = standard input, spooled to a private temp file."""
    if not is_stdio(value):
        yield Path(value)
        return
    with _private_temp(suffix) as tmp:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh)
        yield tmp


@contextlib.contextmanager
def output_file(value: str | Path, suffix: str = "") -> Iterator[Path]:
    """`value` as a path to write; `-` = a private temp file that is copied to standard
    output when the block ends without an error (nothing reaches stdout otherwise)."""
    if not is_stdio(value):
        yield Path(value)
        return
    with _private_temp(suffix) as tmp:
        yield tmp
        if tmp.exists():
            sys.stdout.flush()
            with open(tmp, "rb") as fh:
                shutil.copyfileobj(fh, sys.stdout.buffer)
            sys.stdout.buffer.flush()
