"""Intake benchmark: a realistic N-row intake CSV imported through the real service path,
paired with what SQLite alone costs for the same rows.

    .venv/bin/python tests/bench/intake.py [--rows 100000] [--repeat 3] [--seed 7] [--keep DIR]

Each round runs, each in its own interpreter (so peak memory, ru_maxrss, is the phase's
own) and back to back: (a) a plain `sqlite3.executemany` of the file's rows into one table
with a unique external_ref; (b) the intake, `run_file_intake`, into a fresh svcdesk
database; (c) the floor: the rows (b) wrote, read back from its database and replayed as
prebuilt tuples into a fresh svcdesk database - every table it writes (customers, their
history, sites, orders, events, SLA clocks, recall flags, possible duplicates, the SO
sequence), the same schema, indexes, foreign keys and triggers, the app's connection
settings, one BEGIN IMMEDIATE transaction, chunk by chunk in the intake's order with its
multi-row INSERTs, the search index filled in the intake's groups, commit included: what
SQLite alone costs for the data the intake must write, with no Python work per row.
Medians of the `--repeat` rounds are printed, and the ratios of each round's own phases
(CPU time): intake/raw (target <= 8x) and intake/floor (target <= 1.5x, i.e. the Python
part at most half of SQLite's floor). `--plain-floor` adds (c) with plain executemany
only. Not collected by pytest."""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from svcdesk.db import make_engine, write_session  # noqa: E402
from svcdesk.db_extras import FTS  # noqa: E402
from svcdesk.services.crm import technicians  # noqa: E402
from svcdesk.services.orders.intake_io import COLUMNS, run_file_intake  # noqa: E402
from svcdesk.services.orders.intake_io.batch import (  # noqa: E402
    CACHE_KIB,
    CHUNK,
    GROUP,
    MULTI_ROW,
    SEARCH_GROUP,
)

DATA = Path(__file__).resolve().parents[2] / "data"
SKILLS = ("hvac", "plumbing", "electrical", "drain", "water_heater", "refrigeration")
PRIORITIES = ("emergency", "high", "normal", "normal", "normal", "low")
SOURCES = ("phone", "portal", "email", "import")
SUFFIX = ("", "", "", " Apt 2", " Suite 110", " Unit B")


def _people() -> tuple[list[str], list[str]]:
    people = json.loads((DATA / "demo_people.json").read_text())
    return people["first"], people["last"]


def _streets() -> list[tuple[str, str]]:
    with (DATA / "demo_streets.csv").open(newline="") as f:
        return [(r["street"], r["zip"]) for r in csv.DictReader(f)]


def generate(path: Path, rows: int, seed: int) -> None:
    """~30% of rows are repeat callers (same phone, written differently); a repeat caller
    sometimes calls about another of their sites (landlords, chains)."""
    rng = random.Random(seed)
    first, last = _people()
    streets = _streets()
    callers: list[tuple[str, str, str, list[tuple[str, str]]]] = []
    day0 = date(2026, 11, 26)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for n in range(rows):
            if callers and rng.random() < 0.30:
                name, phone, email, sites = rng.choice(callers)
                digits = "".join(ch for ch in phone if ch.isdigit())
                phone = rng.choice(
                    (phone, digits, f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", "+1 " + phone)
                )
                if rng.random() < 0.25:
                    street, zip_code = rng.choice(streets)
                    sites.append((f"{rng.randint(100, 12999)} {street}", zip_code))
                address, zip_code = rng.choice(sites)
            else:
                name = f"{rng.choice(first)} {rng.choice(last)}"
                phone = f"(512) {rng.randint(200, 999)}-{n % 10000:04d}"
                email = f"{name.lower().replace(' ', '.')}{n}@example.com"
                street, zip_code = rng.choice(streets)
                address = f"{rng.randint(100, 12999)} {street}{rng.choice(SUFFIX)}"
                sites = [(address, zip_code)]
                callers.append((name, phone, email, sites))
            day = day0 + timedelta(days=rng.randint(0, 20))
            hour = rng.choice((8, 9, 10, 12, 13, 14, 15))
            start = f"{day:%m/%d/%Y} {hour % 12 or 12}:00 {'AM' if hour < 12 else 'PM'}"
            end_h = hour + 3
            end = f"{day:%m/%d/%Y} {end_h % 12 or 12}:00 {'AM' if end_h < 12 else 'PM'}"
            window = rng.random() < 0.8
            out.writerow(
                (
                    f"BENCH-{n:07d}",
                    name,
                    phone,
                    email if rng.random() < 0.7 else "",
                    address,
                    "Austin",
                    "TX",
                    zip_code,
                    rng.choice(("No heat", "AC not cooling", "Leak under sink", "Breaker trips")),
                    "Customer says it started yesterday" if rng.random() < 0.4 else "",
                    rng.choice(PRIORITIES),
                    rng.choice(SKILLS),
                    start if window else "",
                    end if window else "",
                    rng.choice((45, 60, 90, 120)),
                    rng.choice(SOURCES),
                    "repair",
                )
            )


def raw_insert(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """Plain sqlite3: one table with the file's columns and a unique external_ref."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    cols = ", ".join(f"{c} TEXT" for c in COLUMNS)
    conn.execute(f"CREATE TABLE intake (id INTEGER PRIMARY KEY, {cols})")
    conn.execute("CREATE UNIQUE INDEX ix_intake_ref ON intake (external_ref)")
    marks = ", ".join("?" for _ in COLUMNS)
    started, cpu = time.perf_counter(), time.process_time()
    with csv_path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO intake ({', '.join(COLUMNS)}) VALUES ({marks})", reader)
        conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return elapsed, cpu


# What an intake writes, per chunk, in the order it writes it (customer and site rows also
# go into their FTS5 search tables; `sequence` gets its SO row).
WRITTEN = (
    "customer",
    "customer_event",
    "site",
    "work_order",
    "order_event",
    "order_sla",
    "recall_flag",
    "possible_duplicate",
)
# The column that ties a table's rows to the chunk that wrote them.
_CHUNKED_BY = {"customer": "id", "customer_event": "customer_id", "site": "id", "work_order": "id"}


def _fresh_database(db_path: Path) -> None:
    """A new svcdesk database set up as `full_intake` sets up its own."""
    engine = make_engine(str(db_path))
    with write_session(engine) as s:
        for code in SKILLS:
            technicians.ensure_skill(s, code)
    engine.dispose()


def _written(full_db: Path) -> tuple[dict[str, tuple[list[str], list[tuple]]], list[tuple]]:
    """Every row of the tables the intake wrote (they were empty before it), as stored."""
    con = sqlite3.connect(full_db)
    tables = {}
    for table in WRITTEN:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
        rows = con.execute(f'SELECT {", ".join(cols)} FROM "{table}" ORDER BY rowid').fetchall()
        tables[table] = (cols, rows)
    sequences = con.execute("SELECT name, next_value FROM sequence").fetchall()
    con.close()
    return tables, sequences


def _chunks(tables: dict[str, tuple[list[str], list[tuple]]]) -> list[dict[str, list[tuple]]]:
    """The rows split as the intake wrote them: per CHUNK orders, the customers and sites
    first made for those orders (ids are handed out in file order, so chunk k's are those
    up to the highest id its orders use) and every row hanging off them."""
    cols, orders = tables["work_order"]
    cust, site = cols.index("customer_id"), cols.index("site_id")
    bounds = []  # (last order id, last customer id, last site id) per chunk
    top_c = top_s = 0
    for start in range(0, len(orders), CHUNK):
        part = orders[start : start + CHUNK]
        top_c = max(top_c, *(o[cust] for o in part))
        top_s = max(top_s, *(o[site] for o in part))
        bounds.append((part[-1][0], top_c, top_s))
    out: list[dict[str, list[tuple]]] = [{t: [] for t in WRITTEN} for _ in bounds]
    for table in WRITTEN:
        cols, rows = tables[table]
        key = cols.index(_CHUNKED_BY.get(table, "order_id"))
        which = {"customer": 1, "customer_event": 1, "site": 2}.get(table, 0)
        tops = [b[which] for b in bounds]
        for row in rows:  # (in the order they were written)
            out[bisect_left(tops, row[key])][table].append(row)
    return out


def floor_insert(full_db: Path, db_path: Path, multi: bool) -> tuple[float, float, dict]:
    """Replay the intake's rows into a fresh database (see the module doc): chunk by chunk
    as the intake writes them, in one BEGIN IMMEDIATE transaction, the search index filled
    as the intake fills it (insert triggers off, one INSERT .. SELECT per SEARCH_GROUP
    rows), the SO sequence row, the commit."""
    _fresh_database(db_path)
    tables, sequences = _written(full_db)
    chunks = _chunks(tables)
    conn = sqlite3.connect(db_path, isolation_level=None)
    for pragma in ("synchronous=NORMAL", "foreign_keys=ON", f"cache_size=-{CACHE_KIB}"):
        conn.execute(f"PRAGMA {pragma}")
    for table in WRITTEN:
        assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == 0, table
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    sql: dict[tuple[str, int], str] = {}
    for table in WRITTEN:
        cols = tables[table][0]
        one = f"({', '.join('?' * len(cols))})"
        group = min(GROUP, limit // len(cols))
        for size in (group, *(2**k for k in range(7, -1, -1) if 2**k < group)):
            head = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES '
            sql[table, size] = head + ", ".join([one] * size)
    by_table: dict[str, float] = dict.fromkeys([*WRITTEN, *FTS, "commit"], 0.0)
    fts_of = {table: (fts, ", ".join(cols)) for fts, (table, cols) in FTS.items()}
    unindexed: dict[str, list[int]] = {}

    def index(table: str) -> None:
        t0 = time.process_time()
        first, last = unindexed.pop(table)
        fts, names = fts_of[table]
        conn.execute(
            f"INSERT INTO {fts}(rowid, {names}) SELECT id, {names} FROM {table} "
            "WHERE id BETWEEN ? AND ?",
            (first, last),
        )
        by_table[fts] += time.process_time() - t0

    started, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
        f"({', '.join(repr(f'{fts}_ai') for fts in FTS)})"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    for chunk in chunks:
        for table in WRITTEN:
            rows = chunk[table]
            if not rows:
                continue
            t0 = time.process_time()
            if multi and table in MULTI_ROW:  # as `_Compiled.statements` groups them
                start = 0
                for (name, size), text in sql.items():
                    if name != table:
                        continue
                    while len(rows) - start >= size:
                        part = rows[start : start + size]
                        conn.execute(text, [v for row in part for v in row])
                        start += size
            else:
                conn.executemany(sql[table, 1], rows)
            by_table[table] += time.process_time() - t0
            if table in fts_of:  # as `BatchWriter._index_later` queues them
                span = unindexed.setdefault(table, [rows[0][0], rows[0][0]])
                span[1] = rows[-1][0]
                if span[1] - span[0] + 1 >= SEARCH_GROUP:
                    index(table)
    for table in list(unindexed):
        index(table)
    for _, text in triggers:
        conn.execute(text)
    conn.executemany("INSERT OR REPLACE INTO sequence (name, next_value) VALUES (?, ?)", sequences)
    t0 = time.process_time()
    conn.execute("COMMIT")
    by_table["commit"] = time.process_time() - t0
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return elapsed, cpu, by_table


def _count_sqlite_time(spent: dict) -> None:
    """Add up the time the batch spends inside SQLite: the driver's executemany (writing
    the rows, maintaining every index and running the tables' triggers) and filling the
    search indexes (FTS5) with the new customers and sites."""
    from svcdesk.services.orders.intake_io.batch import BatchWriter

    original = BatchWriter._executemany

    def timed(self, table, *args):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(self, table, *args)
        finally:
            spent["wall"] += time.perf_counter() - wall
            spent["cpu"] += time.process_time() - cpu
            spent[table.name] = spent.get(table.name, 0.0) + time.process_time() - cpu

    BatchWriter._executemany = timed

    from svcdesk.db_extras import SearchBacklog

    index = SearchBacklog.index

    def timed_index(self, table, first, last):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return index(self, table, first, last)
        finally:
            spent["wall"] += time.perf_counter() - wall
            spent["cpu"] += time.process_time() - cpu
            key = f"{table}_fts"
            spent[key] = spent.get(key, 0.0) + time.process_time() - cpu

    SearchBacklog.index = timed_index


def full_intake(csv_path: Path, db_path: Path) -> tuple[float, float, object]:
    engine = make_engine(str(db_path))
    with write_session(engine) as s:
        for code in SKILLS:
            technicians.ensure_skill(s, code)
    started, cpu = time.perf_counter(), time.process_time()
    result = run_file_intake(engine, str(csv_path))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu, result


def _child(phase: str, csv_path: Path, db_path: Path, *extra: str) -> dict:
    """Run one phase in a fresh interpreter so its peak memory is its own."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            *("--phase", phase, "--csv", str(csv_path), "--db", str(db_path)),
            *extra,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_phase(phase: str, csv_path: Path, db_path: Path, full_db: Path | None) -> None:
    if phase == "raw":
        wall, cpu = raw_insert(csv_path, db_path)
        extra = {}
    elif phase in ("floor", "floor-multi"):
        wall, cpu, by_table = floor_insert(full_db, db_path, multi=phase == "floor-multi")
        extra = {"tables_cpu": by_table}
    else:
        spent = {"wall": 0.0, "cpu": 0.0}
        _count_sqlite_time(spent)
        wall, cpu, result = full_intake(csv_path, db_path)
        extra = {
            "summary": result.summary(),
            "customers": result.customers_created,
            "sites": result.sites_created,
            "insert_wall": spent.pop("wall"),
            "insert_cpu": spent.pop("cpu"),
            "tables_cpu": spent,
        }
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": peak, **extra}))


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="paired runs; medians are shown")
    ap.add_argument(
        "--plain-floor", action="store_true", help="also replay with plain executemany only"
    )
    ap.add_argument("--keep", help="directory to keep the files in (default: a temp dir)")
    ap.add_argument(
        "--phase", choices=("raw", "full", "floor", "floor-multi"), help=argparse.SUPPRESS
    )
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--full-db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        full_db = Path(args.full_db) if args.full_db else None
        run_phase(args.phase, Path(args.csv), Path(args.db), full_db)
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="svcdesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "intake.csv"
    t0 = time.perf_counter()
    generate(csv_path, args.rows, args.seed)
    size = csv_path.stat().st_size / 1e6
    print(f"generated {args.rows} rows ({size:.1f} MB) in {time.perf_counter() - t0:.1f}s")
    phases = ["raw", "full", "floor-multi"] + (["floor"] if args.plain_floor else [])
    runs: dict[str, list[dict]] = {phase: [] for phase in phases}
    for _ in range(args.repeat):  # paired: each round runs every phase, back to back
        for phase in phases:
            db = work / f"{phase}.db"
            for f in work.glob(db.name + "*"):
                f.unlink()
            extra = ("--full-db", str(work / "full.db")) if phase.startswith("floor") else ()
            runs[phase].append(_child(phase, csv_path, db, *extra))
        load = os.getloadavg()[0]
        for found in runs.values():
            found[-1]["load"] = load
    _report(args.rows, runs)


def _report(n: int, runs: dict[str, list[dict]]) -> None:
    raw, full, floor = runs["raw"], runs["full"], runs["floor-multi"]
    rounds = len(full)
    loads = ", ".join(f"{r['load']:.1f}" for r in full)
    print(f"{rounds} paired round(s), medians (load after each round: {loads}):")
    print(f"{'':26s}   wall s      rows/s    cpu s   peak MB")
    labels = {
        "raw": "raw sqlite3.executemany",
        "full": "svcdesk intake --file",
        "floor-multi": "floor (SQLite alone)",
        "floor": "floor, plain executemany",
    }
    for phase, found in runs.items():
        wall, cpu = _median(found, "wall"), _median(found, "cpu")
        peak = max(r["peak_mb"] for r in found)
        print(f"{labels[phase]:26s}: {wall:7.2f} {n / wall:11,.0f} {cpu:8.2f} {peak:8.0f}")
    last = full[-1]
    print(f"  ({last['summary']}; {last['customers']} customers, {last['sites']} sites created)")
    print(
        f"  inside SQLite's executemany/search-index calls: {_median(full, 'insert_cpu'):.2f}s "
        "cpu (value conversion included)"
    )
    tables = ", ".join(f"{t} {c:.2f}s" for t, c in last["tables_cpu"].items())
    print(f"  intake's SQLite cpu by table (last round): {tables}")
    tables = ", ".join(f"{t} {c:.2f}s" for t, c in floor[-1]["tables_cpu"].items())
    print(f"  floor's cpu by step (last round): {tables}")
    # Ratios per round (each round's phases ran back to back), then their median.
    vs_raw = statistics.median(f["cpu"] / r["cpu"] for f, r in zip(full, raw, strict=True))
    vs_floor = [f["cpu"] / fl["cpu"] for f, fl in zip(full, floor, strict=True)]
    python = [f["cpu"] - fl["cpu"] for f, fl in zip(full, floor, strict=True)]
    floor_raw = statistics.median(fl["cpu"] / r["cpu"] for fl, r in zip(floor, raw, strict=True))
    print(
        f"ratio intake/raw insert: {vs_raw:.1f}x cpu (target <= 8x; the floor alone is "
        f"{floor_raw:.1f}x) {'OK' if vs_raw <= 8 else 'MISSED'}"
    )
    ratio = statistics.median(vs_floor)
    rounds_text = ", ".join(f"{r:.2f}x" for r in vs_floor)
    print(
        f"ratio intake/floor: {ratio:.2f}x cpu (rounds: {rounds_text}; target <= 1.5x) "
        f"{'OK' if ratio <= 1.5 else 'MISSED'}"
    )
    py, fl = statistics.median(python), _median(floor, "cpu")
    print(
        f"  the Python part (intake cpu - floor cpu): {py:.2f}s = {py / n * 1e6:.1f} us a row, "
        f"{py / fl:.2f}x the floor's {fl / n * 1e6:.1f} us a row (target <= 0.5x)"
    )
    peak = max(r["peak_mb"] for r in full)
    print(
        f"peak memory of the intake process: {peak:.0f} MB (target < 300 MB) "
        f"{'OK' if peak < 300 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
