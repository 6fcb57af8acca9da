"""CLI lines in a dispatcher's words (issue 18): allowed moves, rules."""

from __future__ import annotations

from tests.support.cli import ok


def test_orders_show_allowed_moves_in_words(db_path, shop):
    out = ok(db_path, "orders", "show", shop["o1"]).stdout
    line = next(x for x in out.splitlines() if x.startswith("Allowed moves:"))
    assert "on hold" in line and "_" not in line
