"""Intake benchmark: a realistic N-row intake CSV imported through the real service path,
against a plain `sqlite3.executemany` of the same rows into one equivalent table.

    .venv/bin/python tests/bench/intake.py [--rows 100000] [--seed 7] [--keep DIR]

Prints rows/s for both, the ratio (target: full intake within 8x of the raw insert) and
peak memory (ru_maxrss of this process; target < 300 MB). Not collected by pytest."""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from svcdesk.db import make_engine, write_session  # noqa: E402
from svcdesk.services import technicians  # noqa: E402
from svcdesk.services.intake_io import COLUMNS, run_file_intake  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data"
SKILLS = ("hvac", "plumbing", "electrical", "drain", "water_heater", "refrigeration")
PRIORITIES = ("emergency", "high", "normal", "normal", "normal", "low")
SOURCES = ("phone", "portal", "email", "import")
SUFFIX = ("", "", "", " Apt 2", " Suite 110", " Unit B")


def _people() -> tuple[list[str], list[str]]:
    import json

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


def raw_insert(csv_path: Path, db_path: Path) -> float:
    """Plain sqlite3: one table with the file's columns and a unique external_ref."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    cols = ", ".join(f"{c} TEXT" for c in COLUMNS)
    conn.execute(f"CREATE TABLE intake (id INTEGER PRIMARY KEY, {cols})")
    conn.execute("CREATE UNIQUE INDEX ix_intake_ref ON intake (external_ref)")
    marks = ", ".join("?" for _ in COLUMNS)
    started = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO intake ({', '.join(COLUMNS)}) VALUES ({marks})", reader)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def full_intake(csv_path: Path, db_path: Path) -> tuple[float, object]:
    engine = make_engine(str(db_path))
    with write_session(engine) as s:
        for code in SKILLS:
            technicians.ensure_skill(s, code)
    started = time.perf_counter()
    result = run_file_intake(engine, str(csv_path))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", help="directory to keep the files in (default: a temp dir)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="svcdesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "intake.csv"
    t0 = time.perf_counter()
    generate(csv_path, args.rows, args.seed)
    print(f"generated {args.rows} rows ({csv_path.stat().st_size / 1e6:.1f} MB) "
          f"in {time.perf_counter() - t0:.1f}s: {csv_path}")
    for name in ("raw.db", "full.db"):
        for f in work.glob(name + "*"):
            f.unlink()
    raw_s = raw_insert(csv_path, work / "raw.db")
    full_s, result = full_intake(csv_path, work / "full.db")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    raw_rate, full_rate = args.rows / raw_s, args.rows / full_s
    print(f"raw sqlite3.executemany : {raw_s:7.2f}s  {raw_rate:10,.0f} rows/s")
    print(
        f"svcdesk intake --file   : {full_s:7.2f}s  {full_rate:10,.0f} rows/s  "
        f"({result.summary()}; {result.customers_created} customers, "
        f"{result.sites_created} sites)"
    )
    ratio = full_s / raw_s
    print(f"ratio full/raw          : {ratio:.1f}x (target <= 8x) "
          f"{'OK' if ratio <= 8 else 'MISSED'}")
    print(f"peak memory (maxrss)    : {peak_mb:.0f} MB (target < 300 MB) "
          f"{'OK' if peak_mb < 300 else 'MISSED'}")


if __name__ == "__main__":
    main()
