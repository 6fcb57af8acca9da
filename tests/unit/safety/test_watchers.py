"""The console's change watcher notices another process's commit (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys

from svcdesk.tui.watch import make_watcher


def test_watcher_sees_another_process_commit(db_path, engine, shop):
    watcher = make_watcher(engine)
    try:
        assert watcher.changed() is False
        subprocess.run(
            [
                sys.executable,
                "-m",
                "svcdesk",
                "--db",
                str(db_path),
                "orders",
                "note",
                shop["o1"],
                "hello",
            ],
            check=True,
            capture_output=True,
        )
        import time

        deadline = time.monotonic() + 5
        seen = False
        while time.monotonic() < deadline and not seen:  # notifications may take a moment
            seen = watcher.changed()
            time.sleep(0.05)
        assert seen
        assert watcher.changed() is False
    finally:
        watcher.close()
