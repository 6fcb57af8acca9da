"""A big shop's database for the benchmarks, written in bulk (not collected by pytest).

    from bigshop import ensure_sqlite, build_postgresql
    path = ensure_sqlite(orders=1_000_000, techs=200)  # cached by size under /tmp/svcdesk-bench

Writes what the services would have written over five years of a shop's life, but with
`executemany` (SQLite) or `COPY` (PostgreSQL, psycopg) instead of one ORM round trip per
row: customers and sites (the FTS5 search rows come from the schema's own triggers on
SQLite; pg_trgm indexes on PostgreSQL), technicians with skills and shifts, and for each
order, in creation order, its whole life up to "now": the `created` event, an optional
hold (paused SLA clock, given back on resume), the booking (`scheduled` + `assigned`
events, a visit, its crew row — never overlapping another visit of the same technician,
so PostgreSQL's exclusion constraint accepts every row), dispatch / en route / on site /
completed (visit progress, an approved work time entry, the SLA outcome), a second visit
for some (needs parts -> on hold -> booked again), follow-ups, possible-recall flags at
the same site, the invoice with lines that add up, payments, and `closed`. Orders
created in the last days stop wherever "now" finds them, which makes the open backlog.
Cancellations write their event and reason. Sequences (SO, INV) end past the last number.
`svcdesk db check` passes on the result (`check()` runs it).

The one thing not modelled is parts (stock moves and balances); the inventory bench
(tests/bench/inventory.py) covers those."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
# work_order columns the `db_facts` trigger keeps from the history (written here directly;
# the trigger is off during the load and back on afterwards, see the sinks)
FACTS = {"on_site": None, "invoiced": None}
YEARS = 5
CHUNK = 20_000  # orders per flush
BENCH_DIR = Path(os.environ.get("SVCDESK_BENCH_TMP", "/tmp/svcdesk-bench"))

SKILLS = ["hvac", "plumbing", "electrical", "refrigeration", "gas", "drain", "water_heater",
          "generator"]  # fmt: skip
STREETS = ["Burnet Rd", "Lamar Blvd", "Congress Ave", "Guadalupe St", "Oltorf St", "Manor Rd",
           "Airport Blvd", "Koenig Ln", "Anderson Ln", "Parmer Ln", "Slaughter Ln",
           "Riverside Dr"]  # fmt: skip
ZIPS = ["78701", "78702", "78703", "78704", "78705", "78721", "78723", "78745", "78751", "78757"]
FIRST = ["James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer",
         "Carlos", "Aisha", "Wei", "Olga", "Samuel", "Priya", "Tomás", "Grace"]  # fmt: skip
LAST = ["Smith", "Garcia", "Nguyen", "Johnson", "Lopez", "Brown", "Patel", "Khan", "Miller",
        "Davis", "Kowalski", "Okafor", "Rossi", "Schmidt", "Tanaka", "Haddad"]  # fmt: skip
PROBLEMS = ["no cooling", "no heat", "leaking", "tripping breaker", "making noise", "clogged",
            "no hot water", "won't start", "smells of gas", "annual check"]  # fmt: skip
PRIORITIES = ["emergency", "high", "normal", "low"]
HOLD_REASONS = ["customer away", "waiting for approval", "waiting for parts"]
LABOR_CENTS = 12500  # an hour
TAX_BP = 825

# Columns written per table (the rest keep their defaults: NULL, or a constant added below).
COLUMNS = {
    "skill": ("id", "code", "name"),
    "technician": ("id", "name", "hourly_cost_cents", "level", "color", "active", "home_lat",
                   "home_lon"),
    "technicianskill": ("technician_id", "skill_id"),
    "shift": ("technician_id", "weekday", "start_minute", "end_minute"),
    "customer": ("id", "name", "kind", "phone", "phone_key", "email", "email_key", "tax_exempt",
                 "requires_signature", "created_at"),
    "tax_zone": ("id", "name", "rate_bp", "active"),
    "site": ("id", "customer_id", "address", "city", "state", "zip", "address_key", "lat", "lon",
             "tax_zone_id"),
    "work_order": ("id", "number", "customer_id", "site_id", "kind", "priority", "priority_rank",
                   "status", "summary", "skill_id", "est_minutes", "sla_due", "source",
                   "hold_reason", "cancel_reason", "created_at", "updated_at", "completed_at",
                   "version", "first_arrival_at", "first_invoiced_at"),
    "order_event": ("order_id", "at", "actor", "kind", "from_status", "to_status", "detail",
                    "data"),
    "visit": ("id", "order_id", "starts_at", "ends_at", "status", "en_route_at", "arrived_at",
              "departed_at", "outcome", "work_performed", "created_at"),
    "visit_technician": ("visit_id", "technician_id", "role", "starts_at", "ends_at", "active",
                         "forced"),
    "order_sla": ("order_id", "policy", "clock", "started_at", "response_minutes",
                  "resolution_minutes", "response_due", "resolution_due", "paused_at",
                  "paused_seconds", "responded_at", "resolved_at", "response_met",
                  "resolution_met"),
    "time_entry": ("technician_id", "order_id", "visit_id", "kind", "starts_at", "ends_at",
                   "source", "approved", "approved_at", "approved_by", "created_at",
                   "created_by"),
    "follow_up": ("order_id", "kind", "due_at", "done_at", "done_by", "created_at"),
    "recall_flag": ("order_id", "original_id", "match", "days_after", "status", "created_at"),
    "invoice": ("id", "number", "customer_id", "site_id", "order_id", "status", "tax_rate_bp",
                "tax_exempt", "discount_bp", "discount_amount_cents", "subtotal_cents",
                "covered_cents", "discount_cents", "tax_cents", "total_cents", "paid_cents",
                "issued_at", "issued_on", "due_on", "paid_at", "created_at", "updated_at",
                "created_by", "version"),
    "invoice_line": ("invoice_id", "position", "kind", "code", "description", "qty_milli",
                     "unit_price_cents", "taxable", "source", "source_id", "coverage_bp",
                     "discount_bp", "discount_amount_cents", "gross_cents", "covered_cents",
                     "discount_cents", "net_cents", "tax_cents", "total_cents"),
    "payment": ("invoice_id", "amount_cents", "method", "received_on", "reference",
                "created_at", "recorded_by"),
    "sequence": ("name", "next_value"),
}  # fmt: skip
WITH_IDS = ("skill", "technician", "customer", "site", "work_order", "visit", "invoice")


def facts_trigger() -> str:
    from svcdesk import db_facts

    assert set(db_facts.FACTS) == set(FACTS), "bigshop.FACTS is behind svcdesk/db_facts.py"
    return db_facts.TRIGGER


# --- sinks: where rows go ------------------------------------------------------------------


class SqliteSink:
    """sqlite3 executemany into a file whose schema the app created (triggers included)."""

    def __init__(self, path: Path):
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.execute("PRAGMA cache_size=-262144")  # 256 MiB for the build
        self.con.execute("PRAGMA foreign_keys=ON")
        # db_facts' row trigger would UPDATE work_order for every on-site/invoiced event;
        # the generator writes the same first times on the order rows instead
        self.con.execute(f"DROP TRIGGER IF EXISTS {facts_trigger()}")
        self.con.execute("BEGIN")

    @staticmethod
    def ts(value: datetime) -> str:  # what SQLAlchemy's SQLite DateTime stores (UTC, naive)
        return value.isoformat(" ", "microseconds")[:26]

    @staticmethod
    def day(value: date) -> str:
        return value.isoformat()

    def write(self, table: str, rows: list[tuple]) -> None:
        if rows:
            cols = COLUMNS[table]
            marks = ",".join("?" * len(cols))
            self.con.executemany(f'INSERT INTO "{table}" ({",".join(cols)}) VALUES ({marks})', rows)

    def commit(self) -> None:
        self.con.execute("COMMIT")
        self.con.execute("BEGIN")

    def finish(self) -> None:
        from svcdesk import db_facts

        self.con.execute(db_facts._sqlite_trigger())
        self.con.execute("COMMIT")
        self.con.execute("ANALYZE")
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.con.close()


class PgSink:
    """psycopg COPY into a PostgreSQL database whose schema the app created."""

    def __init__(self, url: str):
        import psycopg

        self.dsn = url.replace("+psycopg", "")
        self.con = psycopg.connect(self.dsn)
        self.con.execute("SET TIME ZONE 'UTC'")
        # db_facts' row trigger: the generator writes its result on the order rows instead
        self.con.execute(f"ALTER TABLE order_event DISABLE TRIGGER {facts_trigger()}")
        # Foreign keys are checked row by row during COPY (a trigger per row and key); they
        # are dropped for the load and added back at the end, which validates every row
        # in one pass per key (the usual bulk-load order; nothing goes unchecked).
        self.foreign_keys = self.con.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            ([f'"{t}"' if t == "sequence" else t for t in COLUMNS],),
        ).fetchall()
        for table, name, _ in self.foreign_keys:
            self.con.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        self.con.commit()

    @staticmethod
    def ts(value: datetime) -> datetime:
        return value

    @staticmethod
    def day(value: date) -> date:
        return value

    def write(self, table: str, rows: list[tuple]) -> None:
        if rows:
            with self.con.cursor().copy(
                f'COPY "{table}" ({",".join(COLUMNS[table])}) FROM STDIN'
            ) as copy:
                for row in rows:
                    copy.write_row(row)

    def commit(self) -> None:
        self.con.commit()

    def finish(self) -> None:
        for table in WITH_IDS:
            self.con.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        self.con.execute(f"ALTER TABLE order_event ENABLE TRIGGER {facts_trigger()}")
        self.con.commit()
        for table, name, definition in self.foreign_keys:
            self.con.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.con.commit()
        self.con.autocommit = True
        self.con.execute("VACUUM ANALYZE")
        self.con.close()


# --- the shop's life -----------------------------------------------------------------------


class Slots:
    """Visit slots: five two-hour slots a working day (08:00-18:00 shop time), one visit per
    technician per slot, so no technician is ever double-booked."""

    HOURS = (8, 10, 12, 14, 16)

    def __init__(self, techs: int, zone: ZoneInfo, calendar):
        self.techs, self.zone, self.calendar = techs, zone, calendar
        self.used: dict[tuple[date, int], int] = {}
        self.starts: dict[tuple[date, int], datetime] = {}

    def start_of(self, day: date, k: int) -> datetime:
        key = (day, k)
        if key not in self.starts:
            local = datetime(day.year, day.month, day.day, self.HOURS[k], tzinfo=self.zone)
            self.starts[key] = local.astimezone(UTC)
        return self.starts[key]

    def take(self, earliest: datetime) -> tuple[datetime, int]:
        """The first free (slot start, technician id) starting at or after `earliest`."""
        day = earliest.astimezone(self.zone).date()
        while True:
            if day.weekday() < 5:
                for k in range(len(self.HOURS)):
                    start = self.start_of(day, k)
                    used = self.used.get((day, k), 0)
                    if start >= earliest and used < self.techs:
                        self.used[(day, k)] = used + 1
                        tech = (used + day.toordinal() * 11 + k * 7) % self.techs + 1
                        return start, tech
            day += timedelta(days=1)


def half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


class Shop:
    """Generates the rows; `sink` decides how they are stored."""

    def __init__(self, sink, orders: int, techs: int, seed: int, session):
        from svcdesk.services.agreements import sla
        from svcdesk.services.common.settings import get_setting, shop_zone

        self.sink, self.n, self.techs = sink, orders, techs
        self.rng = random.Random(seed)
        self.session = session
        self.zone = shop_zone(session)
        self.clocks = sla.Clocks(session)
        self.policies = {p: sla.shop_policy(session, p) for p in PRIORITIES}
        self.plan = [(k, int(d)) for k, d in
                     (part.split(":") for part in get_setting(session, "followup.plan").split(","))]  # fmt: skip
        self.recall_days = int(get_setting(session, "recall.window_days"))
        session.rollback()  # no read snapshot held open across the build
        self.slots = Slots(techs, self.zone, self.clocks.business)
        self.rows: dict[str, list[tuple]] = {t: [] for t in COLUMNS}
        self.tech_skills: dict[int, tuple[int, int]] = {}
        self.visit_id = self.invoice_id = 0
        self.last_done: dict[int, tuple[int, datetime]] = {}  # site -> (order, completed)
        self.customers: list[tuple[int, str, int]] = []  # (customer id, name, site id)
        self.counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)

    # -- people --------------------------------------------------------------------------

    def people(self) -> None:
        from svcdesk.services.common.normalize import address_key, email_key, phone_key

        rng, t = self.rng, self.sink.ts
        r = self.rows
        r["skill"] = [(i + 1, c, c.replace("_", " ").title()) for i, c in enumerate(SKILLS)]
        r["tax_zone"] = [(1, "Austin", TAX_BP, True)]  # (every site is in zone 1)
        for tech in range(1, self.techs + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} ({tech:03d})"
            r["technician"].append((tech, name, 3000 + 25 * (tech % 40), "tech", "#4e9a06", True,
                                    30.2 + rng.random() / 5, -97.8 + rng.random() / 5))  # fmt: skip
            skills = (tech % 8 + 1, (tech + 3) % 8 + 1)
            self.tech_skills[tech] = skills
            r["technicianskill"] += [(tech, s) for s in skills]
            r["shift"] += [(tech, d, 420, 1080) for d in range(5)]
        n_customers = max(self.n // 5, 10)
        site_id = 0
        first_day = NOW - timedelta(days=YEARS * 365 + 30)
        for c in range(1, n_customers + 1):
            commercial = rng.random() < 0.1
            name = (f"{rng.choice(LAST)} {rng.choice(['Dental', 'Cafe', 'Properties', 'Motors'])}"
                    if commercial else
                    f"{rng.choice(FIRST)} {chr(65 + rng.randrange(26))}. {rng.choice(LAST)}")  # fmt: skip
            phone = f"(512) {c // 10000 % 1000:03d}-{c % 10000:04d}"
            if c >= 10_000_000:
                phone = f"(737) {c // 10000 % 1000:03d}-{c % 10000:04d}"
            email = f"{name.split()[0].lower()}.{c}@example.com" if rng.random() < 0.6 else None
            r["customer"].append((c, name, "commercial" if commercial else "residential", phone,
                                  phone_key(phone), email, email_key(email), False, commercial,
                                  t(first_day)))  # fmt: skip
            for _ in range(2 if commercial else 1):
                site_id += 1
                address = f"{rng.randint(100, 9999)} {rng.choice(STREETS)}"
                zip_code = rng.choice(ZIPS)
                r["site"].append((site_id, c, address, "Austin", "TX", zip_code,
                                  address_key(address, zip_code, "Austin"),
                                  30.2 + rng.random() / 5, -97.8 + rng.random() / 5, 1))  # fmt: skip
                self.customers.append((c, name, site_id))
        self.flush()

    # -- orders --------------------------------------------------------------------------

    def orders(self, progress: Callable[[int], None]) -> None:
        rng = self.rng
        span = YEARS * 365 * 86400
        offsets = sorted(rng.randrange(span) for _ in range(self.n))
        start = NOW - timedelta(seconds=span)
        for i, offset in enumerate(offsets, start=1):
            self.order(i, start + timedelta(seconds=offset, microseconds=rng.randrange(1000000)))
            if i % CHUNK == 0:
                self.flush()
                from svcdesk.services.agreements import sla

                self.clocks = sla.Clocks(self.session)  # its memo grows with every moment
                self.session.rollback()  # no read snapshot held open across the build
                progress(i)
        self.flush()
        self.sink.write("sequence", [("SO", self.n + 1), ("INV", self.invoice_id + 1)])
        self.sink.commit()

    def ev(self, oid, at, kind, frm=None, to=None, detail=None, data=None, actor="dispatcher"):
        if at <= NOW:
            self.last_at = at
            self.changes += to is not None
            if to in self.facts and kind == "status" and self.facts[to] is None:
                self.facts[to] = at
            self.rows["order_event"].append(
                (
                    oid,
                    self.sink.ts(at),
                    actor,
                    kind,
                    frm,
                    to,
                    detail,
                    json.dumps(data, sort_keys=True, default=str) if data else None,
                )  # fmt: skip
            )
            return True
        return False

    def order(self, oid: int, created: datetime) -> None:
        from svcdesk.services.common.sequences import format_number

        rng, t = self.rng, self.sink.ts
        cust, cust_name, site = self.customers[rng.randrange(len(self.customers))]
        prio = rng.choices(range(4), weights=[5, 20, 60, 15])[0]
        priority = PRIORITIES[prio]
        policy = self.policies[priority]
        counter = self.clocks.get(policy.clock)
        response_due = counter.add(created, policy.response_minutes * 60)
        resolution_due = counter.add(created, policy.resolution_minutes * 60)
        problem = rng.choice(PROBLEMS)
        kind = "maintenance" if problem == "annual check" else "repair"
        status, hold_reason, cancel_reason, completed = "new", None, None, None
        paused_at, paused_seconds, responded, resolved = None, 0, None, None
        skill = rng.randint(1, len(SKILLS))
        self.last_at, self.changes = created, 0
        self.facts = dict.fromkeys(FACTS)  # db_facts: first on_site / invoiced event time
        self.ev(oid, created, "created", None, "new", f"{priority} {kind} for {cust_name}",
                {"external_ref": None, "source": "phone"})  # fmt: skip
        # intake's order hook: a possible recall when the site's last job ended recently
        last = self.last_done.get(site)
        if last is not None and timedelta(0) <= created - last[1] <= timedelta(
            days=self.recall_days
        ):
            days = (created - last[1]).days
            self.rows["recall_flag"].append((oid, last[0], "site", days, "possible", t(created)))
            self.ev(oid, created, "recall",
                    detail=f"possible recall of {format_number('SO', last[0])} (same site, {days} days)",
                    actor="system")  # fmt: skip

        def move(at, to, detail=None):
            nonlocal status
            if self.ev(oid, at, "status", status, to, detail):
                status = to
                return True
            return False

        def hold(at, reason, until):
            nonlocal paused_at, paused_seconds, response_due, resolution_due, hold_reason
            if not move(at, "on_hold", reason):
                return False
            hold_reason = reason
            if until > NOW:
                paused_at = at
                return False
            c = self.clocks.get(policy.clock)
            if responded is None and response_due > at:
                response_due = c.add(until, c.seconds_between(at, response_due))
            if resolved is None and resolution_due > at:
                resolution_due = c.add(until, c.seconds_between(at, resolution_due))
            paused_seconds += int((until - at).total_seconds())
            hold_reason = None
            return True

        cancelled = rng.random() < 0.04
        booked_at = created + timedelta(minutes=rng.randint(5, 240))
        if not cancelled and rng.random() < 0.03:  # held before booking
            until = created + timedelta(hours=rng.randint(20, 200))
            if hold(created + timedelta(minutes=rng.randint(5, 60)), rng.choice(HOLD_REASONS[:2]),
                    until):  # fmt: skip
                booked_at = until
            else:
                booked_at = None
        if cancelled:
            cancel_reason = "customer cancelled"
            move(created + timedelta(hours=rng.randint(1, 30)), "cancelled", cancel_reason)
            booked_at = None
        visits_left = 2 if rng.random() < 0.1 else 1
        tech = None
        while booked_at is not None and booked_at <= NOW and visits_left:
            visits_left -= 1
            earliest = booked_at + (timedelta(hours=2) if prio == 0 else timedelta(hours=14))
            vs, tech = self.slots.take(earliest)
            skill = self.tech_skills[tech][oid % 2]
            minutes = rng.choice((30, 45, 60, 60, 90, 110))
            ve = vs + timedelta(minutes=minutes)
            self.visit_id += 1
            vid = self.visit_id
            move(booked_at, "scheduled", "visit booked")
            local = vs.astimezone(self.zone)
            self.ev(oid, booked_at, "assigned",
                    detail=f"visit {local:%Y-%m-%d %H:%M}-{ve.astimezone(self.zone):%H:%M} tech {tech}",
                    data={"technicians": [tech], "visit_id": vid})  # fmt: skip
            dispatched, en_route = vs - timedelta(minutes=50), vs - timedelta(minutes=25)
            needs_parts = visits_left > 0
            outcome = "needs_parts" if needs_parts else "fixed"
            v_status = "scheduled"
            stamps = {"en_route_at": None, "arrived_at": None, "departed_at": None}
            if move(dispatched, "dispatched"):
                v_status = "dispatched"
            if move(en_route, "en_route"):
                v_status, stamps["en_route_at"] = "en_route", en_route
            if move(vs, "on_site"):
                v_status, stamps["arrived_at"] = "on_site", vs
                if responded is None:
                    responded = vs
            if ve <= NOW:
                v_status, stamps["departed_at"] = "completed", ve
                self.rows["time_entry"].append(
                    (tech, oid, vid, "work", t(vs), t(ve), "auto", ve + timedelta(days=1) <= NOW,
                     t(ve + timedelta(days=1)) if ve + timedelta(days=1) <= NOW else None,
                     "office" if ve + timedelta(days=1) <= NOW else None, t(ve), "tech"))  # fmt: skip
            self.rows["visit"].append(
                (vid, oid, t(vs), t(ve), v_status,
                 *(t(stamps[k]) if stamps[k] else None for k in stamps),
                 outcome if ve <= NOW else None,
                 f"{problem}: {'diagnosed, part ordered' if needs_parts else 'repaired'}"
                 if ve <= NOW else None, t(booked_at)))  # fmt: skip
            self.rows["visit_technician"].append((vid, tech, "lead", t(vs), t(ve), True, False))
            if ve > NOW:
                break
            if needs_parts:
                until = ve + timedelta(days=rng.randint(1, 6))
                booked_at = until if hold(ve, "waiting for parts", until) else None
            else:
                move(ve, "completed", "work done")
                completed = resolved = ve
        if responded is not None and resolved is None and status == "completed":
            resolved = completed
        # SLA clock (sla.start_clock + on_status_change: outcomes, pauses, the mirror)
        self.rows["order_sla"].append(
            (
                oid,
                policy.source,
                policy.clock,
                t(created),
                policy.response_minutes,
                policy.resolution_minutes,
                t(response_due),
                t(resolution_due),
                t(paused_at) if paused_at else None,
                paused_seconds,
                t(responded) if responded else None,
                t(resolved) if resolved else None,
                None if responded is None else responded <= response_due,
                None if resolved is None else resolved <= resolution_due,
            )  # fmt: skip
        )
        sla_due = response_due if responded is None else resolution_due
        if completed is not None:
            for fkind, days in self.plan:
                due = completed + timedelta(days=days)
                done = due + timedelta(hours=rng.randint(1, 48))
                done = done if done <= NOW else None
                self.rows["follow_up"].append(
                    (
                        oid,
                        fkind,
                        t(due),
                        t(done) if done else None,
                        "office" if done else None,
                        t(completed),
                    )  # fmt: skip
                )
            self.invoice(oid, cust, site, completed, move)
        if completed is not None:
            self.last_done[site] = (oid, completed)
        self.rows["work_order"].append(
            (
                oid,
                format_number("SO", oid),
                cust,
                site,
                kind,
                priority,
                prio,
                status,
                f"{SKILLS[skill - 1].replace('_', ' ')}: {problem}",
                skill,
                60,
                t(sla_due),
                "phone",
                hold_reason,
                cancel_reason,
                t(created),
                t(self.last_at),
                t(completed) if completed else None,
                self.changes,
                *(t(self.facts[k]) if self.facts[k] else None for k in FACTS),
            )
        )

    def invoice(self, oid, cust, site, completed, move) -> None:
        """Invoice the order a day or two after completion; paid (and the order closed) two
        to five weeks later when that is in the past."""
        from svcdesk.services.common.sequences import format_number

        rng, t, day = self.rng, self.sink.ts, self.sink.day
        issued = completed + timedelta(hours=rng.randint(18, 60))
        if issued > NOW:
            return
        self.invoice_id += 1
        iid = self.invoice_id
        number = format_number("INV", iid)
        lines = []
        minutes = rng.choice((30, 45, 60, 60, 90, 110))
        qty = half_up(minutes * 1000, 60)
        lines.append(("labor", "LAB", f"Labor, {minutes} min", qty, LABOR_CENTS, "time_entry"))
        if rng.random() < 0.5:
            price = rng.choice((2500, 4900, 8900, 18500))
            lines.append(("part", "PRT", "Replacement part", 1000, price, "part_usage"))
        lines.append(("fee", "TRIP", "Trip charge", 1000, 6900, "price_book"))
        sub = tax = total = 0
        for pos, (kind, code, desc, q, unit, source) in enumerate(lines, start=1):
            gross = half_up(q * unit, 1000)
            line_tax = half_up(gross * TAX_BP, 10000)
            sub, tax, total = sub + gross, tax + line_tax, total + gross + line_tax
            self.rows["invoice_line"].append(
                (
                    iid,
                    pos,
                    kind,
                    code,
                    desc,
                    q,
                    unit,
                    True,
                    source,
                    None,
                    0,
                    0,
                    0,
                    gross,
                    0,
                    0,
                    gross,
                    line_tax,
                    gross + line_tax,
                )  # fmt: skip
            )
        move(issued, "invoiced", number)
        issued_on = issued.astimezone(self.zone).date()
        paid_at = issued + timedelta(days=rng.randint(10, 35), hours=rng.randint(0, 8))
        paid = paid_at <= NOW
        if paid:
            self.rows["payment"].append(
                (
                    iid,
                    total,
                    rng.choice(("check", "card", "ach")),
                    day(paid_at.astimezone(self.zone).date()),
                    None,
                    t(paid_at),
                    "office",
                )  # fmt: skip
            )
            move(paid_at, "closed", f"{number} paid")
        self.rows["invoice"].append(
            (
                iid,
                number,
                cust,
                site,
                oid,
                "paid" if paid else "sent",
                TAX_BP,
                False,
                0,
                0,
                sub,
                0,
                0,
                tax,
                total,
                total if paid else 0,
                t(issued),
                day(issued_on),
                day(issued_on + timedelta(days=30)),
                t(paid_at) if paid else None,
                t(issued),
                t(paid_at if paid else issued),
                "office",
                1,
            )  # fmt: skip
        )

    def flush(self) -> None:
        for table, rows in self.rows.items():
            self.sink.write(table, rows)
            self.counts[table] += len(rows)
            rows.clear()
        self.sink.commit()


# --- entry points --------------------------------------------------------------------------


def build(url: str, orders: int, techs: int, seed: int = 1, log=print) -> dict[str, int]:
    """Create the schema through the app (migrations, triggers, PostgreSQL extras) and fill
    it; returns row counts per table."""
    from sqlmodel import Session

    from svcdesk import clock
    from svcdesk.db import make_engine

    clock.freeze(NOW)
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    sink = SqliteSink(Path(engine.url.database)) if sqlite else PgSink(url)
    t0 = time.perf_counter()
    with Session(engine) as session:
        shop = Shop(sink, orders, techs, seed, session)
        shop.people()
        log(f"  people: {time.perf_counter() - t0:.1f} s")
        shop.orders(lambda i: log(f"  orders {i:,}: {time.perf_counter() - t0:.1f} s"))
    engine.dispose()
    sink.finish()
    log(f"  built in {time.perf_counter() - t0:.1f} s")
    return shop.counts


def ensure_sqlite(
    orders: int, techs: int, path: Path | None = None, log=print, tiles: int = 1
) -> Path:
    """The cached SQLite database of this size (built under a temp name, then renamed, so a
    killed build never leaves a half database that looks finished).

    `tiles` > 1: the generator writes one shop of orders/tiles orders and techs/tiles
    technicians (same load per technician, same five years), which `tile()` then copies
    tiles-1 times in SQL with every id shifted (new technicians, customers, sites, orders,
    visits, invoices). The result has the size and per-technician shape of the full shop
    (each technician's five years of visits, today's bookings, ~4.5 orders a site) in
    minutes instead of an hour: the Python generator writes ~200 orders/s on this
    machine, the copy ~10k orders/s. The copies repeat the first shop's calendar."""
    if tiles > 1:
        if orders % tiles or techs % tiles:
            raise ValueError(f"orders and techs must be multiples of tiles ({tiles})")
        path = path or BENCH_DIR / f"scale-{orders}-{techs}-x{tiles}.db"
        if path.exists():
            return path
        base = ensure_sqlite(orders // tiles, techs // tiles, log=log)
        tmp = path.with_name(path.name + ".part")
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        log(f"tiling {base} x{tiles} into {path} ...")
        t0 = time.perf_counter()
        con = sqlite3.connect(base)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        shutil.copy(base, tmp)
        tile(tmp, tiles, log=log)
        log(f"  tiled in {time.perf_counter() - t0:.1f} s")
        tmp.replace(path)
        return path
    path = path or BENCH_DIR / f"scale-{orders}-{techs}.db"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    log(f"building {path} ({orders:,} orders, {techs} technicians) ...")
    build(str(tmp), orders, techs, log=log)
    tmp.replace(path)
    return path


# Per tiled table: column -> the id space it refers to (shifted by copy * that space's size).
# Columns not named are copied as they are (times, amounts, skills, the tax zone).
TILE_REFS = {
    "technician": {"id": "technician"},
    "technicianskill": {"technician_id": "technician"},
    "shift": {"technician_id": "technician"},
    "customer": {"id": "customer"},
    "site": {"id": "site", "customer_id": "customer"},
    "work_order": {"id": "work_order", "customer_id": "customer", "site_id": "site"},
    "order_event": {"order_id": "work_order"},
    "visit": {"id": "visit", "order_id": "work_order"},
    "visit_technician": {"visit_id": "visit", "technician_id": "technician"},
    "order_sla": {"order_id": "work_order"},
    "time_entry": {"technician_id": "technician", "order_id": "work_order", "visit_id": "visit"},
    "follow_up": {"order_id": "work_order"},
    "recall_flag": {"order_id": "work_order", "original_id": "work_order"},
    "invoice": {"id": "invoice", "customer_id": "customer", "site_id": "site",
                "order_id": "work_order"},
    "invoice_line": {"invoice_id": "invoice"},
    "payment": {"invoice_id": "invoice"},
}  # fmt: skip
# Columns whose value is derived from the (shifted) id, as the generator makes them.
TILE_DERIVED = {
    ("technician", "name"): "substr(name, 1, length(name) - 5) || printf('(%03d)', id + :technician)",
    ("customer", "phone"): "tile_phone(id + :customer)",
    ("customer", "phone_key"): "tile_phone_key(id + :customer)",
    ("customer", "email"): "tile_email(email, id + :customer)",
    ("customer", "email_key"): "tile_email(email_key, id + :customer)",
    ("work_order", "number"): "printf('SO-%06d', id + :work_order)",
    ("invoice", "number"): "printf('INV-%06d', id + :invoice)",
}  # fmt: skip


def _phone(c: int) -> str:
    area = "737" if c >= 10_000_000 else "512"
    return f"({area}) {c // 10000 % 1000:03d}-{c % 10000:04d}"


def tile(path: Path, tiles: int, log=print) -> None:
    """Append tiles-1 copies of the shop in `path` with shifted ids (see ensure_sqlite), one
    transaction per copy (a killed run leaves only a `.part` file). The search-row triggers
    run for every copied row; db_facts' and the change-marker triggers are off during the
    copy (the copied rows carry their values) and put back at the end."""
    from svcdesk import db_changes, db_facts
    from svcdesk.services.common.normalize import phone_key

    con = sqlite3.connect(path, isolation_level=None)
    con.create_function("tile_phone", 1, _phone, deterministic=True)
    con.create_function("tile_phone_key", 1, lambda c: phone_key(_phone(c)), deterministic=True)
    con.create_function(
        "tile_email", 2,
        lambda e, c: None if e is None else f"{e.split('.', 1)[0]}.{c}@example.com",
        deterministic=True,
    )  # fmt: skip
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    sizes = {t: con.execute(f'SELECT max(id) FROM "{t}"').fetchone()[0] for t in WITH_IDS}
    # change markers: the copies carry theirs (shifted past every original) instead of the
    # per-row triggers, which tripled the copy's time; install_sqlite puts them back
    tracked = set(db_changes.tracked_tables())
    seq = con.execute(f"SELECT value FROM {db_changes.COUNTER}").fetchone()[0]
    con.execute(f"DROP TRIGGER IF EXISTS {facts_trigger()}")
    for name in db_changes.sqlite_triggers():
        con.execute(f"DROP TRIGGER IF EXISTS {name}")
    con.execute("BEGIN")
    took: dict[str, float] = {}
    for copy in range(1, tiles):
        shift = {space: copy * size for space, size in sizes.items()} | {"seq": copy * seq}
        for table, refs in TILE_REFS.items():
            cols = COLUMNS[table] + (("change_seq",) if table in tracked else ())
            exprs = [
                TILE_DERIVED.get((table, c))
                or (f"{c} + :{refs[c]}" if c in refs else "change_seq + :seq" if c == "change_seq" else c)
                for c in cols
            ]  # fmt: skip
            t_table = time.perf_counter()
            con.execute(
                f'INSERT INTO "{table}" ({",".join(cols)}) '
                f'SELECT {",".join(exprs)} FROM "{table}" WHERE {"id" if "id" in refs else next(iter(refs))} <= :limit',
                {**shift, "limit": sizes[refs["id" if "id" in refs else next(iter(refs))]]},
            )
            took[table] = took.get(table, 0.0) + time.perf_counter() - t_table
        con.execute("COMMIT")  # one transaction per copy: the WAL is checkpointed as it goes
        con.execute("BEGIN")  # (one for all grew a 4 GB WAL and slowed every later copy)
        log(f"  copy {copy + 1} of {tiles}")
    log("  seconds per table: " + ", ".join(f"{t} {s:.1f}" for t, s in took.items()))
    total = {t: con.execute(f'SELECT max(id) FROM "{t}"').fetchone()[0] for t in WITH_IDS}
    con.execute("UPDATE sequence SET next_value = ? WHERE name = 'SO'", (total["work_order"] + 1,))
    con.execute("UPDATE sequence SET next_value = ? WHERE name = 'INV'", (total["invoice"] + 1,))
    con.execute(f"UPDATE {db_changes.COUNTER} SET value = ?", (tiles * seq,))
    con.execute(db_facts._sqlite_trigger())
    for sql in db_changes.sqlite_triggers().values():
        con.execute(sql)
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def check(url: str) -> list[str]:
    """`svcdesk db check` on the built database, plus the `db_facts` columns against the
    history they summarise: the lines of whatever failed."""
    from sqlalchemy import text

    from svcdesk import db_facts
    from svcdesk.db import make_engine, read_session
    from svcdesk.services.common.integrity import run_checks

    engine = make_engine(url)
    differs = "IS NOT" if engine.dialect.name == "sqlite" else "IS DISTINCT FROM"
    with read_session(engine) as session:
        problems = [f"{r.name}: {p}" for r in run_checks(session) for p in r.problems]
        for status, column in db_facts.FACTS.items():
            wrong = session.execute(
                text(
                    f"SELECT count(*) FROM work_order w WHERE w.{column} {differs} "
                    "(SELECT min(e.at) FROM order_event e WHERE e.order_id = w.id "
                    f"AND e.kind = 'status' AND e.to_status = '{status}')"
                )
            ).scalar_one()
            if wrong:
                problems.append(f"{column}: {wrong} orders differ from their history")
    engine.dispose()
    return problems
