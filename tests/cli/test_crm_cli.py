"""`customers add|edit|merge|duplicates`, `assets add|edit|retire`, `techs edit`,
`quotes approve --new-order --site`, `intake --match-existing`: exit code, output,
database effect; bad input is one line, exit 1, nothing written."""

from __future__ import annotations

import json

from sqlalchemy import inspect, text
from typer.testing import CliRunner

from svcdesk.db import read_session
from svcdesk.models import Asset, Customer, PossibleDuplicate, WorkOrder
from svcdesk.services.crm import technicians as techs

runner = CliRunner()


def cli(db_path, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), "--as", "dana", *args])


def dump(engine) -> dict[str, list]:
    """Every row of every table (to show a refused command wrote nothing)."""
    with engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
            for t in inspect(conn).get_table_names()
        }


def refused(engine, db_path, *args, code=1, says=""):
    before = dump(engine)
    r = cli(db_path, *args)
    assert r.exit_code == code, r.output
    if code == 1:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
        assert says in lines[0], lines[0]
    assert "Traceback" not in r.output
    assert dump(engine) == before
    return r


def test_customers_add_stores_e164_and_refuses_bad_input(db_path, engine, shop):
    r = cli(db_path, "customers", "add", "Ann Lee", "--phone", "512-555-0777 x9", "--json")
    assert r.exit_code == 0, r.output
    cid = json.loads(r.stdout)["id"]
    with read_session(engine) as s:
        c = s.get(Customer, cid)
        assert (c.phone, c.phone_ext, c.phone_key) == ("+15125550777", "9", "5125550777")
    refused(engine, db_path, "customers", "add", "X", "--phone", "call me maybe",
            says="phone: 'call me maybe' is not a phone number")  # fmt: skip
    refused(
        engine, db_path, "customers", "add", "X", "--phone", "12345678901234567890", says="phone:"
    )
    refused(engine, db_path, "customers", "add", "X", "--email", "nope@", says="email:")
    refused(engine, db_path, "customers", "add", "Jan P", "--phone", "(512) 555-0101",
            says="Jane Porter (#1) already has that phone")  # fmt: skip
    r = cli(db_path, "customers", "add", "Jan P", "--phone", "(512) 555-0101", "--same-phone-ok")
    assert r.exit_code == 0
    r = cli(db_path, "customers", "list", "--search", "Ann", "--json")
    assert json.loads(r.stdout)[0]["phone_ext"] == "9"


def test_customers_edit(db_path, engine, shop):
    r = cli(db_path, "customers", "edit", "Jane Porter", "--name", "Jane Q. Porter",
            "--phone", "512-555-0101 x5", "--taxable", "--notes", "gate code 1234")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == (
        "customer #1 Jane Q. Porter: name Jane Porter -> Jane Q. Porter; extension - -> 5; "
        "notes - -> gate code 1234"
    )
    with read_session(engine) as s:
        c = s.get(Customer, shop["customer"])
        assert (c.name, c.phone_ext, c.notes) == ("Jane Q. Porter", "5", "gate code 1234")
    r = cli(db_path, "customers", "show", "1", "--json")
    history = json.loads(r.stdout)["history"]
    assert history[-1]["kind"] == "edited" and history[-1]["actor"] == "dana"
    refused(engine, db_path, "customers", "edit", "1", "--phone", "512-555-0303",
            says="phone: Riverside Cafe (#2) already has")  # fmt: skip
    refused(engine, db_path, "customers", "edit", "1", "--phone", "call me maybe", says="phone:")
    refused(engine, db_path, "customers", "edit", "1", "--kind", "martian", says="kind:")
    refused(engine, db_path, "customers", "edit", "Nobody", "--name", "X", says="not found")
    refused(engine, db_path, "customers", "edit", "1", code=2)


def test_same_phone_other_name_then_duplicates_and_merge(db_path, engine, shop):
    r = cli(db_path, "intake", "--customer", "Totally Different Person", "--phone",
            "512-555-0101", "--address", "9 Elm St", "--zip", "78704", "--summary", "no heat",
            "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["possible_duplicate_of"] == {"id": 1, "name": "Jane Porter", "matched_on": "phone"}
    new_id = data["customer_id"]
    assert new_id != shop["customer"]
    r = cli(db_path, "intake", "--customer", "Someone Else", "--phone", "512-555-0101",
            "--address", "9 Elm St", "--zip", "78704", "--summary", "leak")  # fmt: skip
    assert r.exit_code == 0 and "possible duplicate" in r.stderr and "--match-existing" in r.stderr
    r = cli(db_path, "intake", "--customer", "Third Name", "--phone", "512-555-0101",
            "--address", "1204 Oak Street", "--zip", "78704", "--summary", "x",
            "--match-existing", "--json")  # fmt: skip
    assert json.loads(r.stdout)["customer_id"] == shop["customer"]
    r = cli(db_path, "customers", "duplicates", "--json")
    rows = json.loads(r.stdout)
    assert [(d["customer"], d["existing_id"], d["matched_on"]) for d in rows] == [
        ("Totally Different Person", 1, "phone"),
        ("Someone Else", 1, "phone"),
    ]
    r = cli(db_path, "customers", "duplicates")
    assert "2 possible duplicates" in r.stdout and f"customers merge 1 {new_id}" in r.stdout
    r = cli(db_path, "customers", "merge", "1", str(new_id))
    assert r.exit_code == 0, r.output
    assert "merged into Jane Porter (#1): moved 1 site, 1 work order" in r.stdout
    with read_session(engine) as s:
        orders = s.query(WorkOrder).filter(WorkOrder.customer_id == new_id).count()
        assert orders == 0 and s.get(Customer, new_id).merged_into_id == 1
        assert s.query(PossibleDuplicate).count() == 1
    refused(engine, db_path, "customers", "merge", "1", str(new_id), says="already merged")
    refused(engine, db_path, "customers", "merge", "1", "1", says="into itself")
    left = rows[1]["id"]
    r = cli(db_path, "customers", "duplicates", "--dismiss", str(left))
    assert r.exit_code == 0
    assert json.loads(cli(db_path, "customers", "duplicates", "--json").stdout) == []
    refused(engine, db_path, "customers", "duplicates", "--dismiss", "99", says="not found")
    show = json.loads(cli(db_path, "customers", "show", "1", "--json").stdout)
    assert [h["kind"] for h in show["history"]][-1] == "merged"


def test_file_intake_reports_matched_new_flagged(db_path, engine, shop, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(
        "external_ref,customer,phone,address,zip,summary\n"
        'A1,"Porter, Jane",512-555-0101 x23,1204 Oak St.,78704,leak\n'
        "A2,Totally Different Person,512-555-0101,9 Elm St,78704,no heat\n"
        "A3,New Person,512-555-0999,1 Main St,78701,new\n"
    )
    r = cli(db_path, "intake", "--file", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "created 3, skipped 0, rejected 0",
        "callers: 1 matched an existing customer, 1 new, 1 flagged as possible duplicates",
    ]
    data = json.loads(cli(db_path, "intake", "--file", str(path), "--json").stdout)
    assert (data["matched"], data["flagged"]) == (0, 0)  # all skipped the second time


def test_intake_bad_phone_is_one_line(db_path, engine, shop):
    refused(engine, db_path, "intake", "--customer", "X", "--phone", "call me maybe",
            "--address", "1 Main St", "--summary", "x", says="phone: 'call me maybe'")  # fmt: skip


def test_assets_add_edit_retire(db_path, engine, shop):
    r = cli(db_path, "assets", "add", "--site", str(shop["site"]), "--kind", "water heater",
            "--make", "Rheem", "--model", "XG50T", "--serial", "R1", "--installed", "2020-05-01",
            "--warranty", "2026-05-01", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    aid = json.loads(r.stdout)["id"]
    assert json.loads(r.stdout)["kind"] == "water_heater"
    r = cli(db_path, "assets", "edit", str(aid), "--serial", "R2", "--warranty", "2027-05-01")
    assert r.exit_code == 0
    assert r.stdout.strip() == f"asset #{aid}: serial R1 -> R2; warranty 2026-05-01 -> 2027-05-01"
    refused(
        engine, db_path, "assets", "add", "--site", "999", "--kind", "furnace", says="site: no site"
    )
    refused(engine, db_path, "assets", "add", "--site", str(shop["site"]), "--kind", "furnace",
            "--installed", "someday", says="installed: 'someday' is not a date")  # fmt: skip
    refused(engine, db_path, "assets", "edit", str(aid), "--warranty", "2019-01-01",
            says="warranty: ends 2019-01-01, before the install date")  # fmt: skip
    refused(engine, db_path, "assets", "edit", str(aid), code=2)
    refused(engine, db_path, "assets", "edit", "999", "--make", "X", says="not found")
    r = cli(db_path, "assets", "retire", str(aid), "--reason", "replaced")
    assert r.exit_code == 0 and r.stdout.strip() == f"asset #{aid} retired on 2026-11-25"
    refused(engine, db_path, "assets", "retire", str(aid), says="already retired")
    with read_session(engine) as s:
        a = s.get(Asset, aid)
        assert (a.serial, a.retired_reason, str(a.retired_on)) == ("R2", "replaced", "2026-11-25")
    show = json.loads(cli(db_path, "customers", "show", "1", "--json").stdout)
    assert [a["retired_on"] for a in show["assets"]] == [None, "2026-11-25"]


def test_techs_edit(db_path, engine, shop):
    r = cli(db_path, "techs", "edit", "Bob", "--skill", "plumbing,hvac", "--shifts",
            "mon-thu 07:00-17:00", "--rate", "40", "--inactive")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Bob Ruiz: rate $38.00 -> $40.00; inactive; skills plumbing -> hvac")
    with read_session(engine) as s:
        t = techs.find_technician(s, "Bob")
        assert (t.active, t.hourly_cost_cents) == (False, 4000)
        assert techs.shifts_spec(techs.technician_shifts(s, t.id)) == "mon-thu 07:00-17:00"
    refused(
        engine,
        db_path,
        "techs",
        "edit",
        "Bob",
        "--skill",
        "welding",
        says="unknown skill 'welding'",
    )
    refused(engine, db_path, "techs", "edit", "Bob", "--shifts", "weekdays", says="shifts:")
    refused(engine, db_path, "techs", "edit", "Bob", "--rate", "abc", says="rate")
    refused(engine, db_path, "techs", "edit", "Bob", "--level", "boss", says="level:")
    refused(engine, db_path, "techs", "edit", "Nobody", "--active", says="not found")
    refused(engine, db_path, "techs", "edit", "Bob", code=2)
    assert cli(db_path, "techs", "edit", "Bob", "--active", "--no-skills").exit_code == 0
    with read_session(engine) as s:
        t = techs.find_technician(s, "Bob")
        assert t.active and techs.technician_skills(s, t.id) == []


def test_techs_home_is_where_the_drives_start(db_path, engine, shop):
    r = cli(db_path, "techs", "add", "Dee Park", "--skill", "hvac", "--level", "senior",
            "--home", "44 Elm St, Round Rock, TX 78664", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    tid = json.loads(r.stdout)["id"]
    with read_session(engine) as s:
        t = techs.find_technician(s, tid)
        assert (t.home_address, t.level) == ("44 Elm St, Round Rock, TX 78664", "senior")
        assert t.home_lat is not None and abs(t.home_lat - 30.5) < 0.2
    show = cli(db_path, "techs", "show", "Dee")
    assert "Home:   44 Elm St, Round Rock, TX 78664" in show.stdout
    assert json.loads(cli(db_path, "techs", "show", "Dee", "--json").stdout)["home"] == (
        "44 Elm St, Round Rock, TX 78664"
    )
    r = cli(db_path, "techs", "edit", "Dee", "--home", "78701")
    assert r.exit_code == 0 and "home 44 Elm St, Round Rock, TX 78664 -> 78701" in r.stdout
    r = cli(db_path, "techs", "edit", "Dee", "--home", "")
    assert r.exit_code == 0 and "home 78701 -> -" in r.stdout
    with read_session(engine) as s:
        t = techs.find_technician(s, tid)
        assert (t.home_address, t.home_lat, t.home_lon) == (None, None, None)
    refused(engine, db_path, "techs", "edit", "Dee", "--home", "the yard",
            says="home: 'the yard' does not end in a known US ZIP")  # fmt: skip
    refused(engine, db_path, "techs", "add", "Eve", "--home", "00000",
            says="home: '00000' does not end in a known US ZIP")  # fmt: skip
    refused(engine, db_path, "techs", "add", "Eve", "--level", "boss", code=2)


def sent_quote(db_path) -> str:
    r = cli(db_path, "quotes", "create", "New condenser", "--customer", "1", "--json")
    assert r.exit_code == 0, r.output
    number = json.loads(r.stdout)["number"]
    r = cli(db_path, "quotes", "add-line", number, "--desc", "Condenser", "--price", "2400")
    assert r.exit_code == 0, r.output
    assert cli(db_path, "quotes", "send", number).exit_code == 0
    return number


def test_quote_approve_new_order_uses_the_customers_site(db_path, engine, shop):
    number = sent_quote(db_path)
    r = cli(db_path, "quotes", "approve", number, "--new-order")
    assert r.exit_code == 0, r.output
    assert "order SO-000004 created" in r.stdout
    with read_session(engine) as s:
        assert (
            s.query(WorkOrder).filter(WorkOrder.number == "SO-000004").one().site_id == shop["site"]
        )


def test_quote_approve_new_order_with_several_sites(db_path, engine, shop):
    """The issue's dead end: a quote made while the customer had two sites has none."""
    from svcdesk.db import write_session
    from svcdesk.services.crm import customers as crm

    with write_session(engine) as s:
        site_id = crm.add_site(s, s.get(Customer, 1), address="9 Elm St", zip_code="78704").id
    number = sent_quote(db_path)
    refused(engine, db_path, "quotes", "approve", number, "--new-order",
            says="the customer has 2 sites")  # fmt: skip
    refused(engine, db_path, "quotes", "approve", number, "--site", "9 Elm", code=2)
    r = cli(db_path, "quotes", "approve", number, "--new-order", "--site", "9 Elm")
    assert r.exit_code == 0, r.output
    with read_session(engine) as s:
        assert s.query(WorkOrder).filter(WorkOrder.number == "SO-000004").one().site_id == site_id
