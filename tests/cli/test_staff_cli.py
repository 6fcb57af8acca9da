"""`svcdesk staff add|edit|list|deactivate`, `--as NAME` (an active staff member, recorded
on behalf of the OS user), `init --staff` and `audit --kind/--record`: exit codes, output
and the database's contents."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, func, select
from typer.testing import CliRunner

from svcdesk.db import make_engine, read_session
from svcdesk.models import OrderEvent, Setting
from svcdesk.models.shop import ChangeEvent, Staff

runner = CliRunner()


def cli(db, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db), *args])


def ok(db, *args) -> str:
    r = cli(db, *args)
    assert r.exit_code == 0, r.output
    return r.stdout


def counts(engine) -> dict:
    with read_session(engine) as s:
        return {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Setting, Staff, ChangeEvent, OrderEvent)
        }


def one_error_line(r, *parts) -> str:
    assert r.exit_code == 1, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert all(p in lines[0] for p in parts), lines[0]
    assert "Traceback" not in r.output
    return lines[0]


@pytest.fixture(autouse=True)
def os_user(monkeypatch):
    monkeypatch.setenv("SVCDESK_USER", "jsmith")


def test_staff_add_list_edit_deactivate(db_path, engine, shop):
    out = ok(db_path, "staff", "add", "Robin Hale", "--role", "office", "--tech", "Alice")
    assert "staff #5 Robin Hale (office, technician Alice Ng) added" in out
    before = counts(engine)
    one_error_line(cli(db_path, "staff", "add", "robin hale"), "already exists")
    one_error_line(cli(db_path, "staff", "add", "Pat", "--role", "boss"), "role:", "manager")
    assert counts(engine) == before
    rows = json.loads(ok(db_path, "staff", "list", "--json"))
    assert [r["name"] for r in rows] == ["dana", "kim", "lee", "Robin Hale", "sam"]
    assert rows[3] == {"id": 5, "name": "Robin Hale", "role": "office",
                       "technician": "Alice Ng", "active": True}  # fmt: skip
    out = ok(db_path, "staff", "edit", "ROBIN HALE", "--role", "manager", "--tech", "")
    assert "role office -> manager" in out and "technician Alice Ng -> -" in out
    assert cli(db_path, "staff", "edit", "robin hale").exit_code == 2  # nothing to change
    assert "deactivated" in ok(db_path, "staff", "deactivate", "5")
    one_error_line(cli(db_path, "staff", "deactivate", "5"), "already inactive")
    assert "Robin Hale" not in ok(db_path, "staff", "list")
    assert "Robin Hale" in ok(db_path, "staff", "list", "--all")
    one_error_line(cli(db_path, "--as", "Robin Hale", "staff", "list"), "inactive")
    one_error_line(cli(db_path, "staff", "edit", "nobody", "--role", "office"), "no staff")
    audit = json.loads(ok(db_path, "audit", "--kind", "staff", "--record", "5", "--json"))
    assert [(a["kind"], a["actor"]) for a in audit] == [
        ("created", "jsmith"),
        ("edited", "jsmith"),
        ("edited", "jsmith"),
    ]
    assert audit[-1]["before"]["active"] is True and audit[-1]["after"]["active"] is False


def test_an_unknown_as_is_refused_and_writes_nothing(db_path, engine, shop):
    before = counts(engine)
    line = one_error_line(cli(db_path, "--as", "bob", "settings", "set", "sla.hours.high", "9"),
                          "--as: 'bob' is not a staff member", "svcdesk staff add")  # fmt: skip
    assert "dana" in line
    one_error_line(cli(db_path, "--as", "x" * 300, "orders", "list"), "at most 60 characters")
    assert counts(engine) == before


def test_a_known_as_is_recorded_on_behalf_of_the_os_user(db_path, engine, shop):
    ok(db_path, "--as", "Dana", "settings", "set", "sla.hours.high", "12")
    ok(db_path, "--as", "dana", "orders", "status", shop["o1"], "on_hold", "--note", "parts")
    ok(db_path, "orders", "status", shop["o1"], "new")
    with read_session(engine) as s:
        change = s.exec(select(ChangeEvent).order_by(col(ChangeEvent.id).desc())).first()
        assert (change.actor, change.on_behalf_of) == ("dana", "jsmith")
        events = s.exec(select(OrderEvent).order_by(col(OrderEvent.id).desc()).limit(2)).all()
        assert [(e.actor, e.on_behalf_of) for e in events] == [("jsmith", None), ("dana", "jsmith")]
    out = ok(db_path, "audit", "--actor", "jsmith")
    assert "dana on behalf of jsmith" in out and "setting" in out
    rows = json.loads(ok(db_path, "audit", "--kind", "setting", "--json"))
    assert rows[-1]["on_behalf_of"] == "jsmith" and rows[-1]["after"] == {"value": "12"}


def test_a_long_os_user_name_is_refused(db_path, shop, monkeypatch):
    monkeypatch.setenv("SVCDESK_USER", "u" * 300)
    one_error_line(cli(db_path, "orders", "list"), "SVCDESK_USER: at most 60 characters")


@pytest.mark.sqlite_only
def test_an_empty_shop_refuses_as_until_staff_is_added(tmp_path):
    path = tmp_path / "new.db"
    init = ("--company", "Hill Country HVAC", "--timezone", "America/Chicago", "--hours",
            "mon-fri 07:30-17:00", "--tax-zone", "Austin", "--tax-rate", "8.25")  # fmt: skip
    one_error_line(cli(path, "--as", "dana", "init", *init), "no staff yet")
    assert not path.exists()
    ok(path, "init", *init)
    one_error_line(cli(path, "--as", "dana", "staff", "list"),
                   "this shop has no staff yet; add one with `svcdesk staff add NAME`")  # fmt: skip
    assert "no staff yet" in ok(path, "staff", "list")  # without --as: as today
    ok(path, "staff", "add", "Dana")
    ok(path, "--as", "dana", "staff", "add", "Lee")
    with read_session(make_engine(str(path))) as s:
        lee = s.exec(select(ChangeEvent).where(ChangeEvent.ref == "2")).one()
        assert (lee.actor, lee.on_behalf_of) == ("Dana", "jsmith")


@pytest.mark.sqlite_only
def test_init_adds_the_first_staff_member(tmp_path):
    path = tmp_path / "new.db"
    out = ok(path, "--as", "kim lo", "init", "--company", "Hill Country HVAC", "--timezone",
             "America/Chicago", "--hours", "mon-fri 07:30-17:00", "--tax-zone", "Austin",
             "--tax-rate", "8.25", "--staff", "Kim Lo")  # fmt: skip
    assert "staff: Kim Lo (manager) added" in out
    rows = json.loads(ok(path, "audit", "--json"))
    assert {(r["actor"], r["on_behalf_of"]) for r in rows} == {("Kim Lo", "jsmith")}
    assert "Kim Lo on behalf of jsmith" in ok(path, "--as", "KIM LO", "audit", "--kind", "staff")


def test_techs_and_time_writes_show_in_the_audit(db_path, engine, shop):
    ok(db_path, "--as", "lee", "techs", "add", "Eve Moss", "--cost", "40")
    ok(db_path, "techs", "edit", "Eve Moss", "--rate", "45.50", "--inactive")
    out = ok(db_path, "audit", "--kind", "technician")
    assert "lee on behalf of jsmith" in out and "created" in out
    rows = json.loads(ok(db_path, "audit", "--kind", "technician", "--record", "4", "--json"))
    assert [r["kind"] for r in rows] == ["created", "edited"]
    assert (rows[1]["before"]["rate"], rows[1]["after"]["rate"]) == ("$40.00", "$45.50")
    ok(db_path, "time", "add", "--tech", "Bob Ruiz", "--kind", "shop", "--start",
       "2026-11-24 08:00", "--end", "2026-11-24 09:00")  # fmt: skip
    ok(db_path, "--as", "kim", "time", "approve", "--tech", "Bob Ruiz", "--day", "2026-11-24")
    ok(db_path, "time", "delete", "1")
    rows = json.loads(ok(db_path, "audit", "--kind", "time entry", "--json"))
    assert [(r["kind"], r["actor"]) for r in rows] == [
        ("created", "jsmith"),
        ("approved", "kim"),
        ("deleted", "jsmith"),
    ]
    assert rows[-1]["before"]["approved"] == "by kim" and rows[-1]["after"] is None
    r = cli(db_path, "audit", "--record", "4")
    assert r.exit_code == 2 and "give --kind with --record" in r.output


def test_as_takes_a_first_name_only_one_active_member_has(db_path, engine, shop):
    ok(db_path, "staff", "add", "Lee Park", "--role", "office")
    ok(db_path, "--as", "LEE PARK", "settings", "set", "sla.hours.high", "11")
    ok(db_path, "staff", "add", "Robin Hale")
    ok(db_path, "--as", "robin", "settings", "set", "sla.hours.high", "12")
    ok(db_path, "staff", "add", "Robin Stone")
    before = counts(engine)
    one_error_line(cli(db_path, "--as", "robin", "settings", "set", "sla.hours.high", "9"),
                   "--as: 'robin' is not a staff member")  # fmt: skip
    assert counts(engine) == before
    with read_session(engine) as s:
        actors = [
            c.actor for c in s.exec(select(ChangeEvent).where(ChangeEvent.entity == "setting"))
        ]
    assert actors[-2:] == ["Lee Park", "Robin Hale"]
