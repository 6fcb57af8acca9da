"""Under --json, errors are one JSON object on stderr with the same exit codes (issue 20)."""

from __future__ import annotations

import json

from tests.support.cli import cli


def test_a_refusal_is_one_json_object_exit_1(db_path, shop):
    r = cli(db_path, "orders", "show", "SO-999999", "--json")
    assert r.exit_code == 1 and r.stdout == ""
    assert json.loads(r.stderr) == {
        "error": "order 'SO-999999' not found",
        "code": "not_found",
        "exit": 1,
    }
    r = cli(db_path, "orders", "show", "SO-999999")
    assert r.exit_code == 1 and r.stderr == "error: order 'SO-999999' not found\n"


def test_a_usage_error_is_one_json_object_exit_2(db_path, shop):
    r = cli(db_path, "orders", "list", "--limit", "many", "--json")
    assert r.exit_code == 2
    data = json.loads(r.stderr)
    assert data["code"] == "usage" and data["exit"] == 2 and "--limit" in data["error"]
    r = cli(db_path, "orders", "list", "--bogus", "--json")
    assert r.exit_code == 2 and json.loads(r.stderr)["error"] == "No such option: --bogus"
    r = cli(db_path, "orders", "list", "--bogus")
    assert r.exit_code == 2 and "Usage:" in r.stderr and not r.stderr.startswith("{")


def test_invalid_input_kind(db_path, shop):
    r = cli(db_path, "orders", "list", "--status", "sleeping", "--json")
    assert r.exit_code == 1
    data = json.loads(r.stderr)
    assert data["code"] == "invalid_input" and "sleeping" in data["error"]


def test_a_rejected_intake_batch_is_one_json_object_with_its_rows(db_path, shop):
    from pathlib import Path

    bad = Path(__file__).resolve().parents[1] / "fixtures" / "intake" / "bad_rows.csv"
    r = cli(db_path, "intake", "--file", str(bad), "--json")
    assert r.exit_code == 1 and r.stdout == ""
    data = json.loads(r.stderr)
    assert (data["code"], data["exit"]) == ("batch_rejected", 1)
    assert data["error"] == "5 bad row(s); nothing imported" and len(data["rows"]) == 5
