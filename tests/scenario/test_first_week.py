"""A real shop's first week from an EMPTY database, through the CLI only (issue 14).

Every step is also tried once with a bad input: one `error:` line, exit 1, and not one
row of any table changed (`dump` reads every table of the SQLite file in sorted order).
The clock starts at conftest's FROZEN_NOW (Wed 2026-11-25 08:00 Austin) and is moved
forward as the week goes by.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from svcdesk import clock
from tests.conftest import FROZEN_NOW

runner = CliRunner()


def dump(path) -> dict[str, list[tuple]]:
    """Every row of every table of the SQLite file, sorted (the database's whole state)."""
    conn = sqlite3.connect(str(path))
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        return {
            t: sorted((conn.execute(f'SELECT * FROM "{t}"').fetchall()), key=repr) for t in tables
        }
    finally:
        conn.close()


class Shop:
    def __init__(self, path):
        self.path = path

    def run(self, *args):
        from svcdesk.cli.main import app

        return runner.invoke(app, ["--db", str(self.path), "--as", "dana", *args])

    def ok(self, *args) -> str:
        r = self.run(*args)
        assert r.exit_code == 0, (args, r.output)
        assert "Traceback" not in r.output
        return r.stdout

    def refused(self, *args, says: str = "", rows: int = 0) -> None:
        """Exit 1, one `error:` line (under --json one JSON object with "error"; a file
        import first lists its ROWS bad rows, each as `FILE row N...`), nothing written."""
        before = dump(self.path)
        r = self.run(*args)
        assert r.exit_code == 1, (args, r.output)
        lines = r.stderr.strip().splitlines()
        last = lines[-1] if lines else ""
        if "--json" in args:
            assert json.loads(last)["error"] and json.loads(last)["exit"] == 1, r.stderr
        else:
            assert last.startswith("error: "), (args, r.stderr)
        assert len(lines) == rows + 1, (args, r.stderr)
        assert all(" row " in line for line in lines[:-1]), r.stderr
        assert says in r.stderr, r.stderr
        assert "Traceback" not in r.output
        assert dump(self.path) == before, f"{args} wrote to the database"


def at(days: float, hours: float = 0) -> None:
    """Move the frozen clock to FROZEN_NOW + days/hours (the week goes by)."""
    clock.freeze(FROZEN_NOW + timedelta(days=days, hours=hours))


# (a SQLite file from init: `dump` reads it with sqlite3; the PG pass would only repeat it)
@pytest.mark.sqlite_only
def test_first_week_from_an_empty_database(tmp_path):
    path = tmp_path / "shop" / "lonestar.db"
    path.parent.mkdir()
    shop = Shop(path)

    # ---- init: company, zone, hours, default tax zone --------------------------------
    bad = tmp_path / "shop" / "typo.db"
    r = shop.run("init", "--db", str(bad), "--company", "Lone Star Comfort",
                 "--timezone", "America/Chicagoo", "--hours", "mon-fri 08:00-17:00", "--tax-zone", "Travis", "--tax-rate", "6.25")  # fmt: skip
    assert r.exit_code == 1 and r.stderr.startswith("error: "), r.output
    assert len(r.stderr.strip().splitlines()) == 1
    assert not bad.exists()
    out = shop.ok("init", "--db", str(path), "--company", "Lone Star Comfort",
                  "--timezone", "America/Chicago", "--hours", "mon-fri 08:00-17:00",
                  "--tax-zone", "Travis", "--tax-rate", "6.25", "--staff", "Dana")  # fmt: skip
    assert "shop started: Lone Star Comfort" in out

    # ---- settings: a tax zone at 8.25 %, business hours, a holiday -------------------
    shop.refused("tax", "zones", "add", "Austin", "--rate", "eight")
    shop.ok("tax", "zones", "add", "Austin", "--rate", "8.25")
    shop.refused("settings", "set", "shop.hours", "mon-fri 25:00-17:30")
    shop.ok("settings", "set", "shop.hours", "mon-fri 07:30-17:30")
    shop.refused("settings", "set", "shop.holidays", "2026-13-45")
    shop.ok("settings", "set", "shop.holidays", "2026-11-26")  # Thanksgiving
    assert "Austin" in shop.ok("tax", "zones", "list")

    # ---- three technicians -----------------------------------------------------------
    shop.refused("techs", "add", "Nobody", "--skill", "hvac", "--shifts", "someday 99-100")
    shop.ok("techs", "add", "Elena Vargas", "--skill", "hvac", "--shifts", "mon-fri 08:00-17:00",
            "--cost", "38.50")  # fmt: skip
    shop.ok("techs", "add", "Marcus Hill", "--skill", "plumbing", "--shifts", "mon-fri 07:00-16:00")
    shop.ok("techs", "add", "Priya Shah", "--skill", "hvac,electrical",
            "--shifts", "tue-sat 09:00-18:00")  # fmt: skip

    # ---- customers imported from a file (intake --file) ------------------------------
    header = (
        "external_ref,customer,phone,address,city,state,zip,summary,priority,skill,est_minutes\n"
    )
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(header + "IMP-1,Jane Porter,512-555-0101,1204 Oak Street,Austin,TX,78704,"
                       "AC short cycling,urgentish,hvac,60\n")  # fmt: skip
    shop.refused("intake", "--file", str(bad_csv), says="priority")
    good_csv = tmp_path / "customers.csv"
    good_csv.write_text(header
        + "IMP-1,Jane Porter,512-555-0101,1204 Oak Street,Austin,TX,78704,AC short cycling,normal,hvac,60\n"
        + "IMP-2,Bob Lee,512-555-0102,500 Elm St,Austin,TX,78701,Leaky faucet,low,plumbing,45\n")  # fmt: skip
    out = shop.ok("intake", "--file", str(good_csv))
    assert "created 2" in out and "2 new" in out
    out = shop.ok("customers", "list")
    assert "Jane Porter" in out and "Bob Lee" in out

    # ---- sites with zones ------------------------------------------------------------
    shop.refused("sites", "edit", "1", "--tax-zone", "Nowhere")
    shop.ok("sites", "edit", "1", "--tax-zone", "Austin")
    shop.refused("sites", "add", "Jane Porter", "--address", "88 Ranch Rd", "--zip", "123")
    out = shop.ok("sites", "add", "Jane Porter", "--address", "88 Ranch Rd", "--city", "Austin",
                  "--state", "TX", "--zip", "78745", "--name", "Rental", "--tax-zone", "Austin")  # fmt: skip
    assert "site #3" in out and "Austin 8.25%" in out

    # ---- two assets ------------------------------------------------------------------
    shop.refused("assets", "add", "--site", "99", "--kind", "furnace")
    shop.ok("assets", "add", "--site", "1", "--kind", "furnace", "--make", "Carrier",
            "--model", "59SC5", "--serial", "C123", "--installed", "2019-05-01",
            "--warranty", "2029-05-01")  # fmt: skip
    shop.ok("assets", "add", "--site", "1", "--kind", "ac_condenser", "--make", "Trane",
            "--model", "XR14", "--serial", "T456", "--installed", "2019-05-01")  # fmt: skip

    # ---- an agreement ----------------------------------------------------------------
    shop.refused("agreements", "create", "--customer", "Nobody Known", "--name", "Club")
    out = shop.ok("agreements", "create", "--customer", "Jane Porter", "--name", "Comfort Club",
                  "--price", "19.00", "--cycle", "monthly", "--visits", "2", "--site", "1",
                  "--activate")  # fmt: skip
    assert "AG-000001" in out and "active" in out

    # ---- a call: same phone, different name -> possible duplicate, merged ------------
    call = ["intake", "--customer", "Janet Porter", "--phone", "512-555-0101",
            "--address", "1204 Oak Street", "--city", "Austin", "--state", "TX", "--zip", "78704",
            "--summary", "No heat", "--skill", "hvac", "--est-minutes", "90"]  # fmt: skip
    shop.refused(*call, "--priority", "urgentish")
    r = shop.run(*call, "--priority", "high")
    assert r.exit_code == 0 and r.stdout.strip() == "SO-000003", r.output
    assert "possible duplicate" in r.stderr
    out = shop.ok("customers", "duplicates")
    assert "Janet Porter (#3)" in out and "Jane Porter (#1)" in out
    shop.refused("customers", "merge", "1", "1")
    out = shop.ok("customers", "merge", "1", "3")
    assert "merged into Jane Porter (#1)" in out
    assert "0 possible duplicates" in shop.ok("customers", "duplicates")

    # ---- suggest, assign, dispatch (Thursday is the holiday: Friday) -----------------
    shop.refused("dispatch", "suggest", "SO-000099", "--date", "2026-11-27")
    out = shop.ok("dispatch", "suggest", "SO-000003", "--date", "2026-11-27")
    assert out.index("Elena Vargas") < out.index("Priya Shah")
    assert "lacks the required skill hvac" in out  # Marcus
    shop.refused(
        "orders", "assign", "SO-000003", "--tech", "Marcus Hill", "--at", "2026-11-27 08:20"
    )
    out = shop.ok("orders", "assign", "SO-000003", "--tech", "Elena Vargas",
                  "--at", "2026-11-27 08:20")  # fmt: skip
    assert "booked 2026-11-27 08:20-09:50 with Elena Vargas" in out
    shop.refused("orders", "status", "SO-000003", "invoiced")
    shop.ok("orders", "status", "SO-000003", "dispatched")

    # ---- parts in stock --------------------------------------------------------------
    shop.refused("parts", "add", "CAP-45", "--name", "Capacitor", "--cost", "x", "--price", "38")
    shop.ok("parts", "add", "CAP-45", "--name", "Capacitor 45/5 uF", "--cost", "12.50",
            "--price", "38.00")  # fmt: skip
    shop.ok("stock", "location-add", "Warehouse")
    shop.ok("stock", "receive", "CAP-45", "5", "--to", "Warehouse")

    # ---- Friday: en route, on site, part used, complete ------------------------------
    at(2, 5 / 60)  # Fri 2026-11-27 08:05 Austin: the crew rolls
    shop.refused("visits", "arrive", "SO-000001")  # never booked
    shop.ok("visits", "start", "SO-000003")
    at(2, 25 / 60)  # 08:25
    shop.ok("visits", "arrive", "SO-000003")
    shop.refused("stock", "use", "SO-000003", "CAP-45", "99", "--from", "Warehouse")
    shop.ok("stock", "use", "SO-000003", "CAP-45", "1", "--from", "Warehouse")
    at(2, 100 / 60)  # 09:40
    shop.refused("visits", "complete", "SO-000003", "mostly_fixed")
    out = shop.ok("visits", "complete", "SO-000003", "fixed", "--work", "Replaced run capacitor")
    assert "visit completed (fixed); status completed" in out
    # the visit completed too (ended 09:40), so the rest of its slot (booked to 09:50) is
    # free again: another job books at 09:40; 09:30 is refused (she was on site then)
    shop.refused("orders", "assign", "SO-000001", "--tech", "Elena Vargas",
                 "--at", "2026-11-27 09:30", says="double-booked")  # fmt: skip
    shop.ok("orders", "assign", "SO-000001", "--tech", "Elena Vargas", "--at", "2026-11-27 09:40")
    shop.ok("orders", "unassign", "SO-000001")

    # ---- evening: time approved, invoice, partial payment ----------------------------
    at(2, 8)  # Fri 16:00
    shop.refused("invoices", "create", "SO-000003", says="unapproved time")
    shop.refused("time", "approve", "--tech", "Nobody Known", "--day", "2026-11-27")
    out = shop.ok("time", "approve", "--tech", "Elena Vargas", "--day", "2026-11-27")
    assert "2 entries approved" in out
    pricebook = tmp_path / "pricebook.csv"
    pricebook.write_text("type,code,name,price,kind,taxable\n"
                         "labor,LABOR-REG,Labor,120.00,regular,no\n"
                         "fee,TRIP,Trip charge,79.00,,yes\n")  # fmt: skip
    bad_pb = tmp_path / "bad_pricebook.csv"
    bad_pb.write_text("type,code,name,price,kind,taxable\nlabor,LABOR-REG,Labor,lots,regular,no\n")
    shop.refused("pricebook", "import", str(bad_pb), says="row 2: price")
    shop.ok("pricebook", "import", str(pricebook))
    shop.refused("invoices", "create", "SO-000001")  # not completed
    out = shop.ok("invoices", "create", "SO-000003")
    # By hand: work 08:25-09:40 = 75 min, inside Elena's shift, rounded up to 15 min
    # = 1.25 h x $120.00 = $150.00 (labor not taxable); part CAP-45 1 x $38.00 (taxable);
    # trip charge $79.00 (taxable). Subtotal 150.00 + 38.00 + 79.00 = $267.00.
    # Site 1204 Oak Street is in the Austin zone (8.25 %): tax on 117.00
    # = 9.6525 -> $9.65 (half-up). Total 267.00 + 9.65 = $276.65.
    assert "total $276.65" in out, out
    shop.ok("invoices", "send", "INV-000001")
    shop.refused("payments", "add", "INV-000001", "--amount", "999.00")
    out = shop.ok("payments", "add", "INV-000001", "--amount", "100.00", "--method", "card")
    assert "balance $176.65" in out and "partially paid" in out.replace("_", " ")

    # ---- the follow-ups the completion created ---------------------------------------
    out = shop.ok("followups", "list")
    assert "SO-000003" in out and "callback" in out
    shop.refused("followups", "done", "99")

    # ---- Monday: the week's KPIs -----------------------------------------------------
    at(5)  # Mon 2026-11-30 08:00
    shop.refused("report", "kpis", "--from", "2026-11-23", "--to", "yesterday-ish", "--json")
    kpis = json.loads(shop.ok("report", "kpis", "--from", "2026-11-23", "--to", "2026-11-29",
                              "--json"))  # fmt: skip
    got = {k: v["value"] for k, v in kpis["total"].items()}
    # By hand, for Mon 11-23 .. Sun 11-29:
    expected = {
        "orders_created": 3,  # two imported, one call
        "orders_completed": 1,
        "orders_cancelled": 0,
        "revenue": 26700,  # INV-000001 net of tax
        "billed_per_order": 26700,
        "revenue_per_call": 26700,
        # Elena's cost: travel 20 + work 75 = 95 min x $38.50/h = 6095.8 -> 6096 cents,
        # plus the capacitor at cost 1250 = 7346
        "cost_per_order": 7346,
        "gross_profit": 26700 - 7346,  # 19354
        "margin": 72.5,  # 19354 / 26700 = 72.49 %
        "receivables": 27665 - 10000,  # 17665, not yet due
        "receivables_current": 17665,
        "job_duration_median": 75.0,  # on site 08:25 -> 09:40
        # created Wed 08:00, on site Fri 08:25: 2 days + 25 min = 2905 min
        "response_median": 2905.0,
        "closeout_median": 6.3,  # completed 09:40, invoiced 16:00: 380 min = 6.33 h
        "first_time_fix": 100.0,
        "recall_rate": 0.0,
        "sla_compliance": 0.0,  # high priority due Thu 08:00, on site Fri: breached
        "backlog_open": 2,  # the two imported orders
        "backlog_oldest": 5.0,  # days: Wed 08:00 -> Mon 08:00
        # on site 75 min over the shifts: Elena mon-fri 9 h, Marcus mon-fri 9 h, Priya
        # tue-sat 9 h = 5 days each, less Thanksgiving (shop holiday, crew off) = 4 days
        # each x 9 h x 3 = 108 h = 6480 min; 75 / 6480 = 1.157 % -> 1.2
        "utilization": 1.2,
    }
    assert {k: got[k] for k in expected} == expected

    # ---- Monday: the status dialog's way (orders status) completes the visit too -----
    shop.ok("orders", "assign", "SO-000002", "--tech", "Marcus Hill", "--at", "2026-11-30 10:00")
    at(5, 2)  # Mon 10:00
    for status in ("dispatched", "en_route", "on_site"):
        shop.ok("orders", "status", "SO-000002", status)
    at(5, 2.5)  # 10:30, done early
    shop.refused("orders", "status", "SO-000002", "finished")
    shop.ok("orders", "status", "SO-000002", "completed")
    out = shop.ok("visits", "show", "SO-000002")
    assert "completed" in out and "scheduled" not in out, out
    assert "SO-000002" not in shop.ok("techs", "show", "Marcus Hill")  # no booked slot left
