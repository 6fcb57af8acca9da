"""`svcdesk audit --kind stock [--record SKU]` and the unfiltered `audit`: the stock
ledger's moves, read from the ledger itself, with who moved what (on behalf of whom under
`--as`), in words."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import func, select

from svcdesk import clock
from svcdesk.db import read_session
from svcdesk.models.shop import ChangeEvent
from tests.cli.test_inventory_cli import stocked  # noqa: F401 (the fixture)
from tests.support.cli import cli, ok


@pytest.fixture(autouse=True)
def os_user(monkeypatch):
    monkeypatch.setenv("SVCDESK_USER", "jsmith")


@pytest.fixture
def moved(db_path, request, frozen_clock):
    """The catalog, a warehouse, trucks and 10 CAP-35 received (as jsmith), then:"""
    request.getfixturevalue("stocked")  # (test_inventory_cli's)
    ok(db_path, "staff", "add", "Robin Hale")
    ok(db_path, "--as", "Robin Hale", "stock", "move", "CAP-35", "4", "--from",
       "Main warehouse", "--to", "Bob Ruiz")  # fmt: skip
    clock.freeze(frozen_clock + timedelta(minutes=5))  # (the newest event of all)
    adjust = ["stock", "adjust", "R410A", "--by=-2", "--location", "Main warehouse"]
    ok(db_path, *adjust, "--reason", "leak")


def test_audit_kind_stock_lists_the_ledgers_moves_in_words(db_path, engine, moved):
    with read_session(engine) as s:
        copies = s.exec(select(func.count()).select_from(ChangeEvent)
                        .where(ChangeEvent.entity.startswith("stock_move"))).one()  # fmt: skip
    assert copies == 0  # (read from the ledger, not copied)
    rows = json.loads(ok(db_path, "audit", "--kind", "stock", "--json").stdout)
    assert [(r["order"], r["kind"], r["actor"], r["on_behalf_of"]) for r in rows] == [
        ("stock CAP-35", "received", "jsmith", None),
        ("stock CAP-35", "transferred", "Robin Hale", "jsmith"),
        ("stock R410A", "count adjusted", "jsmith", None),
    ]
    assert rows[0]["detail"] == "10 ea Capacitor 35/5, Main warehouse, ref PO-1"
    assert rows[1]["detail"] == "4 ea Capacitor 35/5, Main warehouse -> Truck Bob Ruiz"
    assert rows[2]["detail"] == "2 lb Refrigerant R-410A, Main warehouse: leak"
    out = ok(db_path, "audit", "--kind", "stock").stdout
    assert "Robin Hale on behalf of jsmith" in out and "transferred" in out
    one = json.loads(ok(db_path, "audit", "--kind", "stock", "--record", "R410A", "--json").stdout)
    assert [r["kind"] for r in one] == ["count adjusted"]
    mine = json.loads(ok(db_path, "audit", "--kind", "stock", "--actor", "Robin Hale",
                         "--json").stdout)  # fmt: skip
    assert [r["kind"] for r in mine] == ["transferred"]


def test_unfiltered_audit_includes_stock_moves(db_path, moved):
    rows = json.loads(ok(db_path, "audit", "--json").stdout)
    stock = [r for r in rows if r["order"] in ("stock CAP-35", "stock R410A")]
    assert [r["kind"] for r in stock] == ["received", "transferred", "count adjusted"]
    assert any(r["order"].startswith("SO-") for r in rows)  # orders' events with them
    newest = json.loads(ok(db_path, "audit", "--limit", "1", "--json").stdout)
    assert [(r["order"], r["kind"]) for r in newest] == [("stock R410A", "count adjusted")]


def test_audit_kind_stock_of_an_unknown_part_is_empty(db_path, moved):
    r = cli(db_path, "audit", "--kind", "stock", "--record", "NOPE")
    assert r.exit_code == 0 and "0 events" in r.stdout
