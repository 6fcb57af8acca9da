"""Out-of-range numbers, misread dates and over-long text (issue 15, items 6 and 10): one
`error:` line naming the field, exit 1, and every table exactly as it was."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from svcdesk.db import write_session
from svcdesk.services.crm import technicians
from tests.cli.test_billing_cli import billed  # noqa: F401 - fixture
from tests.reliability.contents import contents

runner = CliRunner()
HUGE = "x" * 100_000


def cli(db, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db), *args])


AGREE = ["agreements", "create", "--customer", "Jane Porter", "--name", "Gold"]
INVOICE = ["invoices", "discount", "INV-000001"]
CASES = [
    # (name, args, the line must hold)
    ("discount 1e308%", [*INVOICE, "1e308%"], "between 0 and 100"),
    ("discount -1e308%", [*INVOICE, "--", "-1e308%"], "between 0"),
    ("discount 1e308", [*INVOICE, "1e308"], "too large"),
    (
        "line discount 1e308%",
        [*INVOICE, "1e308%", "--line", "1"],
        "100",
    ),
    (
        "labor discount 1e308",
        [
            *AGREE,
            "--labor-discount",
            "1e308",
        ],
        "between 0 and 100",
    ),
    (
        "labor discount nan",
        [
            *AGREE,
            "--labor-discount",
            "nan",
        ],
        "percentage",
    ),
    (
        "sla inf hours",
        [
            *AGREE,
            "--sla",
            "high=inf/inf",
        ],
        "PRIORITY=",
    ),
    (
        "sla nan hours",
        [
            *AGREE,
            "--sla",
            "high=nan/nan",
        ],
        "PRIORITY=",
    ),
    ("--at -5", ["orders", "assign", "SO-000001", "--tech", "Alice Ng", "--at", "-5"], "at: '-5'"),
    ("--at 9", ["orders", "assign", "SO-000001", "--tech", "Alice Ng", "--at", "9"], "at: '9'"),
    (
        "--at tomorrow 9",
        ["orders", "assign", "SO-000001", "--tech", "Alice Ng", "--at", "tomorrow 9"],
        "not a date/time",
    ),
    (
        "--at -05:00",
        ["orders", "assign", "SO-000002", "--tech", "Bob Ruiz", "--at", "-05:00"],
        "not a date/time",
    ),
    ("--date 1405", ["schedule", "day", "--date", "1405"], "date: '1405'"),
    (
        "--start -5",
        ["agreements", "create", "--customer", "Jane Porter", "--name", "Gold", "--start", "-5"],
        "not a date/time",
    ),
    ("--since 5", ["audit", "--since", "5"], "since: '5'"),
    ("20-digit phone", ["customers", "add", "Pat", "--phone", "1" * 20], "not a phone number"),
    ("20-digit tech phone", ["techs", "add", "Pat", "--phone", "5" * 20], "not a phone"),
    ("100 kB customer name", ["customers", "add", HUGE], "at most 200"),
    ("100 kB technician name", ["techs", "add", HUGE], "name (technician): 100,000 characters"),
    ("100 kB note", ["orders", "note", "SO-000001", HUGE], "at most 10,000"),
    ("100 kB customer notes", ["customers", "edit", "Jane Porter", "--notes", HUGE], "notes"),
    ("300-char e-mail", ["customers", "add", "Pat", "--email", "a" * 300 + "@x.com"], "254"),
    ("100 kB address", ["customers", "add", "Pat", "--address", HUGE], "at most 200"),
    (
        "100 kB billing address",
        ["customers", "edit", "Jane Porter", "--billing-address", HUGE],
        "500",
    ),
]


@pytest.mark.parametrize(("name", "args", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_value_is_one_line_and_changes_nothing(db_path, billed, name, args, needle):  # noqa: F811
    assert cli(db_path, "invoices", "create", billed["o1"]).exit_code == 0
    before = contents(db_path)
    r = cli(db_path, *args)
    assert r.exit_code == 1, (r.exit_code, r.output[-500:])
    assert "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr[-500:]
    assert needle in lines[0] and len(lines[0]) < 400, lines[0]
    assert contents(db_path) == before


def test_a_technician_named_last_comma_first_can_be_booked(db_path, engine, shop):
    with write_session(engine) as s:
        technicians.create_technician(s, name="Smith, John", skills=["hvac", "electrical"])
    r = cli(
        db_path, "orders", "assign", shop["o1"], "--tech", "Smith, John", "--at", "2026-11-26 09:00"
    )
    assert r.exit_code == 0 and "with Smith, John;" in r.output, r.output
    r = cli(
        db_path,
        "orders",
        "reschedule",
        shop["o1"],
        "--tech",
        "smith,john, Alice Ng",
        "--at",
        "2026-11-26 10:00",
    )
    assert r.exit_code == 0, r.output
    with write_session(engine) as s:
        crew = technicians.find_technicians(s, "Alice Ng, Smith, John")
        assert [t.name for t in crew] == ["Alice Ng", "Smith, John"]


def test_a_10000_column_file_prints_one_note(db_path, shop, tmp_path):
    wide = tmp_path / "wide.csv"
    extra = [f"extra{i}" for i in range(10_000)]
    head = ["external_ref", "summary", "customer", "phone", "address", *extra]
    row = ["W1", "No heat", "Wide Guy", "512-555-0177", "1 Wide St", *[""] * len(extra)]
    wide.write_text(",".join(head) + "\n" + ",".join(row) + "\n")
    r = cli(db_path, "intake", "--file", str(wide))
    assert r.exit_code == 0, r.output[-500:]
    assert r.stderr.strip().splitlines() == [
        "note: ignored 10,000 unknown columns: 'extra0', 'extra1', 'extra2', 'extra3', "
        "'extra4' and 9,995 more"
    ]


def test_a_file_with_bad_rows_is_one_line_and_changes_nothing(db_path, shop, tmp_path):
    bad = tmp_path / "bad.csv"
    rows = [f"B{i},Fix {i},Cust {i},512-555-{1000 + i},{i} Bad St,urgentish" for i in range(300)]
    bad.write_text("external_ref,summary,customer,phone,address,priority\n" + "\n".join(rows))
    before = contents(db_path)
    r = cli(db_path, "intake", "--file", str(bad))
    lines = r.stderr.strip().splitlines()
    assert r.exit_code == 1 and len(lines) == 1, r.stderr[-800:]
    assert lines[0].startswith("error: 300 bad row(s); nothing imported (--reject-file FILE")
    assert f"first: {bad} row 1, column priority: 'urgentish'" in lines[0]
    assert contents(db_path) == before
    rejects = tmp_path / "rejects.csv"
    r = cli(db_path, "intake", "--file", str(bad), "--reject-file", str(rejects))
    assert r.exit_code == 0 and r.stderr == ""
    assert f"300 bad row(s) written to {rejects}" in r.stdout
    assert len(rejects.read_text().splitlines()) == 301


@pytest.mark.parametrize(
    "args",
    [
        ["orders", "list", "--limit", "-1"],
        ["customers", "list", "--limit", "0"],
        ["stock", "ledger", "--limit", "0"],
        ["parts", "list", "--limit", "100001"],
    ],
    ids=["orders -1", "customers 0", "ledger 0", "parts 100001"],
)
def test_a_limit_out_of_range_is_a_usage_error(db_path, shop, args):
    """0 or -1 used to mean "no limit" (issue 15, item 10: audit's did; so did the lists')."""
    r = cli(db_path, *args)
    assert r.exit_code == 2 and "--limit" in r.stderr and "Traceback" not in r.output
