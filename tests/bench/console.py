"""Console benchmark through a pseudo-terminal: what a dispatcher's terminal receives.

    python tests/bench/console.py                          # 1,000,000 orders, 3 runs
    python tests/bench/console.py --orders 100000 --runs 5
    python tests/bench/console.py --db /path/to/shop.db --size 100x30

The database is `tests/bench/bigshop.py`'s (built once, cached by size; `--db` to use
another). Its backlog is what "now" finds open, as in a real shop (~1,300 open orders of
1M); `--open-share 0.05` reopens old orders up to that share for a heavier board.

Each run starts fresh processes, each in its own pseudo-terminal (pty, `--size`, TERM
xterm-256color), and reads what they write as a terminal would; every time is from the
moment the bench writes a key (or spawns the process) to the moment the terminal has
received the text that shows the result:

* baseline: a bare Textual app with one DataTable showing the board's first page (the same
  100 open orders, the same columns, one plain SQL query): spawn -> the first row's number;
* console: the svcdesk console (`make_app`, as `svcdesk` opens it, without the daily
  backup): spawn -> the first row's number;
* screen switch: `g` -> the schedule grid's day header, `b` -> the board;
* every filter keystroke, typing a word and deleting it again (backspace): key -> the
  board's filter line naming the new text (“lam”; "all open orders" when empty), which is
  painted in the same refresh as the reloaded table.

Runs are interleaved (baseline, console, baseline, ...) so load on the machine hits both
alike; medians and p95 over all samples. Prints a Markdown table for docs/performance.md.
Not collected by pytest."""

from __future__ import annotations

import argparse
import atexit
import fcntl
import os
import pty
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-25T14:00:00+00:00"  # bigshop's "now"
FILTERS = ("lamar", "garcia", "787")  # typed one key at a time, cleared between
TIMEOUT = 30.0  # seconds for any one answer (a slow machine is reported, not a crash)
OPEN = "('new','scheduled','dispatched','en_route','on_site','on_hold')"
FIRST_PAGE = f"""
    SELECT o.number, o.priority, o.status, c.name, s.city, o.summary, k.code,
      (SELECT group_concat(t.name, ', ') FROM visit v
         JOIN visit_technician vt ON vt.visit_id = v.id
         JOIN technician t ON t.id = vt.technician_id
       WHERE v.order_id = o.id AND v.status IN ('scheduled','dispatched','en_route','on_site')),
      (SELECT min(v.starts_at) FROM visit v WHERE v.order_id = o.id
         AND v.status IN ('scheduled','dispatched','en_route','on_site')),
      o.window_start, o.sla_due
    FROM work_order o JOIN customer c ON c.id = o.customer_id JOIN site s ON s.id = o.site_id
      LEFT JOIN skill k ON k.id = o.skill_id
    WHERE o.status IN {OPEN}
    ORDER BY o.priority_rank, o.sla_due IS NULL, o.sla_due, o.id LIMIT 100"""


# -- the processes in the pty -----------------------------------------------------------
def run_baseline(db: str) -> None:
    from textual.app import App
    from textual.widgets import DataTable

    class Bare(App):
        def compose(self):
            yield DataTable(cursor_type="row", zebra_stripes=True)

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Number", "Pri", "Status", "Customer", "City", "Summary", "Skill",
                              "Technician", "Scheduled", "Promised", "SLA")  # fmt: skip
            with sqlite3.connect(db) as conn:
                table.add_rows([tuple(v or "" for v in row) for row in conn.execute(FIRST_PAGE)])
            table.focus()

    Bare().run()


def run_console(db: str) -> None:
    """The console as `svcdesk` opens it (launch.run_console; without the daily backup).
    With STAMPS set in the environment it appends, for every key it receives and every screen update it writes,
    `kind wall cpu` (perf_counter, the process's CPU seconds over all threads): the
    bench's CPU time per key. With PROFILE set, the event loop runs under cProfile and
    the statistics are written there when the bench ends the process."""
    sys.path.insert(0, str(ROOT))
    from textual import events

    from svcdesk.db import make_engine
    from svcdesk.tui.app import make_app

    app = make_app(make_engine(db), backup_on_open=False, freeze_gc=True)
    stamps = os.environ.get("STAMPS")
    if stamps:
        out = open(stamps, "a", buffering=1)  # noqa: SIM115 (open until the process ends)
        on_event, display = app.on_event, app._display

        def stamp(kind: str) -> None:
            out.write(f"{kind} {time.perf_counter():.6f} {time.process_time():.6f}\n")

        async def on_event_stamped(event):
            if isinstance(event, events.Key):
                stamp("key")
            await on_event(event)

        def display_stamped(screen, renderable):
            display(screen, renderable)
            if renderable is not None:
                stamp("paint")

        app.on_event = on_event_stamped  # type: ignore[method-assign]
        app._display = display_stamped  # type: ignore[method-assign]
        prebuild = app.prebuild_modes

        def prebuild_stamped() -> None:  # the other screens are known and built
            prebuild()
            stamp("ready")

        app.prebuild_modes = prebuild_stamped  # type: ignore[method-assign]
    profile = os.environ.get("PROFILE")
    if not profile:
        app.run()
        return
    import cProfile

    profiler = cProfile.Profile()

    def dump(*_args) -> None:
        profiler.disable()
        profiler.dump_stats(profile)
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)
    profiler.enable()
    app.run()
    dump()


# -- the terminal side ------------------------------------------------------------------
LIVE: set[subprocess.Popen] = set()  # children to end if the bench itself is stopped


def _end_children(*_args) -> None:
    for proc in list(LIVE):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if _args:  # called as a signal handler
        sys.exit(1)


class Terminal:
    """A child process in a pty; a thread keeps reading what it writes, with the time
    each chunk arrived."""

    def __init__(self, kind: str, db: str, size: tuple[int, int], **extra: str) -> None:
        master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "SVCDESK_NOW": NOW,
               "COLUMNS": str(cols), "LINES": str(rows), **extra}  # fmt: skip
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--pty-child", kind, "--db", db],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            close_fds=True,
        )  # fmt: skip
        LIVE.add(self.proc)
        os.close(slave)
        self.fd = master
        self.data = bytearray()
        self.ends: list[tuple[int, float]] = []  # (end offset, arrival time) per chunk
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            now = time.perf_counter()
            with self.lock:
                if not chunk:
                    self.ends.append((-1, now))
                    self.lock.notify_all()
                    return
                self.data += chunk
                self.ends.append((len(self.data), now))
                self.lock.notify_all()

    def mark(self) -> int:
        with self.lock:
            return len(self.data)

    def wait_for(self, text: str, since: int) -> float | None:
        """Arrival time of the chunk that completed `text` (received after offset
        `since`), or None after TIMEOUT or if the process ended."""
        needle = text.encode()
        if not needle:
            return time.perf_counter()
        deadline = time.perf_counter() + TIMEOUT
        with self.lock:
            while True:
                at = self.data.find(needle, since)
                if at >= 0:
                    end = at + len(needle)
                    return next(t for off, t in self.ends if off >= end)
                if self.ends and self.ends[-1][0] == -1:
                    return None
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.lock.wait(left)

    def settle(self, quiet: float = 1.0) -> None:
        """Until nothing has arrived for `quiet` seconds (the app idle: the screens it
        builds in the background after the first paint are done), at most TIMEOUT."""
        deadline = time.perf_counter() + TIMEOUT
        with self.lock:
            while time.perf_counter() < deadline:
                last = self.ends[-1][1] if self.ends else self.started
                if time.perf_counter() - last >= quiet:
                    return
                self.lock.wait(quiet)

    def key(self, seq: str, expect: str) -> tuple[float, float] | None:
        """Write one key; (when it was written, when `expect` arrived)."""
        since = self.mark()
        t = time.perf_counter()
        os.write(self.fd, seq.encode())
        got = self.wait_for(expect, since)
        return None if got is None else (t, got)

    def peak_rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        LIVE.discard(self.proc)
        os.close(self.fd)


def first_row(db: str) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute(FIRST_PAGE).fetchone()[0]


def baseline(db: str, size, first: str) -> dict:
    term = Terminal("baseline", db, size)
    try:
        got = term.wait_for(first, 0)
        return {"first_paint": None if got is None else got - term.started,
                "rss_mb": term.peak_rss_mb()}  # fmt: skip
    finally:
        term.close()


def console(db: str, size, first: str, day: str, profile: str | None = None) -> dict:
    stamps = Path(tempfile.mkdtemp(prefix="console-bench-")) / "stamps"
    extra = {"STAMPS": str(stamps)} | ({"PROFILE": profile} if profile else {})
    term = Terminal("console", db, size, **extra)
    out: dict = {"timeouts": 0} | {k: [] for k in SERIES} | {f"cpu_{k}": [] for k in SERIES}

    def timed(seq: str, expect: str, series: str | None) -> None:
        got = term.key(seq, expect)
        if got is None:
            out["timeouts"] += 1
            print(f"  {seq!r} -> {expect!r}: timeout", file=sys.stderr, flush=True)
            return
        wall, cpu = got[1] - got[0], cpu_between(stamps, *got)
        shown = "" if cpu is None else f" (CPU {cpu * 1000:.0f} ms)"
        print(f"  {seq!r} -> {expect!r}: {wall * 1000:.0f} ms{shown}", file=sys.stderr, flush=True)
        if series:
            out[series].append(wall)
            if cpu is not None:
                out[f"cpu_{series}"].append(cpu)

    try:
        got = term.wait_for(first, 0)
        out["first_paint"] = None if got is None else got - term.started
        if got is None:
            return out
        # keys start once the app is idle: the other screens are loaded and built in the
        # background after the first paint (a key pressed earlier waits for them)
        wait_ready(stamps)
        term.settle()
        for _ in range(3):  # the list has focus: screen keys
            for seq, expect in (("g", day), ("b", "all open orders")):
                timed(seq, expect, "switch")
        timed("/", "filter: number", None)  # focus the filter box (drawn with its cursor)
        for word in FILTERS:  # typed, then deleted, one key at a time
            for n in range(1, len(word) + 1):
                timed(word[n - 1], f"“{word[:n]}”", "first_key" if n == 1 else "keys")
            for n in range(len(word) - 1, -1, -1):
                timed("\x7f", f"“{word[:n]}”" if n else "all open orders", "keys")
        out["rss_mb"] = term.peak_rss_mb()
        return out
    finally:
        term.close()
        stamps.unlink(missing_ok=True)
        stamps.parent.rmdir()


SERIES = ("first_key", "keys", "switch")


def wait_ready(stamps: Path) -> None:
    """Until the console says its screens are built (at most TIMEOUT)."""
    deadline = time.perf_counter() + TIMEOUT
    while time.perf_counter() < deadline:
        if stamps.exists() and "ready " in stamps.read_text():
            return
        time.sleep(0.05)


def cpu_between(stamps: Path, written: float, answered: float) -> float | None:
    """The console's CPU seconds (all threads) from receiving the key written at
    `written` to the last screen update it wrote before the answer arrived."""
    key = paint = None
    for line in stamps.read_text().splitlines():
        kind, wall, cpu = line.split()
        if kind == "key" and key is None and float(wall) >= written:
            key = float(cpu)
        elif kind == "paint" and key is not None and float(wall) <= answered:
            paint = float(cpu)
    return None if key is None or paint is None else paint - key


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return max(values) if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def open_backlog(path: Path, share: float, seed: int = 3) -> int:
    """Reopen the newest closed orders until `share` of all orders are open (new or on
    hold, a priority, an SLA due moment from 2 days late to 5 days ahead). Returns the
    open count."""
    import random
    from datetime import timedelta

    rng = random.Random(seed)
    base = datetime.fromisoformat(NOW)
    with sqlite3.connect(path) as conn:
        total = conn.execute("SELECT count(*) FROM work_order").fetchone()[0]
        have = conn.execute(f"SELECT count(*) FROM work_order WHERE status IN {OPEN}").fetchone()[0]
        need = int(total * share) - have
        if need <= 0:
            return have
        ids = [r[0] for r in conn.execute(
            f"SELECT id FROM work_order WHERE status NOT IN {OPEN} ORDER BY id DESC LIMIT ?",
            (need,))]  # fmt: skip
        ranks = {"emergency": 0, "high": 1, "normal": 2, "low": 3}
        rows = []
        for order_id in ids:
            priority = rng.choices(list(ranks), weights=(3, 20, 60, 17))[0]
            due = base + timedelta(minutes=rng.randrange(-2 * 24 * 60, 5 * 24 * 60))
            status = rng.choices(("new", "on_hold"), weights=(95, 5))[0]
            rows.append((status, priority, ranks[priority],
                         f"{due.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}", order_id))  # fmt: skip
        conn.executemany(
            "UPDATE work_order SET status = ?, priority = ?, priority_rank = ?, sla_due = ?,"
            " completed_at = NULL WHERE id = ?",
            rows,
        )
        return have + len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--techs", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--size", default="160x48", help="terminal COLSxROWS")
    ap.add_argument("--db", help="SQLite file (default: bigshop's, built if missing)")
    ap.add_argument("--open-share", type=float, default=0.0)
    ap.add_argument("--profile", help="cProfile the first console run's event loop to FILE")
    ap.add_argument("--pty-child", choices=["baseline", "console"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pty_child:
        (run_baseline if args.pty_child == "baseline" else run_console)(args.db)
        return

    atexit.register(_end_children)
    signal.signal(signal.SIGTERM, _end_children)
    signal.signal(signal.SIGHUP, _end_children)
    if args.db:
        path = Path(args.db)
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from bigshop import ensure_sqlite

        path = ensure_sqlite(args.orders, args.techs)
    if args.open_share:
        open_backlog(path, args.open_share)
    with sqlite3.connect(path) as conn:
        orders = conn.execute("SELECT count(*) FROM work_order").fetchone()[0]
        backlog = conn.execute(
            f"SELECT count(*) FROM work_order WHERE status IN {OPEN}"
        ).fetchone()[0]
        zone = conn.execute("SELECT value FROM setting WHERE key = 'shop.timezone'").fetchone()
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(NOW).astimezone(ZoneInfo(zone[0] if zone else "UTC"))
    day = f"{local:%a %m/%d}"  # the schedule grid's header
    cols, rows = (int(v) for v in args.size.split("x"))
    first = first_row(str(path))
    runs: dict[str, list[dict]] = {"baseline": [], "console": []}
    loads = []
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        runs["baseline"].append(baseline(str(path), (cols, rows), first))
        profile, args.profile = args.profile, None  # the first run only
        runs["console"].append(console(str(path), (cols, rows), first, day, profile))
    loads.append(os.getloadavg()[0])
    report(runs, orders, backlog, args, loads)


def report(runs, orders: int, backlog: int, args, loads: list[float]) -> None:
    base, con = runs["baseline"], runs["console"]

    def values(rs, key):
        return [r[key] for r in rs if r.get(key) is not None]

    def every(rs, key):
        return [v for r in rs for v in r.get(key, [])]

    bw, cw = (
        statistics.median(values(base, "first_paint")),
        statistics.median(values(con, "first_paint")),
    )
    first, keys, switch = every(con, "first_key"), every(con, "keys"), every(con, "switch")
    timeouts = sum(r.get("timeouts", 0) for r in con)
    print(f"\n{orders:,} orders ({backlog:,} open), terminal {args.size} through a pty, "
          f"{args.runs} runs interleaved; load average (1 min) {min(loads):.1f}-{max(loads):.1f} "
          f"on {os.cpu_count()} CPUs; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")  # fmt: skip
    print(
        "Wall: from writing the key to the terminal receiving the answer. CPU: the console"
        " process's CPU time (all threads) from receiving the key to writing the answer.\n"
    )
    print("| measure | median | p95 | CPU median | CPU p95 | samples | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(f"| first paint: bare DataTable, same first page (baseline) | {ms(bw)} | | | | {len(values(base, 'first_paint'))} | |")  # fmt: skip
    print(f"| first paint: console board | {ms(cw)} ({cw / bw:.2f}× baseline) | | | | {len(values(con, 'first_paint'))} | ≤ 1.5× |")  # fmt: skip
    cpu = {k: every(con, f"cpu_{k}") for k in SERIES}
    for label, vals, cpus in (
        ("filter, first letter", first, cpu["first_key"]),
        ("filter, later letters", keys, cpu["keys"]),
        ("filter, every keystroke", first + keys, cpu["first_key"] + cpu["keys"]),
        ("screen switch (g / b)", switch, cpu["switch"]),
    ):
        target = "< 100 ms p95" if "switch" in label else "< 50 ms p95"
        if vals:
            c_med = ms(statistics.median(cpus)) if cpus else ""
            c_p95 = ms(p95(cpus)) if cpus else ""
            print(f"| {label}: key → painted | {ms(statistics.median(vals))} | {ms(p95(vals))} | {c_med} | {c_p95} | {len(vals)} | {target} |")  # fmt: skip
    rss = [r["rss_mb"] for r in con if r.get("rss_mb")]
    if rss:
        print(f"| console peak RSS | {max(rss):.0f} MB | | | | {len(rss)} | |")
    if timeouts:
        print(f"\n{timeouts} answers did not arrive within {TIMEOUT:.0f} s (not counted above)")


if __name__ == "__main__":
    main()
