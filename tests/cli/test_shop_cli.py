"""Starting a shop (`init`), refusing paths without one, settings with a schema, tax
zones and sites: exit codes, output and the database's contents."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from svcdesk.db import make_engine, read_session
from svcdesk.models import Setting, Site
from svcdesk.models.shop import ChangeEvent, TaxZone

runner = CliRunner()


def run(*args, input=None):
    from svcdesk.cli.main import app

    return runner.invoke(app, list(args), input=input)


def cli(db, *args, input=None):
    return run("--db", str(db), *args, input=input)


def counts(engine) -> dict:
    with read_session(engine) as s:
        return {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Setting, Site, TaxZone, ChangeEvent)
        }


def one_error_line(r, *parts):
    assert r.exit_code == 1, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    assert "Traceback" not in r.output


INIT = ("--company", "Hill Country HVAC", "--timezone", "America/Chicago",
        "--hours", "mon-fri 07:30-17:00", "--tax-zone", "Austin", "--tax-rate", "8.25")  # fmt: skip


# ---- init ----------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_init_with_flags_starts_a_private_shop(tmp_path):
    path = tmp_path / "shops" / "hill.db"
    r = run("init", "--db", str(path), *INIT)
    assert r.exit_code == 0, r.output
    assert (
        "shop started: Hill Country HVAC" in r.stdout and "Austin 8.25% is the default" in r.stdout
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = json.loads(cli(path, "settings", "list", "--json").stdout)
    assert settings["company.name"] == "Hill Country HVAC"
    assert settings["shop.hours"] == "mon-fri 07:30-17:00"
    assert settings["tax.default_zone"] == "Austin"
    zones = json.loads(cli(path, "tax", "zones", "list", "--json").stdout)
    assert zones == [{"id": 1, "name": "Austin", "rate_bp": 825, "active": True, "default": True}]
    r = cli(path, "orders", "list", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []


@pytest.mark.sqlite_only
def test_init_records_the_hourly_labor_rate_or_says_how(tmp_path):
    path = tmp_path / "rate.db"
    r = run("init", "--db", str(path), *INIT, "--labor-rate", "95")
    assert r.exit_code == 0 and "labor: $95.00/h regular rate (price book LABOR)" in r.stdout
    rates = json.loads(cli(path, "pricebook", "list", "--json").stdout)["labor_rates"]
    assert [(x["code"], x["kind"], x["rate_cents"]) for x in rates] == [("LABOR", "regular", 9500)]
    r = run("init", "--db", str(tmp_path / "none.db"), *INIT)
    assert "pricebook set LABOR --type labor --kind regular" in " ".join(r.stdout.split())
    bad = run("init", "--db", str(tmp_path / "new" / "bad.db"), *INIT, "--labor-rate", "-3")
    one_error_line(bad, "labor rate: '-3' is not an hourly rate")
    assert not (tmp_path / "new").exists()


@pytest.mark.sqlite_only
def test_init_records_the_company_details_and_its_depot(tmp_path):
    path = tmp_path / "chi.db"
    r = run("init", "--db", str(path), *INIT, "--address", "200 E Randolph St, Chicago, IL 60601",
            "--phone", "312-555-0100", "--email", "office@acme.example")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "address: 200 E Randolph St, Chicago, IL 60601 (drive times start from ZIP 60601)" in (
        " ".join(r.stdout.split())
    )
    settings = json.loads(cli(path, "settings", "list", "--json").stdout)
    assert (settings["company.address"], settings["company.phone"], settings["company.email"]) == (
        "200 E Randolph St, Chicago, IL 60601", "312-555-0100", "office@acme.example",
    )  # fmt: skip


@pytest.mark.sqlite_only
def test_a_new_shop_carries_no_other_company_s_details(tmp_path):
    """Without --address a new shop has no address, phone or e-mail of its own yet (not the
    demo company's): init says how to add the address, and nothing on documents is made up."""
    path = tmp_path / "bare.db"
    r = run("init", "--db", str(path), *INIT)
    assert r.exit_code == 0, r.output
    assert "address: none yet" in r.stdout and "settings set company.address" in r.stdout
    settings = json.loads(cli(path, "settings", "list", "--json").stdout)
    assert settings["company.address"] == settings["company.phone"] == ""
    assert settings["company.email"] == ""


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--email", "office", "company.email: 'office' is not allowed"),
        ("--address", "x" * 201, "company.address"),
    ],  # fmt: skip
)
def test_init_refuses_bad_company_details_and_creates_nothing(tmp_path, flag, value, message):
    r = run("init", "--db", str(tmp_path / "new" / "shop.db"), *INIT, flag, value)
    one_error_line(r, message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_only
def test_init_asks_for_what_is_not_given(tmp_path):
    path = tmp_path / "p.db"
    r = run("init", "--db", str(path), input="Acme Plumbing\nAmerica/Denver\n\nDenver\n8.81\n")
    assert r.exit_code == 0, r.output
    for prompt in ("Company name", "Time zone [America/Chicago]", "Business hours",
                   "Default tax zone name", "Its sales tax rate"):  # fmt: skip
        assert prompt in r.stdout
    settings = json.loads(cli(path, "settings", "list", "--json").stdout)
    assert (settings["shop.timezone"], settings["shop.hours"]) == (
        "America/Denver", "mon-fri 08:00-17:00",
    )  # fmt: skip
    assert settings["tax.default_zone"] == "Denver"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--tax-rate", "eight", "rate: 'eight' is not a percentage"),
        ("--tax-rate", "60", "not between 0 and 50"),
        ("--timezone", "Central", "unknown time zone 'Central'"),
        ("--hours", "9-5", "shop.hours"),
        ("--company", " ", "company.name"),
        ("--tax-zone", "", "needs a name"),
    ],
)
def test_init_refuses_bad_input_and_creates_nothing(tmp_path, flag, value, message):
    args = list(INIT)
    args[args.index(flag) + 1] = value
    r = run("init", "--db", str(tmp_path / "new" / "shop.db"), *args)
    one_error_line(r, message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_only
def test_init_refuses_an_existing_file_before_asking(tmp_path):
    path = tmp_path / "shop.db"
    assert run("init", "--db", str(path), *INIT).exit_code == 0
    before = path.read_bytes()
    r = run("init", "--db", str(path), input="")
    one_error_line(r, f"{path} already exists")
    assert "Company name" not in r.stdout
    assert path.read_bytes() == before


# ---- every other command refuses a path without a shop ----------------------------------


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "command", [["orders", "list"], ["export", "invoices", "--out", "-"], ["settings", "list"], []]
)
def test_commands_refuse_a_missing_database_and_create_nothing(tmp_path, command):
    missing = tmp_path / "nothere.db"
    r = cli(missing, *command)
    one_error_line(r, str(missing), f"svcdesk init --db {missing}")
    deep = tmp_path / "no" / "such" / "dir" / "x.db"
    one_error_line(cli(deep, *command), str(deep), "svcdesk init")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_only
def test_commands_refuse_the_default_path_too(tmp_path, monkeypatch):
    monkeypatch.setenv("SVCDESK_DB", str(tmp_path / "typo.db"))
    one_error_line(run("orders", "list"), "typo.db", "svcdesk init")
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.sqlite_only
def test_a_database_that_is_not_svcdesks_is_left_alone(tmp_path):
    other = tmp_path / "crm.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.commit()
    con.close()
    text = tmp_path / "notes.db"
    text.write_text("not a database\n")
    empty = tmp_path / "empty.db"
    empty.touch()
    link = tmp_path / "link.db"
    link.symlink_to(other)
    snapshot = {p.name: p.read_bytes() for p in (other, text, empty)}
    for path, why in ((other, "not a svcdesk database"), (text, "not a svcdesk database"),
                      (empty, "empty file"), (link, "not a regular file")):  # fmt: skip
        one_error_line(cli(path, "orders", "list"), str(path), why, "svcdesk init --db FILE")
    assert {p.name: p.read_bytes() for p in (other, text, empty)} == snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*snapshot, "link.db"])


@pytest.mark.sqlite_only
def test_demo_still_makes_its_own_database(tmp_path):
    path = tmp_path / "demo" / "demo.db"
    r = cli(path, "demo", "--orders", "10")
    assert r.exit_code == 0, r.output
    zones = json.loads(cli(path, "tax", "zones", "list", "--json").stdout)
    assert [z["name"] for z in zones if z["default"]] == ["Austin"]
    sites = json.loads(cli(path, "sites", "list", "--json").stdout)
    assert all(s["tax_rate_bp"] == 825 for s in sites)
    # the demo's own sites carry coordinates; a site a call created through intake (the
    # demo's possible-duplicate caller) is placed by its ZIP centroid until someone sets them
    placed = [s for s in sites if s["lat"] is not None]
    assert len(placed) >= len(sites) - 1
    assert any(s["access_notes"] for s in sites)


# ---- settings ---------------------------------------------------------------------------


def test_settings_list_shows_value_default_and_meaning(db_path):
    r = cli(db_path, "settings", "list")
    assert r.exit_code == 0
    for text in ("Default", "Meaning", "sla.hours.high", "respond to a high-priority order"):
        assert text in r.stdout
    full = json.loads(cli(db_path, "settings", "list", "--json", "--allowed").stdout)
    assert full["sla.hours.high"] == {
        "value": "24", "default": "24", "kind": "hours",
        "allowed": "a number from more than 0 to 8760 hours",
        "meaning": "respond to a high-priority order within (hours)",
    }  # fmt: skip


def test_settings_set_refuses_unknown_keys_and_bad_values(db_path, engine):
    from svcdesk.db import write_session
    from tests.fixtures.shop import add_staff_rows

    with write_session(engine) as s:
        add_staff_rows(s)  # (the `--as dana` below)
    before = counts(engine)
    one_error_line(cli(db_path, "settings", "set", "tax.rate", "8.25"),
                   "unknown setting 'tax.rate'", "tax zones", "tax.default_zone")  # fmt: skip
    one_error_line(cli(db_path, "settings", "set", "sla.hours.high", "1e308"),
                   "sla.hours.high: 1e308 is out of range", "8760 hours")  # fmt: skip
    one_error_line(cli(db_path, "settings", "set", "sla.clock.high", "fast"),
                   "one of business, calendar")  # fmt: skip
    assert counts(engine) == before
    r = cli(db_path, "--as", "dana", "settings", "set", "sla.hours.high", "12")
    assert r.exit_code == 0 and "sla.hours.high = 12" in r.stdout
    rows = json.loads(cli(db_path, "audit", "--actor", "dana", "--json").stdout)
    assert [(r["order"], r["kind"]) for r in rows] == [("setting sla.hours.high", "edited")]
    assert rows[0]["detail"] == "sla.hours.high: '24' -> '12'"


# ---- tax zones --------------------------------------------------------------------------


def test_tax_zones_add_edit_list(db_path, engine):
    r = cli(db_path, "tax", "zones", "add", "Austin", "--rate", "8.25", "--default")
    assert r.exit_code == 0 and "tax zone #1 Austin 8.25% added (the default zone)" in r.stdout
    assert cli(db_path, "tax", "zones", "add", "Travis County", "--rate", "6.75").exit_code == 0
    before = counts(engine)
    one_error_line(cli(db_path, "tax", "zones", "add", "austin", "--rate", "1"), "already exists")
    one_error_line(cli(db_path, "tax", "zones", "add", "Hays", "--rate", "8.2.5"), "rate:")
    one_error_line(cli(db_path, "tax", "zones", "edit", "Dallas", "--rate", "8"), "not found")
    one_error_line(cli(db_path, "tax", "zones", "edit", "Austin", "--inactive"), "default tax zone")
    assert counts(engine) == before
    r = cli(db_path, "tax", "zones", "edit", "travis county", "--rate", "7.25", "--default")
    assert r.exit_code == 0 and "Travis County 7.25%, the default zone" in r.stdout
    r = cli(db_path, "tax", "zones", "edit", "Austin", "--inactive")
    assert r.exit_code == 0 and "inactive" in r.stdout
    listed = json.loads(cli(db_path, "tax", "zones", "list", "--json").stdout)
    assert [(z["name"], z["rate_bp"], z["active"], z["default"]) for z in listed] == [
        ("Austin", 825, False, False), ("Travis County", 725, True, True),
    ]  # fmt: skip
    r = cli(db_path, "tax", "zones", "list")
    assert "Travis County" in r.stdout and "7.25%" in r.stdout


# ---- sites ------------------------------------------------------------------------------


def test_sites_add_edit_list(db_path, engine, shop):
    assert (
        cli(db_path, "tax", "zones", "add", "Austin", "--rate", "8.25", "--default").exit_code == 0
    )
    assert cli(db_path, "tax", "zones", "add", "Round Rock", "--rate", "8.25").exit_code == 0
    r = cli(db_path, "--as", "dana", "sites", "add", "Jane Porter", "--address", "77 Elm St",
            "--city", "Round Rock", "--state", "tx", "--zip", "786641234",
            "--tax-zone", "round rock", "--access", "Gate 4411", "--lat", "30.5083",
            "--lon", "-97.6789", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert (made["state"], made["zip"], made["tax_zone"]) == ("TX", "78664-1234", "Round Rock")
    assert (made["lat"], made["lon"], made["access_notes"]) == (30.5083, -97.6789, "Gate 4411")
    before = counts(engine)
    for args, message in [
        (("--address", "78 Elm St", "--state", "Texas"), "state: 'Texas' is not a two-letter"),
        (("--address", "78 Elm St", "--zip", "7866"), "zip: '7866' is not a ZIP code"),
        (("--address", "78 Elm St", "--lat", "91", "--lon", "0"), "lat: 91.0 is not between"),
        (("--address", "78 Elm St", "--lat", "30"), "give both a latitude and a longitude"),
        (("--address", "78 Elm St", "--lat", "north", "--lon", "1"), "lat: 'north'"),
        (("--address", "78 Elm St", "--tax-zone", "Mars"), "tax zone 'Mars' not found"),
        (("--address", "77 Elm Street", "--zip", "78664"), "already has this site"),
        (("--address", " "), "a site needs a street address"),
    ]:
        one_error_line(cli(db_path, "sites", "add", "Jane Porter", *args), message)
    one_error_line(cli(db_path, "sites", "add", "Nobody Known", "--address", "1 A St"), "not found")
    one_error_line(cli(db_path, "sites", "edit", "999", "--city", "Austin"), "site '999' not found")
    one_error_line(cli(db_path, "sites", "edit", str(made["id"]), "--zip", "1"), "zip:")
    assert counts(engine) == before
    r = cli(db_path, "--as", "lee", "sites", "edit", str(made["id"]), "--tax-zone", "",
            "--lat", "", "--lon", "", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    edited = json.loads(r.stdout)
    assert (edited["tax_zone"], edited["lat"], edited["lon"]) == ("default (Austin)", None, None)
    listed = json.loads(cli(db_path, "sites", "list", "--customer", "Jane Porter", "--json").stdout)
    assert made["id"] in [s["id"] for s in listed]
    assert all(s["customer"] == "Jane Porter" for s in listed)
    table = cli(db_path, "sites", "list").stdout
    assert "77 Elm St" in table and "Gate 4411" not in table or "Gate" in table
    rows = json.loads(cli(db_path, "audit", "--json").stdout)
    site_rows = [(r["actor"], r["kind"]) for r in rows if r["order"] == f"site {made['id']}"]
    assert site_rows == [("dana", "created"), ("lee", "edited")]
    with read_session(make_engine(str(db_path))) as s:
        site = s.get(Site, made["id"])
        assert site.address_key.endswith("|78664") and site.tax_zone_id is None
    assert os.environ.get("SVCDESK_DB")  # (the fixture's database; nothing else was made)
