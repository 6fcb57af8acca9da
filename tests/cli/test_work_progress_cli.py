"""CLI: one progression of the work (`orders status`), one booking use-case (`orders
assign`), labour reaching the invoice (`time approve --week`, `invoices create
--skip-unapproved`) and `db check`'s orders-agree-with-visits invariant. Each refusal is
one line, exit 1 (2 for usage), with the database unchanged (table dump compared)."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlmodel import SQLModel, select

from svcdesk.db import read_session, write_session
from svcdesk.models import Visit
from svcdesk.services.orders import intake, lifecycle, scheduling
from tests.support.cli import cli, ok
from tests.unit.billing import billing_helpers as h


def refused(db_path, engine, *args, code=1):
    """Run a command that must refuse: one `error:` line, exit `code`, nothing written."""
    before = dump(engine)
    r = cli(db_path, *args)
    assert r.exit_code == code, r.stdout + r.stderr
    if code == 1:
        assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.output
    assert dump(engine) == before
    return r.stderr


def dump(engine) -> dict:
    with read_session(engine) as s:
        return {
            t.name: sorted(map(repr, s.execute(text(f'SELECT * FROM "{t.name}"')).all()))
            for t in SQLModel.metadata.sorted_tables
        }


def visits(engine, number):
    with read_session(engine) as s:
        order = lifecycle.get_order(s, number)
        return [
            (v.status, v.outcome)
            for v in s.exec(select(Visit).where(Visit.order_id == order.id).order_by(Visit.id))
        ]


def test_status_walk_completes_the_visit_frees_the_slot_and_bills(db_path, engine, shop):
    """Was: the visit stayed scheduled, Bob stayed 'double-booked' by a completed order, and
    `invoices create` said 'has nothing to bill'."""
    with write_session(engine) as s:
        h.seed_pricebook(s)
        drain, _ = intake.create_order(s, intake.IntakeRequest(
            summary="Drain slow", customer_id=shop["customer"], site_id=shop["site"],
            skill="plumbing"))  # fmt: skip
        drain_number = drain.number
    o2 = shop["o2"]  # booked Bob Ruiz 10:00-11:00 today (it is 08:00)
    for status in ("dispatched", "en_route", "on_site"):
        ok(db_path, "orders", "status", o2, status)
    r = ok(db_path, "orders", "status", o2, "completed")
    assert r.stdout.strip() == f"{o2}: on site -> completed"
    assert visits(engine, o2) == [("completed", "fixed")]
    r = ok(db_path, "orders", "assign", drain_number, "--tech", "Bob Ruiz", "--at", "today 10:00")
    assert "booked" in r.stdout and "double-booked" not in r.stdout
    assert shop["o2"] not in ok(db_path, "orders", "list", "--tech", "Bob Ruiz").stdout
    r = ok(db_path, "invoices", "create", o2)
    assert "drafted" in r.stdout
    assert "ok   orders agree with their visits" in ok(db_path, "db", "check").stdout


def test_status_refusals_write_nothing(db_path, engine, shop):
    err = refused(db_path, engine, "orders", "status", shop["o1"], "scheduled")
    assert "has no booked visit" in err and f"svcdesk orders assign {shop['o1']}" in err
    err = refused(db_path, engine, "orders", "status", shop["o2"], "dispatched", "--version", "0")
    assert "was changed by someone else" in err
    err = refused(db_path, engine, "orders", "status", shop["o2"], "on_hold")
    assert "a reason is required" in err


def test_hold_and_cancel_take_visits_off_the_schedule(db_path, engine, shop):
    ok(db_path, "orders", "status", shop["o2"], "on_hold", "--reason", "parts on order")
    assert visits(engine, shop["o2"]) == [("cancelled", None)]
    refused(db_path, engine, "orders", "status", shop["o2"], "scheduled")
    ok(db_path, "orders", "assign", shop["o2"], "--tech", "Bob Ruiz", "--at", "2026-11-27 10:00")
    ok(db_path, "orders", "status", shop["o2"], "cancelled", "--reason", "customer fixed it")
    assert visits(engine, shop["o2"]) == [("cancelled", None), ("cancelled", None)]


def test_assign_moves_the_booked_visit_like_the_console(db_path, engine, shop):
    o2 = shop["o2"]
    version = json.loads(ok(db_path, "orders", "show", o2, "--json").stdout)["version"]
    r = ok(db_path, "orders", "assign", o2, "--tech", "Bob", "--at", "today 13:00",
           "--version", str(version))  # fmt: skip
    assert "moved to 2026-11-25 13:00-14:00" in r.stdout
    assert visits(engine, o2) == [("scheduled", None)]
    err = refused(db_path, engine, "orders", "assign", o2, "--tech", "Bob", "--at", "today 15:00",
                  "--version", str(version))  # fmt: skip
    assert "was changed by someone else" in err
    ok(db_path, "orders", "assign", o2, "--tech", "Bob", "--at", "2026-11-27 09:00", "--add")
    assert visits(engine, o2) == [("scheduled", None), ("scheduled", None)]


def _completed_with_time(engine, shop, approved: bool):
    with write_session(engine) as s:
        h.seed_pricebook(s)
        o = lifecycle.get_order(s, shop["o1"])
        h.add_time(s, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30")
        entry = h.add_time(s, o, shop["alice"], "2026-11-24 10:30", "2026-11-24 10:51",
                           kind="travel", approved=approved)  # fmt: skip
        h.add_visit(s, o, "2026-11-24 09:00")
        h.complete(s, o)
        return entry.id


def test_invoice_refused_for_unapproved_time_until_approved(db_path, engine, shop):
    """Was: the draft silently left out 21 minutes of travel."""
    entry_id = _completed_with_time(engine, shop, approved=False)
    err = refused(db_path, engine, "invoices", "create", shop["o1"])
    assert err == (
        f"error: {shop['o1']} has unapproved time: entry {entry_id}; approve it (svcdesk time "
        'approve --tech "Alice Ng" --day 2026-11-24) or invoice without it (--skip-unapproved)\n'
    )
    r = ok(db_path, "time", "approve", "--tech", "Alice Ng", "--week", "2026-11-24")
    assert r.stdout.strip() == "Alice Ng week of 2026-11-23: 1 entry approved"
    assert "drafted" in ok(db_path, "invoices", "create", shop["o1"]).stdout


def test_invoice_skip_unapproved(db_path, engine, shop):
    _completed_with_time(engine, shop, approved=False)
    r = ok(db_path, "invoices", "create", shop["o1"], "--skip-unapproved", "--json")
    number = json.loads(r.stdout)["number"]
    assert number.startswith("INV-")


def test_ready_batch_leaves_orders_with_unapproved_time(db_path, engine, shop):
    _completed_with_time(engine, shop, approved=False)
    r = ok(db_path, "invoices", "create", "--ready", "--json")
    assert json.loads(r.stdout) == {"invoices": [], "skipped": [], "unapproved_time": [shop["o1"]]}


def test_time_approve_needs_day_or_week(db_path, engine, shop):
    refused(db_path, engine, "time", "approve", "--tech", "Alice Ng", code=2)
    err = refused(db_path, engine, "time", "approve", "--tech", "Alice Ng", "--week", "2026-11-24")
    assert "no time entries in the week of 2026-11-23" in err


def test_db_check_reports_an_order_disagreeing_with_its_visits(db_path, engine, shop):
    with write_session(engine) as s:
        o2 = lifecycle.get_order(s, shop["o2"])
        lifecycle.change_status(s, o2, "on_hold", reason="old path")  # the visit stays booked
        assert scheduling.active_visits(s, o2.id)
    r = cli(db_path, "db", "check")
    assert r.exit_code == 1
    assert f"{shop['o2']}: on_hold but has 1 open visit(s) (scheduled)" in r.stdout
