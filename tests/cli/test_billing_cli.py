"""CLI tests for pricebook, quotes, invoices, payments and receivables."""

from __future__ import annotations

import json

import pytest
from pypdf import PdfReader
from sqlmodel import select
from typer.testing import CliRunner

from svcdesk.db import read_session, write_session
from svcdesk.models.billing import PriceBookItem
from svcdesk.services.orders import lifecycle
from tests.unit.billing import billing_helpers as h

runner = CliRunner()


def run(db_path, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args])


@pytest.fixture
def billed(engine, shop, db_path):
    """o1 completed with 1.5 h approved work, a part and an arrived visit; tax 8.25 %."""
    with write_session(engine) as s:
        h.seed_pricebook(s)
        o = lifecycle.get_order(s, shop["o1"])
        h.set_tax(s, o, 825)
        h.add_time(s, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30")
        h.use_part(s, o, "FLT-1", 2000, price=1250, cost=500)
        h.add_visit(s, o, "2026-11-24 09:00")
        h.complete(s, o)
    return shop


def test_pricebook_import_export_list(db_path, tmp_path):
    r = run(db_path, "pricebook", "import", str(h.PRICEBOOK))
    assert r.exit_code == 0 and "25 created" in r.output
    r = run(db_path, "pricebook", "import", str(h.PRICEBOOK), "--json")
    assert json.loads(r.output)["created"] == [] and len(json.loads(r.output)["unchanged"]) == 25
    out = tmp_path / "pb.csv"
    assert run(db_path, "pricebook", "export", "--out", str(out)).exit_code == 0
    assert out.read_text().startswith("type,code,name")
    r = run(db_path, "pricebook", "list", "--json")
    assert {i["code"] for i in json.loads(r.output)["items"]} >= {"TRIP", "DIAG"}


def test_pricebook_set_adds_edits_and_refuses_one_row(db_path, engine):
    from svcdesk.models.billing import LaborRate
    from svcdesk.models.shop import ChangeEvent

    r = run(db_path, "pricebook", "set", "labor", "--type", "labor", "--kind", "regular",
            "--price", "95", "--name", "Regular labor")  # fmt: skip
    assert r.exit_code == 0 and "LABOR: labor rate Regular labor $95.00/h (created)" in r.stdout
    r = run(db_path, "pricebook", "set", "LABOR", "--price", "105.50", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "updated"
    r = run(db_path, "pricebook", "set", "TUNE", "--type", "task", "--name", "Tune-up",
            "--price", "89", "--minutes", "60")  # fmt: skip
    assert r.exit_code == 0 and "TUNE: task Tune-up $89.00 (created)" in r.stdout
    for args, message in [
        (("LABOR", "--type", "task"), "type: LABOR is a labor rate; give another code for a task"),
        (("NEW",), "type: NEW is new; say task, fee, labor or markup"),
        (("TUNE", "--price", "abc"), "price: 'abc' is not an amount"),
        (("FEE1", "--type", "fee"), "name: required"),
    ]:
        bad = run(db_path, "pricebook", "set", *args)
        assert bad.exit_code == 1 and message in bad.stderr and "Traceback" not in bad.output
    with read_session(engine) as s:
        rate = s.exec(select(LaborRate)).one()
        assert (rate.code, rate.kind, rate.rate_cents) == ("LABOR", "regular", 10550)
        assert [i.code for i in s.exec(select(PriceBookItem))] == ["TUNE"]
        changes = s.exec(select(ChangeEvent).where(ChangeEvent.entity == "price_book")).all()
        assert [c.kind for c in changes] == ["created", "edited", "created"]


def test_pricebook_bad_rows_exit_1_nothing_written(db_path, tmp_path, engine):
    bad = tmp_path / "bad.csv"
    bad.write_text("type,code,name,price\ntask,A,Fine,10\ntask,B,Broken,ten\n")
    r = run(db_path, "pricebook", "import", str(bad))
    assert r.exit_code == 1
    assert "bad.csv row 3: price: 'ten' is not an amount" in r.stderr
    assert "Traceback" not in r.output
    with read_session(engine) as s:
        assert s.exec(select(PriceBookItem)).all() == []
    assert run(db_path, "pricebook", "import", str(tmp_path / "nope.csv")).exit_code == 1


def test_invoice_lifecycle(db_path, billed, engine, tmp_path):
    r = run(db_path, "invoices", "create", billed["o1"], "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["number"] == "INV-000001" and data["status"] == "draft"
    # 1.5 h x 125 = 187.50; parts 2 x 12.50 = 25.00 (+8.25 % = 2.06); trip 79.00
    assert data["total_cents"] == 18750 + 2500 + 206 + 7900
    assert [ln["source"] for ln in data["lines"]] == ["time_entry", "part_usage", "visit"]
    r = run(db_path, "invoice", "create", billed["o1"])
    assert r.exit_code == 1 and "already invoiced on INV-000001" in r.stderr
    assert run(db_path, "invoices", "discount", "1", "10%").exit_code == 0
    r = run(db_path, "invoices", "add-line", "INV-000001", "--item", "DISPOSAL", "--json")
    assert json.loads(r.output)["lines"][-1]["code"] == "DISPOSAL"
    assert run(db_path, "invoices", "remove-line", "INV-000001", "4").exit_code == 0
    r = run(db_path, "invoices", "send", "INV-000001", "--json")
    total = json.loads(r.output)["total_cents"]
    assert json.loads(r.output)["status"] == "sent"
    r = run(db_path, "invoices", "add-line", "INV-000001", "--desc", "X", "--price", "1")
    assert r.exit_code == 1 and "only a draft" in r.stderr
    r = run(db_path, "payments", "add", "INV-000001", "--amount", "100.00", "--method", "cash")
    assert r.exit_code == 0 and "partially paid" in r.output
    r = run(db_path, "invoices", "pay", "INV-000001", "--amount", "9999", "--method", "card")
    assert r.exit_code == 1 and "overpayments are refused" in r.stderr
    rest = f"{(total - 10000) / 100:.2f}"
    r = run(
        db_path,
        "invoices",
        "pay",
        "INV-000001",
        "--amount",
        rest,
        "--method",
        "ach",
        "--ref",
        "T-9",
    )
    assert r.exit_code == 0 and "status paid" in r.output
    with read_session(engine) as s:
        assert lifecycle.get_order(s, billed["o1"]).status == "closed"
    r = run(db_path, "payments", "list", "--json")
    assert [p["method"] for p in json.loads(r.output)] == ["ach", "cash"]
    out = tmp_path / "inv.pdf"
    r = run(db_path, "invoice", "pdf", "INV-000001", "--out", str(out))
    assert r.exit_code == 0
    assert "INVOICE INV-000001" in PdfReader(out).pages[0].extract_text()
    r = run(db_path, "invoices", "text", "INV-000001")
    assert r.output.startswith("# INVOICE INV-000001")
    r = run(db_path, "invoices", "show", "INV-000001")
    assert "time entry" in r.output and "Balance" not in r.stderr


def test_invoice_list_void_and_bad_input(db_path, billed):
    run(db_path, "invoices", "create", billed["o1"])
    r = run(db_path, "invoices", "void", "INV-000001")
    assert r.exit_code == 1 and "reason is required" in r.stderr
    r = run(db_path, "invoices", "void", "INV-000001", "--reason", "redo")
    assert r.exit_code == 0
    r = run(db_path, "invoices", "list", "--status", "void", "--json")
    assert [i["number"] for i in json.loads(r.output)] == ["INV-000001"]
    r = run(db_path, "invoices", "list", "--status", "lost")
    assert r.exit_code == 1 and "not one of" in r.stderr
    r = run(db_path, "invoices", "show", "INV-000777")
    assert r.exit_code == 1 and "not found" in r.stderr
    r = run(db_path, "invoices", "ready", "--json")
    assert [o["number"] for o in json.loads(r.output)] == [billed["o1"]]
    r = run(db_path, "invoices", "create", billed["o3"])
    assert r.exit_code == 1 and "only completed orders" in r.stderr
    assert run(db_path, "invoices", "create").exit_code == 1
    assert run(db_path, "invoices", "pay", "INV-000001").exit_code == 2  # --amount missing


def test_blank_invoice_for_customer(db_path, shop):
    r = run(db_path, "invoices", "create", "--customer", "Riverside", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["lines"] == []
    r = run(db_path, "invoices", "send", "INV-000001")
    assert r.exit_code == 1 and "no lines" in r.stderr
    r = run(db_path, "invoices", "add-line", "1", "--desc", "Consult", "--price", "abc")
    assert r.exit_code == 1 and "price" in r.stderr


def test_quotes_flow(db_path, billed, tmp_path, engine):
    r = run(
        db_path, "quotes", "create", "Replace water heater", "--customer", "Riverside", "--json"
    )
    assert r.exit_code == 0, r.output
    q = json.loads(r.output)["number"]
    for option, code in (("Good", "WH-FLUSH"), ("Best", "WH-INSTALL-50")):
        assert (
            run(db_path, "quotes", "add-line", q, "--option", option, "--item", code).exit_code == 0
        )
    r = run(db_path, "quotes", "add-line", q, "--option", "Best", "--item", "NOPE")
    assert r.exit_code == 1 and "no task or fee with code 'NOPE'" in r.stderr
    r = run(db_path, "quotes", "send", q)
    assert r.exit_code == 0 and f"{q} sent; status sent" in r.stdout
    assert "customer: not messaged: no sender is set up (settings messages.email.sender)" in (
        r.stdout
    )
    r = run(db_path, "quotes", "approve", q)
    assert r.exit_code == 1 and "say which one" in r.stderr
    r = run(db_path, "quotes", "approve", q, "--option", "Best", "--new-order", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["order"] == "SO-000004"
    r = run(db_path, "quote", "show", q, "--json")
    assert [o["chosen"] for o in json.loads(r.output)["options"]] == [False, True]
    assert run(db_path, "quotes", "pdf", q, "--out", str(tmp_path / "q.pdf")).exit_code == 0
    r = run(db_path, "quotes", "list", "--status", "approved", "--json")
    assert [x["number"] for x in json.loads(r.output)] == [q]
    r = run(db_path, "quotes", "text", q)
    assert "## Option 2: Best (chosen)" in r.output
    assert "0 quotes expired" in run(db_path, "quotes", "expire").output
    r2 = run(db_path, "quotes", "create", "Tune-up", "--order", billed["o2"])
    q2 = r2.output.split()[0]
    run(db_path, "quotes", "add-line", q2, "--desc", "Tune", "--price", "99")
    run(db_path, "quotes", "send", q2)
    assert "declined" in run(db_path, "quotes", "decline", q2, "--reason", "later").output
    r = run(db_path, "quotes", "to-order", q2)
    assert r.exit_code == 1 and "approve it first" in r.stderr


def test_receivables_aging(db_path, billed):
    run(db_path, "invoices", "create", billed["o1"])
    run(db_path, "invoices", "send", "INV-000001")
    r = run(db_path, "receivables", "aging", "--as-of", "2027-01-30", "--json")
    data = json.loads(r.output)
    assert data["customers"][0]["customer"] == "Jane Porter"
    assert data["customers"][0]["buckets_cents"]["31-60"] == data["total"]["total_cents"] > 0
    r = run(db_path, "receivables", "aging")
    assert r.exit_code == 0 and "Jane Porter" in r.output


def test_invoice_all_ready_orders(db_path, billed, engine):
    with write_session(engine) as s:  # o3 completed with nothing to bill: skipped
        h.complete(s, lifecycle.get_order(s, billed["o3"]))
    r = run(db_path, "invoices", "create", "--ready", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["skipped"] == [billed["o3"]]
    assert [(i["number"], i["order"]) for i in out["invoices"]] == [("INV-000001", billed["o1"])]
    with read_session(engine) as s:
        assert lifecycle.get_order(s, billed["o1"]).status == "invoiced"
        assert lifecycle.get_order(s, billed["o3"]).status == "completed"
    r = run(db_path, "invoices", "create", "--ready")
    assert r.exit_code == 0 and "no orders ready to invoice" in r.output
    assert f"skipped (nothing to bill): {billed['o3']}" in r.output
    r = run(db_path, "invoices", "create", "--ready", billed["o1"])
    assert r.exit_code == 1 and "--ready takes no order number" in r.stderr
