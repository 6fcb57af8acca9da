"""Export framework: formats, formula safety, incremental watermarks, interrupted runs."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput, SvcDeskError
from svcdesk.models import Customer
from svcdesk.services.common.spreadsheet import neutralise
from svcdesk.services.orders import intake, lifecycle
from svcdesk.services.reporting import exports
from svcdesk.services.reporting.export_formats import WRITERS, ExportFormat

GOLDEN = Path(__file__).parents[2] / "golden" / "reporting_orders_injection.csv"

NASTY = [
    ('=HYPERLINK("http://evil","x")', "+SUM(A1:A9)"),
    ("@cmd", "-2+3"),
    ("\tTabbed", "\rCarriage"),
    ("Café Ünïcode ☃", 'line one\nline two, with "quotes"'),
]


def _add_orders(engine, pairs):
    """Orders with these (customer name, summary) pairs, stored exactly as given (intake
    trims whitespace, so the raw text is written back afterwards)."""
    with write_session(engine) as s:
        for i, (customer, summary) in enumerate(pairs):
            order, _ = intake.create_order(
                s,
                intake.IntakeRequest(
                    summary=summary,
                    customer=customer,
                    phone=f"512-555-07{i:02d}",
                    address=f"{i + 1} Test Ave",
                    city="Austin",
                    state="TX",
                    zip="78701",
                    description="multi\nline",
                ),
            )
            order.summary = summary
            order.sla_due = clock.now() + timedelta(hours=72)  # fixed, whatever SLA rules say
            s.get(Customer, order.customer_id).name = customer


def test_neutralise_prefixes_formula_starts_only():
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    for text in ("plain", "", "1-2", "a=b", "'already"):
        assert neutralise(text) == text


def test_csv_formula_injection_matches_golden_file(engine, tmp_path):
    _add_orders(engine, NASTY)
    out = tmp_path / "orders.csv"
    result = exports.run_export(engine, "orders", "csv", out)
    assert result.rows == 4
    assert out.read_bytes() == GOLDEN.read_bytes()


def test_csv_cells_round_trip_and_only_text_is_neutralised(engine, tmp_path):
    _add_orders(engine, NASTY)
    out = tmp_path / "orders.csv"
    exports.run_export(engine, "orders", "csv", out)
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_customer = {r["customer"]: r for r in rows}
    assert by_customer['\'=HYPERLINK("http://evil","x")']["summary"] == "'+SUM(A1:A9)"
    assert by_customer["'@cmd"]["summary"] == "'-2+3"
    assert by_customer["'\tTabbed"]["summary"] == "'\rCarriage"
    assert by_customer["Café Ünïcode ☃"]["summary"] == 'line one\nline two, with "quotes"'
    assert all(r["description"] == "multi\nline" for r in rows)
    assert all(r["version"].isdigit() for r in rows)


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_formats_keep_text_exactly(engine, tmp_path, fmt):
    _add_orders(engine, NASTY)
    out = tmp_path / f"orders.{fmt}"
    exports.run_export(engine, "orders", fmt, out)
    text = out.read_text(encoding="utf-8")
    rows = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert [(r["customer"], r["summary"]) for r in rows] == NASTY
    assert rows[0]["created_at"] == "2026-11-25T14:00:00Z"
    assert rows[0]["version"] == 1 and rows[0]["callback_of"] is None


def test_empty_json_export_is_valid(engine, tmp_path):
    out = tmp_path / "o.json"
    assert exports.run_export(engine, "orders", "json", out).rows == 0
    assert json.loads(out.read_text()) == []


def test_incremental_exports_exactly_what_changed(engine, shop, tmp_path):
    out = tmp_path / "orders.jsonl"
    first = exports.run_export(engine, "orders", "jsonl", out, incremental="nightly")
    assert first.rows == 3 and first.low is None
    again = exports.run_export(engine, "orders", "jsonl", out, incremental="nightly")
    assert again.rows == 0 and out.read_text() == ""
    assert again.high == first.high
    with clock.at(clock.now() + timedelta(hours=1)), write_session(engine) as s:
        lifecycle.change_status(s, lifecycle.get_order(s, shop["o1"]), "on_hold", reason="parts")
    third = exports.run_export(engine, "orders", "jsonl", out, incremental="nightly")
    assert [json.loads(x)["number"] for x in out.read_text().splitlines()] == [shop["o1"]]
    assert third.high == clock.now() + timedelta(hours=1) or third.high == clock.now()


def test_interrupted_run_keeps_watermark_and_leaves_no_file(engine, shop, tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "orders.csv"
    exports.run_export(engine, "orders", "csv", out, incremental="nightly")
    out.unlink()
    later = clock.now() + timedelta(hours=2)
    with clock.at(later), write_session(engine) as s:
        for key in ("o1", "o3"):
            lifecycle.change_status(s, lifecycle.get_order(s, shop[key]), "on_hold", reason="x")
    real = WRITERS[ExportFormat.CSV]

    def dies_after_one_row(fh, columns, chunks):
        def rows_then_crash():
            for chunk in chunks:
                yield chunk[:1]  # the first row reaches the file ...
                raise OSError(28, "No space left on device")  # ... then the disk is full

        return real(fh, columns, rows_then_crash())

    monkeypatch.setitem(WRITERS, ExportFormat.CSV, dies_after_one_row)
    with clock.at(later + timedelta(minutes=5)), pytest.raises(SvcDeskError, match="No space"):
        exports.run_export(engine, "orders", "csv", out, incremental="nightly")
    assert not out.exists()
    assert list(folder.iterdir()) == []  # no half-written temp file either
    with read_session(engine) as s:
        assert exports.get_watermark(s, "nightly").watermark < later
    monkeypatch.setitem(WRITERS, ExportFormat.CSV, real)
    with clock.at(later + timedelta(minutes=10)):
        retry = exports.run_export(engine, "orders", "csv", out, incremental="nightly")
    assert retry.rows == 2 and retry.high == later
    with open(out, newline="") as fh:
        assert sorted(r["number"] for r in csv.DictReader(fh)) == sorted([shop["o1"], shop["o3"]])


def test_since_is_exclusive_and_full_export_takes_everything(engine, shop, tmp_path):
    out = tmp_path / "v.csv"
    assert exports.run_export(engine, "visits", "csv", out).rows == 1
    assert exports.run_export(engine, "visits", "csv", out, since=clock.now()).rows == 0
    earlier = clock.now() - timedelta(seconds=1)
    assert exports.run_export(engine, "visits", "csv", out, since=earlier).rows == 1
    with open(out, newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["order"] == shop["o2"] and row["lead"] == "Bob Ruiz" and row["helpers"] == ""
    assert row["starts_at"] == "2026-11-25T16:00:00Z"


def test_refusals(engine, shop, tmp_path):
    with pytest.raises(InvalidInput, match="unknown kind"):
        exports.run_export(engine, "nope", "csv", tmp_path / "x.csv")
    with pytest.raises(InvalidInput, match="not both"):
        exports.run_export(
            engine, "orders", "csv", tmp_path / "x", since=clock.now(), incremental="a"
        )
    with pytest.raises(InvalidInput, match="does not exist"):
        exports.run_export(engine, "orders", "csv", tmp_path / "missing" / "x.csv")
    with pytest.raises(InvalidInput, match="is a directory"):
        exports.run_export(engine, "orders", "csv", tmp_path)
    exports.run_export(engine, "orders", "csv", tmp_path / "o.csv", incremental="nightly")
    with pytest.raises(InvalidInput, match="belongs to the orders export"):
        exports.run_export(engine, "customers", "csv", tmp_path / "c.csv", incremental="nightly")
