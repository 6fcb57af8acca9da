"""`svcdesk report kpis`: table, JSON, CSV, grouping, filters, bad input."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from svcdesk.cli.main import app
from tests.unit.reporting import kpi_dataset as ds

runner = CliRunner()
WEEK = ["--from", "2026-11-16", "--to", "2026-11-22"]


def invoke(db_path, *args):
    return runner.invoke(app, ["--db", str(db_path), "report", "kpis", *args])


def test_json_shape(db_path, engine):
    ds.build(engine)
    result = invoke(db_path, *WEEK, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == {"from": "2026-11-16", "to": "2026-11-22", "zone": "America/Chicago"}
    assert data["by"] is None and data["groups"] == [] and data["filter"] == {}
    ftf = data["total"]["first_time_fix"]
    assert ftf == {
        "key": "first_time_fix",
        "label": "First-time fix rate",
        "unit": "pct",
        "value": 33.3,
        "n": 3,
        "no_data": None,
        "needs": "completed orders, their visits, callbacks (callback_of)",
    }
    assert data["total"]["revenue"]["value"] == 80000


def test_table_on_a_terminal(db_path, engine):
    ds.build(engine)
    result = invoke(db_path, *WEEK)
    assert result.exit_code == 0
    assert "First-time fix rate" in result.output and "33.3%" in result.output
    assert "$800.00" in result.output


def test_csv_by_tech(db_path, engine):
    ds.build(engine)
    result = invoke(db_path, *WEEK, "--by", "tech", "--csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["group"] for r in rows] == ["Ben", "Ann", "(none)", "TOTAL"]
    assert rows[0]["gross_profit_cents"] == "33200" and rows[1]["utilization_pct"] == "12.5"
    assert rows[2]["utilization_pct"] == ""  # no data stays empty, never 0
    assert rows[3]["orders_created"] == "5"
    # the exports' naming rule: a number carries its unit (docs/exports.md)
    header = list(rows[0])
    assert {"revenue_cents", "response_median_minutes", "first_time_fix_pct"} <= set(header)
    money = [c for c in header if "revenue" in c or "profit" in c or "receivables" in c]
    assert money and all(c.endswith("_cents") for c in money)
    assert header[0] == "group" and not [c for c in header if c.count("_cents") > 1]


def test_grouped_table_and_filters(db_path, engine):
    ds.build(engine)
    result = invoke(db_path, *WEEK, "--by", "customer", "--skill", "plumbing")
    assert result.exit_code == 0
    assert "Bolt" in result.output and "TOTAL" in result.output
    result = invoke(db_path, *WEEK, "--tech", "Ann", "--kind", "repair", "--priority", "high",
                    "--json")  # fmt: skip
    data = json.loads(result.output)
    assert data["filter"] == {"tech_id": 1, "kind": "repair", "priority": "high"}
    assert data["total"]["orders_completed"]["value"] == 1


def test_empty_database_says_no_data(db_path, engine):
    result = invoke(db_path, "--json")
    assert result.exit_code == 0
    total = json.loads(result.output)["total"]
    assert total["revenue"]["value"] is None
    assert total["revenue"]["no_data"] == "no invoices issued yet"


def test_bad_input(db_path, engine):
    ds.build(engine)
    bad_day = invoke(db_path, "--from", "someday")
    assert bad_day.exit_code == 1 and bad_day.output.startswith("error: date:")
    backwards = invoke(db_path, "--from", "2026-11-22", "--to", "2026-11-16")
    assert backwards.exit_code == 1 and "before --from" in backwards.output
    unknown = invoke(db_path, "--tech", "Zed")
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    assert invoke(db_path, "--kind", "party").exit_code == 1
    assert invoke(db_path, "--by", "planet").exit_code == 2
    assert invoke(db_path, "--json", "--csv").exit_code == 2
