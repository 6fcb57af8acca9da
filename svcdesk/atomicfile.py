"""Writing a file so that no reader ever sees half of it.

Data goes to a hidden temp file next to the target (`.<name>.<pid>.part`), is fsynced, and
is renamed over the target. A process killed mid-write leaves only its `.part` file, which
the next write to the same target removes (when that pid is no longer running)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from svcdesk.errors import SvcDeskError

T = TypeVar("T")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_parts(target: Path) -> list[Path]:
    """Remove temp files of earlier writes to `target` whose process is gone."""
    removed = []
    for part in target.parent.glob(f".{target.name}.*.part"):
        pid = part.name.removeprefix(f".{target.name}.").removesuffix(".part")
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                part.unlink()
                removed.append(part)
    return removed


def atomic_write(target: Path, fill: Callable[[IO[str]], T], *, what: str = "write") -> T:
    """Write text through `fill(fh)` and rename over `target`; returns what `fill` returns.
    On any failure the temp file is removed and `target` is untouched."""
    target = Path(target)
    sweep_stale_parts(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            result = fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise SvcDeskError(f"{what}: cannot write {target}: {exc.strerror or exc}") from None
        raise
    return result
