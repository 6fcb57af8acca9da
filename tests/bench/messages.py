"""Outbox benchmark (issue 19): 10,000 reminders due tomorrow, queued and delivered to a
real SMTP server.

    .venv/bin/python tests/bench/messages.py [--visits 10000] [--runs 3]

Set-up (not measured): a fresh database with --visits customers (e-mail, consent), one
site, order and visit each, every visit tomorrow between 08:00 and 17:00; the shop's
e-mail sender is SMTP to an aiosmtpd server in its own process on 127.0.0.1 (no TLS, no
login: the same code path minus the handshake).

Measured where the user feels it: `svcdesk messages send` as cron runs it, in its own
process (SVCDESK_NOW = noon the day before): it queues the reminders (`remind`) and sends
them all over one SMTP connection, batch by batch. Wall time, messages per second, the
child's peak RSS (wait4), and the server's count of received messages (must equal
--visits: nothing lost, nothing doubled). Median of --runs fresh databases.
Target: all sent within 60 s, under 200 MB. Not collected by pytest."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)  # noon in Austin

SERVER = textwrap.dedent(
    """
    import signal, sys, threading
    from aiosmtpd.controller import Controller

    class Count:
        n = 0
        async def handle_DATA(self, server, session, envelope):
            Count.n += 1
            return "250 OK"

    c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
    c.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait()
    c.stop()
    print(Count.n, flush=True)
    """
)


def build(path: Path, visits: int, port: int) -> None:
    from sqlalchemy import insert

    from svcdesk import clock
    from svcdesk.db import make_engine, write_session
    from svcdesk.models import Customer, Site, Visit, WorkOrder
    from svcdesk.models.base import table_of
    from svcdesk.models.messages import MessagePreference
    from svcdesk.services.common.settings import set_setting, shop_zone

    engine = make_engine(str(path))
    clock.freeze(NOW)
    with write_session(engine) as s:
        for key, value in (
            ("messages.email.sender", "smtp"),
            ("messages.smtp.host", "127.0.0.1"),
            ("messages.smtp.port", str(port)),
            ("messages.smtp.security", "none"),
            ("messages.from", "office@bench.example"),
        ):
            set_setting(s, key, value, actor="bench")  # fmt: skip
        zone = shop_zone(s)
        day = (NOW.astimezone(zone) + timedelta(days=1)).date()
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone).replace(hour=8)
        ids = range(1, visits + 1)
        s.execute(insert(table_of(Customer)), [
            {"id": i, "name": f"Customer {i}", "kind": "residential", "email": f"c{i}@bench.example",
             "email_key": f"c{i}@bench.example", "tax_exempt": False, "requires_signature": False,
             "created_at": NOW} for i in ids])  # fmt: skip
        s.execute(insert(table_of(Site)), [
            {"id": i, "customer_id": i, "address": f"{i} Oak St", "city": "Austin", "state": "TX",
             "zip": "78704", "address_key": f"{i} oak st 78704"} for i in ids])  # fmt: skip
        s.execute(insert(table_of(WorkOrder)), [
            {"id": i, "number": f"SO-{i:06d}", "customer_id": i, "site_id": i, "kind": "repair",
             "priority": "normal", "priority_rank": 2, "status": "scheduled", "summary": "AC tune-up",
             "est_minutes": 60, "source": "phone", "created_at": NOW, "updated_at": NOW, "version": 1}
            for i in ids])  # fmt: skip
        s.execute(insert(table_of(Visit)), [
            {"id": i, "order_id": i, "starts_at": start + timedelta(minutes=(i % 18) * 30),
             "ends_at": start + timedelta(minutes=(i % 18) * 30 + 120), "status": "scheduled",
             "created_at": NOW} for i in ids])  # fmt: skip
        s.execute(insert(table_of(MessagePreference)), [
            {"customer_id": i, "consent": True, "channel": "email", "email_opt_out": False,
             "sms_opt_out": False, "updated_at": NOW, "updated_by": "bench"} for i in ids])  # fmt: skip
    engine.dispose()
    clock.freeze(None)


def one_run(visits: int) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from support.smtp import free_port

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="svcdesk-msg-bench-") as tmp:
        db = Path(tmp) / "shop.db"
        build(db, visits, port)
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)],
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        env = dict(os.environ, SVCDESK_DB=str(db), SVCDESK_NOW=NOW.isoformat())
        t0 = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "svcdesk", "messages", "send"], cwd=ROOT,
                                 env=env, stdout=subprocess.PIPE, text=True)  # fmt: skip
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        out = child.stdout.read().strip() if child.stdout else ""
        server.terminate()
        received = int(server.communicate(timeout=30)[0].strip() or 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"messages send failed: {out}")
        return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime,
                "received": received, "out": out}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    runs = [one_run(args.visits) for _ in range(args.runs)]
    for r in runs:
        print(f"  {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, {r['rss_mb']:.0f} MB, "
              f"server got {r['received']:,}: {r['out']}")  # fmt: skip
    wall = statistics.median(r["wall"] for r in runs)
    rss = statistics.median(r["rss_mb"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    ok = all(r["received"] == args.visits for r in runs)
    print()
    print("| what | median | target |")
    print("|---|---|---|")
    print(f"| {args.visits:,} reminders queued + sent (`messages send`) | {wall:.1f} s wall "
          f"({args.visits / wall:,.0f}/s), {cpu:.1f} s CPU | < 60 s |")  # fmt: skip
    print(f"| peak RSS of `messages send` | {rss:.0f} MB | < 200 MB |")
    print(f"| received by the server | {'all, once each' if ok else 'MISMATCH'} | all, once |")
    print(f"\n(load average: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
