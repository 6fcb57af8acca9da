"""Field app benchmark (issue 16): the technicians' phones against a big shop.

    .venv/bin/python tests/bench/field.py --orders 1000000 --techs 200 --tiles 10
    .venv/bin/python tests/bench/field.py --orders 100000 --techs 200 --seconds 60

1. Server-side time of My day and of a job page for every technician (p50/p95 over
   --runs pages): the read model alone (services/execution/field_app) and the whole
   request in-process (cookie check, read model, Jinja2 page) through the ASGI app.
2. Load: the real `svcdesk serve` (--workers uvicorn processes, default 1) on
   127.0.0.1; every technician's phone polls My day every --poll seconds (phases spread
   evenly), and --rate status taps per second (open the job page, then en route or
   arrived) for --seconds; a bounded asyncio + httpx client (at most --connections
   sockets). Each phone sends the last ETag of its list (If-None-Match), as its browser
   does; a 304 counts as an answer. Counts errors (anything but 200/303/304, or a
   transport error) and prints p50/p95/max per kind of request.

The database is bigshop's (cached under /tmp/svcdesk-bench by size; --db reuses a file).
The server runs with SVCDESK_NOW at bigshop's "now", so today's visits are the ones the
history left booked. Prints a Markdown table for docs/performance.md. Not collected by
pytest."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigshop  # noqa: E402
from bigshop import NOW  # noqa: E402

from svcdesk import clock  # noqa: E402
from svcdesk.db import make_engine, read_session, write_session  # noqa: E402

FIELD = re.compile(r'name="(csrf|idem|version)" value="([^"]+)"')


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(len(values) * p)) - 1))] if values else 0.0


def devices_for_all(engine) -> dict[int, str]:
    """A signed-in phone for every active technician: technician id -> cookie token."""
    from sqlmodel import select

    from svcdesk.models import Technician
    from svcdesk.services.crm import devices

    tokens = {}
    with write_session(engine) as s:
        for tech in s.exec(select(Technician).where(Technician.active == True)):  # noqa: E712
            link = devices.create_enrolment(s, tech, actor="bench")
            _device, raw = devices.redeem_enrolment(s, link.token, label="bench")
            tokens[tech.id] = raw
    return tokens


def book_taps(engine, tokens: dict[int, str], count: int) -> list[tuple[int, int]]:
    """`count` new orders (at existing customers' sites), each booked for today with a
    technician who has no running time entry (one on site elsewhere can't go en route:
    their time entries would overlap), so the load has visits to tap en route and then
    arrived. Returns (technician, visit)."""
    from datetime import timedelta

    from sqlmodel import col, select

    from svcdesk.models import Site, Technician
    from svcdesk.models.execution import TimeEntry
    from svcdesk.services.orders import intake, scheduling

    booked = []
    with write_session(engine) as s:
        busy = set(s.exec(select(TimeEntry.technician_id).where(col(TimeEntry.ends_at).is_(None))))
        free = [t for t in tokens if t not in busy]
        sites = s.exec(select(Site).limit(count)).all()
        for i, site in enumerate(sites):
            order, _ = intake.create_order(
                s,
                intake.IntakeRequest(summary=f"Bench tap {i}", customer_id=site.customer_id,
                                     site_id=site.id, est_minutes=30),
            )  # fmt: skip
            tech = s.get(Technician, free[i % len(free)])
            start = NOW + timedelta(hours=3, minutes=40 * (i // len(free)))
            visit = scheduling.book_visit(s, order, [tech], start, 30, force=True, actor="bench")
            booked.append((tech.id, visit.id))
    return booked


def server_side(engine, tokens: dict[int, str], runs: int) -> tuple[list[tuple], list[tuple]]:
    """(rows, visits): timings of the read models and of whole in-process requests."""
    from fastapi.testclient import TestClient

    from svcdesk.services.execution import field_app
    from svcdesk.web import create_app

    techs = list(tokens)
    visits: list[tuple[int, int]] = []  # (tech, visit) of today, for the job page
    day_ms, job_ms, stamp_ms = [], [], []
    cpu: dict[str, list[float]] = {}  # the same, CPU time of the process (load-independent)

    def timed(into: list[float], name: str, call, *args):
        c, t = time.process_time(), time.perf_counter()
        out = call(*args)
        into.append((time.perf_counter() - t) * 1000)
        cpu.setdefault(name, []).append((time.process_time() - c) * 1000)
        return out

    for i in range(runs):
        tech = techs[i % len(techs)]
        with read_session(engine) as s:
            day = timed(day_ms, "My day, read model", field_app.my_day, s, tech)
            timed(stamp_ms, "My day stamp (a 304)", field_app.day_stamp, s, tech)
            for v in day.today:
                visits.append((tech, v.visit_id))
            if day.today:
                first = day.today[0].visit_id
                timed(job_ms, "job page, read model", field_app.job, s, tech, first)
    client = TestClient(create_app(engine))
    req_day, req_job = [], []
    for i in range(runs):
        tech = techs[i % len(techs)]
        client.cookies.set("svcdesk_field", tokens[tech])
        r = timed(req_day, "My day, whole request (in-process)", client.get, "/day")
        assert r.status_code == 200, r.status_code
    for tech, visit in visits[:runs]:
        client.cookies.set("svcdesk_field", tokens[tech])
        path = f"/visits/{visit}"
        r = timed(req_job, "job page, whole request (in-process)", client.get, path)
        assert r.status_code == 200, r.status_code
    rows = [
        ("My day, read model", day_ms),
        ("My day stamp (a 304)", stamp_ms),
        ("job page, read model", job_ms),
        ("My day, whole request (in-process)", req_day),
        ("job page, whole request (in-process)", req_job),
    ]
    return rows, cpu, visits


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(
    base: str, tokens, visits, seconds: float, poll: float, rate: float, connections: int
):
    import httpx

    lat: dict[str, list[float]] = {"poll My day": [], "open job": [], "status tap": []}
    errors: list[str] = []
    unchanged: list[int] = []  # polls answered 304 (the list had not changed)
    # keep-alive shorter than uvicorn's 5 s, as a browser does: no reuse of a socket the
    # server is closing at that moment (a ReadError that is the client's race, not an error)
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=3
    )
    start = time.perf_counter()
    end = start + seconds

    async def timed(kind, call):
        t = time.perf_counter()
        try:
            r = await call()
        except httpx.HTTPError as exc:
            errors.append(f"{kind}: {type(exc).__name__}")
            return None
        lat[kind].append((time.perf_counter() - t) * 1000)
        if r.status_code not in (200, 303, 304):
            errors.append(f"{kind}: HTTP {r.status_code}")
        return r

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as shared:

        async def phone(i: int, tech: int):
            await asyncio.sleep(poll * i / len(tokens))  # phases spread over one period
            cookies = {"svcdesk_field": tokens[tech]}
            etag: dict[str, str] = {}  # what the phone's browser keeps: the last ETag
            while time.perf_counter() < end:
                tick = time.perf_counter()
                r = await timed("poll My day", lambda: shared.get(
                    "/day/list", cookies=cookies, headers=etag and {"If-None-Match": etag["tag"]}))  # fmt: skip
                if r is not None and r.status_code == 304:
                    unchanged.append(1)
                elif r is not None and "etag" in r.headers:
                    etag["tag"] = r.headers["etag"]
                wait = min(poll - (time.perf_counter() - tick), end - time.perf_counter())
                await asyncio.sleep(max(0.0, wait))

        async def tap(tech: int, visit: int, step: str) -> None:
            cookies = {"svcdesk_field": tokens[tech]}
            r = await timed("open job", lambda: shared.get(f"/visits/{visit}", cookies=cookies))
            marker = 'id="form-status"' if step == "en_route" else 'id="form-arrived"'
            if r is None or r.status_code != 200 or marker not in r.text:
                return  # this visit can't take that step (already moving or done)
            form = r.text[r.text.index(marker) :]
            fields = dict(FIELD.findall(form[: form.find("</form>")]))
            data = {**fields, "step": step, "eta": "20"}
            await timed("status tap",
                        lambda: shared.post(f"/visits/{visit}/status", data=data, cookies=cookies))  # fmt: skip

        async def visit_taps(tech: int, visit: int) -> None:
            await tap(tech, visit, "en_route")
            await asyncio.sleep(1.0 / rate)
            await tap(tech, visit, "arrived")

        async def taps():
            # open loop: a visit starts every 2/rate s (en route, then arrived 1/rate s
            # later), whatever the answers' latency, so the server gets `rate` changes/s
            running = []
            for k, (tech, visit) in enumerate(visits):
                due = start + k * 2.0 / rate
                if due >= end:
                    break
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                running.append(asyncio.create_task(visit_taps(tech, visit)))
            await asyncio.gather(*running)

        await asyncio.gather(*(phone(i, t) for i, t in enumerate(tokens)), taps())
    return lat, errors, len(unchanged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--techs", type=int, default=200)
    parser.add_argument("--db", type=Path, help="Use (a copy of) this SQLite file.")
    parser.add_argument("--tiles", type=int, default=1,
                        help="Build the shop as this many id-shifted copies (bigshop.tile).")  # fmt: skip
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--poll", type=float, default=15)
    parser.add_argument("--rate", type=float, default=1.0, help="Status taps per second.")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1, help="svcdesk serve --workers N.")
    args = parser.parse_args()

    source = args.db or bigshop.ensure_sqlite(args.orders, args.techs, tiles=args.tiles)
    work = Path("/tmp/svcdesk-bench") / f"field-{os.getpid()}.db"
    work.parent.mkdir(parents=True, exist_ok=True)
    import shutil

    shutil.copy(source, work)
    try:
        clock.freeze(NOW)
        engine = make_engine(str(work))
        tokens = devices_for_all(engine)
        extra = book_taps(engine, tokens, int(args.seconds * args.rate) // 2 + 5)
        rows, cpu, visits = server_side(engine, tokens, args.runs)
        engine.dispose()
        print(f"\n{len(tokens)} technicians, {len(visits)} of today's visits seen "
              f"({len(extra)} booked for the status taps)\n")  # fmt: skip
        print("| server side | runs | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, ms in rows:
            c = cpu[name]
            print(
                f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {pct(ms, 0.95):.1f} | "
                f"{max(ms):.1f} | {statistics.median(c):.1f} | {pct(c, 0.95):.1f} |"
            )

        port = _free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), SVCDESK_NOW=NOW.isoformat())
        proc = subprocess.Popen(
            [sys.executable, "-m", "svcdesk", "--db", str(work), "serve", "--port", str(port),
             "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            for _ in range(300):
                try:
                    httpx.get(f"{base}/static/field.css", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            # taps on visits still to travel to, spread over technicians
            seen, order = set(), []
            for tech, visit in extra:
                if visit not in seen:
                    seen.add(visit)
                    order.append((tech, visit))
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            lat, errors, unchanged = asyncio.run(
                load(base, tokens, order, args.seconds, args.poll, args.rate, args.connections)
            )
            wall = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(10)
        print(f"\nload: {len(tokens)} phones polling every {args.poll:g} s + {args.rate:g} status "
              f"tap/s for {wall:.0f} s, {args.workers} server process(es); client CPU {time.process_time() - cpu0:.1f} s\n")  # fmt: skip
        print("| request | count | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        for name, ms in lat.items():
            if ms:
                print(
                    f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {pct(ms, 0.95):.1f} | {max(ms):.1f} |"
                )
        every = [m for ms in lat.values() for m in ms]
        print(
            f"| all | {len(every)} | {statistics.median(every):.1f} | {pct(every, 0.95):.1f} | {max(every):.1f} |"
        )
        print(f"\npolls answered 304 (unchanged): {unchanged} of {len(lat['poll My day'])}")
        print(f"\nerrors: {len(errors)}" + (f" (first: {errors[:5]})" if errors else ""))
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
        # the copy of an older cache was upgraded on open, next to a full backup of it
        for backup in work.parent.glob(f"{work.name}.pre-upgrade-*"):
            backup.unlink()


if __name__ == "__main__":
    main()
