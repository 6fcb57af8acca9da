"""`svcdesk export ...`: every kind and format through the CLI, exit codes, summaries."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from svcdesk.cli.main import app
from svcdesk.db import make_engine, read_session
from svcdesk.services.reporting import exports

runner = CliRunner()
CORE_KINDS = {"orders": 3, "visits": 1, "customers": 2}


def invoke(db_path, *args):
    return runner.invoke(app, ["--db", str(db_path), "export", *args])


def _read(path, fmt):
    text = path.read_text(encoding="utf-8")
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    if fmt == "json":
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
@pytest.mark.parametrize("kind", sorted(CORE_KINDS))
def test_every_core_kind_and_format(db_path, shop, tmp_path, kind, fmt):
    out = tmp_path / f"{kind}.{fmt}"
    result = invoke(db_path, kind, "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    n = CORE_KINDS[kind]
    noun = "row" if n == 1 else "rows"
    assert result.output.strip() == f"{kind}: exported {n} {noun} to {out} ({fmt})"
    rows = _read(out, fmt)
    assert len(rows) == CORE_KINDS[kind]
    assert all(str(r["id"]).isdigit() for r in rows)


def test_every_registered_kind_has_a_command(db_path, shop, tmp_path):
    for name in exports.kinds():
        out = tmp_path / f"{name}.jsonl"
        result = invoke(db_path, name, "-f", "jsonl", "-o", str(out), "--json")
        assert result.exit_code == 0, (name, result.output)
        assert json.loads(result.output)["rows"] == len(_read(out, "jsonl"))


def test_incremental_cron_run_then_nothing_new(db_path, shop, tmp_path):
    out = tmp_path / "orders.csv"
    first = invoke(db_path, "orders", "--incremental", "nightly", "--out", str(out), "--json")
    assert first.exit_code == 0
    data = json.loads(first.output)
    assert data["rows"] == 3 and data["watermark"] == "2026-11-25T14:00:00Z"
    second = invoke(db_path, "orders", "--incremental", "nightly", "--out", str(out))
    assert second.exit_code == 0
    assert "exported 0 rows changed after 2026-11-25T14:00:00Z" in second.output
    assert len(_read(out, "csv")) == 0
    marks = runner.invoke(app, ["--db", str(db_path), "export", "watermarks", "--json"])
    (mark,) = json.loads(marks.output)
    assert mark["name"] == "nightly" and mark["kind"] == "orders" and mark["last_rows"] == 0


def test_since_in_shop_time(db_path, shop, tmp_path):
    out = tmp_path / "o.jsonl"
    result = invoke(db_path, "orders", "-f", "jsonl", "-o", str(out), "--since", "2026-11-25 07:59")
    assert result.exit_code == 0 and len(_read(out, "jsonl")) == 3
    result = invoke(db_path, "orders", "-f", "jsonl", "-o", str(out), "--since", "2026-11-25 08:00")
    assert result.exit_code == 0 and _read(out, "jsonl") == []


def test_user_errors_exit_1_with_one_line(db_path, shop, tmp_path):
    missing = tmp_path / "no" / "o.csv"
    result = invoke(db_path, "orders", "--out", str(missing))
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: export: --out")
    assert "Traceback" not in result.output
    result = invoke(db_path, "orders", "--out", str(tmp_path / "o.csv"), "--since", "soonish")
    assert result.exit_code == 1 and "--since" in result.output
    both = invoke(
        db_path, "orders", "-o", str(tmp_path / "o.csv"), "--since", "today", "--incremental", "n"
    )
    assert both.exit_code == 1 and "not both" in both.output
    with read_session(make_engine(str(db_path))) as s:
        assert exports.list_watermarks(s) == []


def test_usage_errors_exit_2(db_path, shop, tmp_path):
    assert invoke(db_path, "orders", "--format", "xml", "-o", str(tmp_path / "x")).exit_code == 2
    assert invoke(db_path, "orders").exit_code == 2  # --out is required
    assert invoke(db_path, "planets", "-o", str(tmp_path / "x")).exit_code == 2


def _money_shop(engine):
    from datetime import date

    from svcdesk.db import write_session
    from svcdesk.models.billing import Payment
    from tests.unit.reporting import kpi_dataset as ds

    ids = ds.build(engine)
    with write_session(engine) as s:
        s.add(Payment(invoice_id=2, amount_cents=50000, method="check", received_on=date(2026, 11, 20),
                      reference="=CHK 1001"))  # fmt: skip
    return ids


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_billing_and_field_kinds(db_path, engine, tmp_path, fmt):
    _money_shop(engine)
    got = {}
    for kind in ("invoices", "payments", "timecards", "parts-usage"):
        out = tmp_path / f"{kind}.{fmt}"
        result = invoke(db_path, kind, "-f", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        got[kind] = _read(out, fmt)
    inv = {r["number"]: r for r in got["invoices"]}
    assert len(inv) == 5 and str(inv["INV-000003"]["balance_cents"]) == "15000"
    assert inv["INV-000001"]["due_on"] == "2026-11-17" and inv["INV-000001"]["order"] == "SO-000001"
    assert inv["INV-000003"]["order"] in (None, "")
    (pay,) = got["payments"]
    assert pay["invoice"] == "INV-000002" and pay["received_on"] == "2026-11-20"
    assert pay["reference"] == ("'=CHK 1001" if fmt == "csv" else "=CHK 1001")
    assert [str(r["minutes"]) for r in got["timecards"]] == ["90", "120", "120", "10"]
    (part,) = got["parts-usage"]
    assert str(part["cost_cents"]) == "2500" and str(part["price_cents"]) == "5000"
    assert part["sku"] == "FLT-1" and part["technician"] == "Ann"


def test_timecards_week_is_the_payroll_file(db_path, engine, tmp_path):
    _money_shop(engine)
    out = tmp_path / "payroll.csv"
    result = invoke(db_path, "timecards", "--week", "2026-11-18", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "timecards week of 2026-11-16" in result.output
    assert out.read_text().startswith("technician,date,regular_hours,overtime_hours")
    mixed = invoke(db_path, "timecards", "--week", "2026-11-18", "--incremental", "x", "-o",
                   str(out))  # fmt: skip
    assert mixed.exit_code == 2
