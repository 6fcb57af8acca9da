"""Writing a file so that no reader ever sees half of it, and nothing else is ever replaced.

Every file svcdesk writes (exports, calendars, reject files, PDFs, payroll and price-book
CSVs, backups) goes through here:

- `-` means standard output (no temp file, nothing renamed);
- the target must be a regular file or not exist yet, in an existing folder: a device
  (`/dev/full`, `/dev/stdout`), FIFO, socket, directory or symlink at the path is refused
  with one line, before anything is written (`check_target`), and checked again just
  before the rename;
- data goes to a hidden temp file next to the target (`.<name>.<pid>.part`), created
  exclusively (O_EXCL, O_NOFOLLOW) with mode 0600, fsynced, given the output mode (0600, or
  0640 when the shop's `files.mode` setting says so) and renamed over the target;
- temp files left by killed runs (`.*.<pid>.part` whose process is gone) are swept from
  the folder by any later write there, whatever name they were for.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from svcdesk.errors import InvalidInput, SvcDeskError

T = TypeVar("T")

STDOUT = "-"
PRIVATE = 0o600
MODES = {"0600": 0o600, "0640": 0o640}  # the `files.mode` setting's choices
_PART = re.compile(r"^\..+\.(\d+)\.part$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_parts(target: Path) -> list[Path]:
    """Remove temp files of earlier writes in `target`'s folder whose process is gone (any
    target name: a killed run's `.part` does not wait for the same name to be written)."""
    removed: list[Path] = []
    folder = Path(target).parent
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _PART.match(entry.name)
        if not m or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISLNK, "symbolic link"),
        (stat.S_ISDIR, "directory"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "FIFO (named pipe)"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


def is_stdout(target: Path | str | None) -> bool:
    return target is not None and str(target) == STDOUT


def check_target(target: Path | str, what: str = "write", *, make_parent: bool = False) -> Path:
    """The path a writer may replace: a regular file or nothing, in an existing folder
    (`make_parent`: created, 0700). Raises InvalidInput (one line) otherwise. Symlinks are
    refused, not followed."""
    text = str(target)
    if not text.strip():
        raise InvalidInput(f"{what}: needs a file name (got an empty path)")
    if "\x00" in text:
        raise InvalidInput(f"{what}: the file name contains a NUL byte")
    path = Path(text).expanduser()
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot use {path}: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise InvalidInput(
            f"{what}: {path} is a {kind_of(st.st_mode)}, not a regular file; "
            "give the name of a file to write"
        )
    if make_parent and not os.path.lexists(path.parent):
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise InvalidInput(
                f"{what}: cannot create folder {path.parent}: {exc.strerror or exc}"
            ) from None
    if not path.parent.is_dir():
        raise InvalidInput(f"{what}: {path}: folder {path.parent} does not exist")
    return path


def atomic_write(
    target: Path | str,
    fill: Callable[[IO[str]], T],
    *,
    what: str = "write",
    mode: int = PRIVATE,
) -> T:
    """Write text through `fill(fh)` and rename over `target` (or to stdout for `-`);
    returns what `fill` returns. On any failure the temp file is removed and `target` is
    untouched."""
    if is_stdout(target):
        result = fill(sys.stdout)
        sys.stdout.flush()
        return result

    def write(tmp: Path) -> T:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            result = fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        return result

    return _write(target, write, what, mode)


def atomic_write_bytes(
    target: Path | str, data: bytes, *, what: str = "write", mode: int = PRIVATE
) -> Path:
    """`atomic_write` for bytes already in memory (PDFs, database copies)."""
    if is_stdout(target):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return Path(STDOUT)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    _write(target, write, what, mode)
    return Path(target).expanduser()


def temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.part")


def create_temp(target: Path) -> Path:
    """Create (exclusively, 0600, never through a link) the temp file for `target`."""
    tmp = temp_path(target)
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISREG(os.lstat(tmp).st_mode):  # our own pid's leftover from a crash
            os.unlink(tmp)
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), PRIVATE)
    os.close(fd)
    return tmp


def finish_temp(tmp: Path, target: Path, what: str, mode: int = PRIVATE) -> None:
    """Give `tmp` its final mode and rename it over `target` (checked again first)."""
    os.chmod(tmp, mode)
    check_target(target, what)
    os.replace(tmp, target)


def _write(target: Path | str, write: Callable[[Path], T], what: str, mode: int) -> T:
    path = check_target(target, what)
    sweep_stale_parts(path)
    tmp = None
    try:
        tmp = create_temp(path)
        result = write(tmp)
        finish_temp(tmp, path, what, mode)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if isinstance(exc, OSError):
            raise SvcDeskError(f"{what}: cannot write {path}: {exc.strerror or exc}") from None
        raise
    return result


def output_mode(value: str | None) -> int:
    """The `files.mode` setting's text -> mode (0600 unless the shop chose 0640)."""
    if value is None or not value.strip():
        return PRIVATE
    if value.strip() not in MODES:
        raise InvalidInput(f"setting files.mode is {value!r}; expected 0600 or 0640")
    return MODES[value.strip()]


def tighten(path: Path) -> bool:
    """Make an existing file of ours owner-only (a database created 0644 by an older release
    or by hand); True when its mode changed. Files owned by someone else are left alone."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or not st.st_mode & 0o077:
        return False
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
        return True
    return False
