"""CliRunner tests: parts and stock commands, with bad input."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from svcdesk.db import read_session
from svcdesk.models.inventory import Part, PartUsage, StockMove
from tests.support.cli import cli, ok
from tests.unit.inventory.helpers import CSV


@pytest.fixture
def stocked(db_path, shop, tmp_path):
    f = tmp_path / "parts.csv"
    f.write_text(CSV)
    ok(db_path, "parts", "import", str(f))
    ok(db_path, "stock", "location-add", "Main warehouse")
    ok(db_path, "stock", "trucks")
    ok(db_path, "stock", "receive", "CAP-35", "10", "--ref", "PO-1")
    return shop


def count(engine, model):
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_parts_import_list_show_add(db_path, engine, shop, tmp_path):
    f = tmp_path / "parts.csv"
    f.write_text(CSV)
    r = ok(db_path, "parts", "import", str(f), "--dry-run")
    assert "2 created" in r.stdout and "dry run" in r.stdout and count(engine, Part) == 0
    assert json.loads(ok(db_path, "parts", "import", str(f), "--json").stdout)["created"] == 2
    assert "2 unchanged" in ok(db_path, "parts", "import", str(f)).stdout
    data = json.loads(ok(db_path, "parts", "list", "--search", "refrig", "--json").stdout)
    assert [(p["sku"], p["unit"], p["list_price_cents"]) for p in data] == [("R410A", "lb", 8500)]
    assert "CAP-35" in ok(db_path, "parts", "list").stdout
    r = ok(
        db_path,
        "parts",
        "add",
        "FLT-1625",
        "--name",
        "Filter 16x25",
        "--cost",
        "3.10",
        "--price",
        "14",
        "--reorder-point",
        "40",
    )
    assert "created" in r.stdout
    shown = json.loads(ok(db_path, "parts", "show", "flt-1625", "--json").stdout)
    assert shown["reorder_point"] == "40" and shown["on_hand"] == []
    assert "Filter 16x25" in ok(db_path, "parts", "show", "FLT-1625").stdout


def test_parts_import_bad_rows(db_path, engine, shop, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("sku,name,cost,list_price\nOK-1,Fine,1,2\nBAD-2,Broken,twelve,2\n")
    r = cli(db_path, "parts", "import", str(f))
    assert r.exit_code == 1
    assert f"{f} row 3: cost: 'twelve' is not an amount" in r.stderr
    assert "nothing imported" in r.stderr and count(engine, Part) == 0
    r = cli(db_path, "parts", "import", str(tmp_path / "none.csv"))
    assert r.exit_code == 1 and "no such file" in r.stderr


def test_stock_receive_move_adjust_on_hand_ledger_verify(db_path, engine, stocked):
    r = ok(db_path, "stock", "move", "CAP-35", "4", "--from", "Main warehouse", "--to", "Bob Ruiz")
    assert "moved 4 Main warehouse -> Truck Bob Ruiz" in r.stdout
    r = ok(
        db_path,
        "stock",
        "adjust",
        "CAP-35",
        "--by",
        "-1",
        "--location",
        "Bob Ruiz",
        "--reason",
        "damaged",
    )
    assert "on hand 3" in r.stdout
    rows = json.loads(ok(db_path, "stock", "on-hand", "--json").stdout)
    assert [(r["location"], r["on_hand"]) for r in rows] == [
        ("Main warehouse", "6"),
        ("Truck Bob Ruiz", "3"),
    ]
    assert "Truck Bob Ruiz" in ok(db_path, "stock", "on-hand", "-l", "Bob Ruiz").stdout
    moves = json.loads(ok(db_path, "stock", "ledger", "--json").stdout)
    assert [m["kind"] for m in moves] == ["adjust", "transfer", "receive"]
    assert "receive" in ok(db_path, "stock", "ledger", "--sku", "CAP-35").stdout
    assert "match the ledger" in ok(db_path, "stock", "verify").stdout
    assert json.loads(ok(db_path, "stock", "verify", "--json").stdout)["drift"] == []
    data = json.loads(ok(db_path, "stock", "locations", "--json").stdout)
    assert {d["kind"] for d in data} == {"warehouse", "truck"} and len(data) == 4
    assert "Truck Cara Diaz" in ok(db_path, "stock", "locations").stdout


def test_stock_bad_input(db_path, engine, stocked):
    before = count(engine, StockMove)
    r = cli(db_path, "stock", "receive", "NOPE", "1")
    assert r.exit_code == 1 and "unknown SKU 'NOPE'" in r.stderr
    r = cli(db_path, "stock", "receive", "CAP-35", "--", "-2")
    assert r.exit_code == 1 and "qty: '-2' is negative" in r.stderr
    r = cli(db_path, "stock", "receive", "CAP-35", "two")
    assert r.exit_code == 1 and "qty: 'two' is not a number" in r.stderr
    r = cli(db_path, "stock", "move", "CAP-35", "1", "--from", "Alice Ng", "--to", "Main warehouse")
    assert r.exit_code == 1 and "only 0 ea on hand at Truck Alice Ng" in r.stderr
    r = cli(db_path, "stock", "move", "CAP-35", "1", "--from", "Garage", "--to", "Main warehouse")
    assert r.exit_code == 1 and "location: 'Garage' not found" in r.stderr
    r = cli(
        db_path, "stock", "adjust", "CAP-35", "--by", "1", "--location", "Bob Ruiz", "--reason", " "
    )
    assert r.exit_code == 1 and "reason is required" in r.stderr
    r = cli(db_path, "stock", "receive", "CAP-35")
    assert r.exit_code == 2
    assert count(engine, StockMove) == before


def test_stock_use_unuse_usage(db_path, engine, stocked):
    o2 = stocked["o2"]
    r = cli(db_path, "stock", "use", o2, "CAP-35", "1")
    assert r.exit_code == 1 and "only 0 ea on hand at Truck Bob Ruiz" in r.stderr
    assert count(engine, PartUsage) == 0
    ok(db_path, "stock", "move", "CAP-35", "2", "--from", "Main warehouse", "--to", "Bob Ruiz")
    r = ok(db_path, "stock", "use", o2, "CAP-35", "1")
    assert "used 1 CAP-35 (usage 1)" in r.stdout
    ok(db_path, "stock", "use", o2, "CAP-35", "1", "--from", "Main warehouse", "--warranty")
    data = json.loads(ok(db_path, "stock", "usage", o2, "--json").stdout)
    assert [(d["location"], d["warranty"], d["unit_price_cents"]) for d in data] == [
        ("Truck Bob Ruiz", False, 4800),
        ("Main warehouse", True, 4800),
    ]
    assert "CAP-35" in ok(db_path, "stock", "usage", o2).stdout
    r = ok(db_path, "stock", "unuse", "1")
    assert "usage 1 removed; 1 returned" in r.stdout
    rows = json.loads(ok(db_path, "stock", "on-hand", "-l", "Bob Ruiz", "--json").stdout)
    assert rows[0]["on_hand"] == "2"
    r = cli(db_path, "stock", "use", o2, "CAP-35", "1", "--none")
    assert r.exit_code == 1 and "--none takes no SKU" in r.stderr
    r = cli(db_path, "stock", "use", o2)
    assert r.exit_code == 1 and "give SKU and QTY" in r.stderr
    r = cli(db_path, "stock", "unuse", "42")
    assert r.exit_code == 1 and "part usage 42 not found" in r.stderr


def test_par_reorder_restock(db_path, engine, stocked):
    ok(db_path, "stock", "par", "Bob Ruiz", "CAP-35", "--min", "2", "--par", "4")
    ok(db_path, "stock", "par", "Alice Ng", "CAP-35", "--min", "2", "--par", "8")
    r = cli(db_path, "stock", "par", "Alice Ng", "CAP-35", "--min", "3", "--par", "1")
    assert r.exit_code == 1
    lines = json.loads(ok(db_path, "stock", "reorder", "--json").stdout)
    assert [(ln["location"], ln["sku"]) for ln in lines] == [
        ("warehouses", "R410A"),
        ("Truck Alice Ng", "CAP-35"),
        ("Truck Bob Ruiz", "CAP-35"),
    ]
    assert "R410A" in ok(db_path, "stock", "reorder").stdout
    proposal = json.loads(ok(db_path, "stock", "restock", "--json").stdout)
    assert proposal["accepted"] is False and proposal["moves"] == 0
    assert [(ln["truck"], ln["transfer"], ln["short"]) for ln in proposal["lines"]] == [
        ("Truck Alice Ng", "8", "0"),
        ("Truck Bob Ruiz", "2", "2"),
    ]
    assert count(engine, StockMove) == 1
    r = ok(db_path, "stock", "restock", "--accept")
    assert "2 transfers posted" in r.stdout
    assert count(engine, StockMove) == 3
    r = ok(db_path, "stock", "restock", "--truck", "Bob Ruiz")
    assert "proposal" in r.stdout
