"""CliRunner tests for db, orders, customers, techs, settings and demo."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from svcdesk.db import read_session
from svcdesk.models import Customer, OrderEvent, Technician, Visit, WorkOrder
from svcdesk.services.orders import lifecycle

runner = CliRunner()


def cli(db_path, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args])


@pytest.mark.sqlite_only
def test_db_path_and_init_and_backup(db_path, tmp_path, shop):
    r = cli(db_path, "db", "path", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["file"] == str(db_path)
    assert cli(db_path, "db", "init").exit_code == 0
    target = tmp_path / "copy.db"
    r = cli(db_path, "db", "backup", str(target))
    assert r.exit_code == 0 and target.exists()
    r = cli(target, "orders", "list", "--json")
    assert len(json.loads(r.stdout)) == 3
    r = cli(db_path, "db", "backup", str(db_path))
    assert r.exit_code == 1 and "live database" in r.stderr


def test_orders_list_json_shape_and_filters(db_path, shop):
    r = cli(db_path, "orders", "list", "--json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert [row["number"] for row in rows] == [shop["o3"], shop["o1"], shop["o2"]]
    assert set(rows[0]) >= {"number", "priority", "status", "customer", "technicians", "sla_due"}
    assert (
        json.loads(cli(db_path, "orders", "list", "--unassigned", "--json").stdout)[-1]["number"]
        == shop["o1"]
    )
    assert [
        o["number"]
        for o in json.loads(cli(db_path, "orders", "list", "--tech", "bob", "--json").stdout)
    ] == [shop["o2"]]
    assert len(json.loads(cli(db_path, "orders", "list", "--search", "sink", "--json").stdout)) == 1
    assert (
        len(json.loads(cli(db_path, "orders", "list", "--priority", "EMERGENCY", "--json").stdout))
        == 1
    )
    r = cli(db_path, "orders", "list")
    assert "SO-000001" in r.stdout and "Jane Porter" in r.stdout


def test_orders_show(db_path, shop):
    r = cli(db_path, "orders", "show", shop["o2"], "--json")
    data = json.loads(r.stdout)
    assert data["visits"][0]["technicians"] == ["Bob Ruiz"]
    assert [e["kind"] for e in data["events"]] == ["created", "status", "assigned"]
    assert "dispatched" in data["allowed_moves"]
    r = cli(db_path, "orders", "show", "2")
    assert r.exit_code == 0 and "History" in r.stdout
    r = cli(db_path, "orders", "show", "SO-999999")
    assert r.exit_code == 1 and r.stderr.strip() == "error: order 'SO-999999' not found"


def test_orders_status_moves_and_refuses(db_path, engine, shop):
    r = cli(db_path, "orders", "status", shop["o2"], "dispatched")
    assert r.exit_code == 0 and "scheduled -> dispatched" in r.stdout
    r = cli(db_path, "orders", "status", shop["o2"], "closed")
    assert r.exit_code == 1 and "allowed: en route, scheduled, on hold, cancelled" in r.stderr
    r = cli(db_path, "orders", "status", shop["o1"], "on_hold")
    assert r.exit_code == 1 and "reason is required" in r.stderr
    r = cli(db_path, "orders", "status", shop["o1"], "on_hold", "--note", "parts")
    assert r.exit_code == 0
    with read_session(engine) as s:
        assert lifecycle.get_order(s, shop["o1"]).hold_reason == "parts"


def test_orders_assign_refusal_then_force(db_path, engine, shop):
    r = cli(db_path, "orders", "assign", shop["o1"], "--tech", "Bob", "--at", "2026-11-25 10:30")
    assert r.exit_code == 1
    assert "lacks the required skill hvac" in r.stderr and "double-booked" in r.stderr
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Visit)).one() == 1
    r = cli(
        db_path,
        "--as",
        "dana",
        "orders",
        "assign",
        shop["o1"],
        "--tech",
        "Bob",
        "--at",
        "2026-11-25 10:30",
        "--force",
    )
    assert r.exit_code == 0 and "(forced)" in r.stdout
    with read_session(engine) as s:
        ev = s.exec(select(OrderEvent).where(OrderEvent.kind == "override")).one()
        assert ev.actor == "dana"


def test_orders_assign_crew_reschedule_unassign_note(db_path, engine, shop):
    r = cli(
        db_path,
        "orders",
        "assign",
        shop["o1"],
        "--tech",
        "Alice,Bob",
        "--at",
        "today 1pm",
        "--minutes",
        "60",
    )
    assert r.exit_code == 0 and "Alice Ng, Bob Ruiz" in r.stdout
    r = cli(db_path, "orders", "reschedule", shop["o1"], "--at", "today 2pm")
    assert r.exit_code == 0 and "14:00-15:00" in r.stdout
    r = cli(db_path, "orders", "note", shop["o1"], "Customer prefers afternoons")
    assert r.exit_code == 0
    r = cli(db_path, "orders", "unassign", shop["o1"], "--reason", "customer postponed")
    assert r.exit_code == 0 and "status new" in r.stdout
    with read_session(engine) as s:
        kinds = [
            e.kind
            for e in s.exec(
                select(OrderEvent).where(OrderEvent.order_id == 1).order_by(OrderEvent.id)
            )
        ]
    assert kinds == ["created", "status", "assigned", "rescheduled", "note", "unassigned", "status"]


def test_bad_time_is_one_line(db_path, shop):
    r = cli(db_path, "orders", "assign", shop["o1"], "--tech", "Alice", "--at", "whenever")
    assert r.exit_code == 1
    assert r.stderr.count("\n") == 1 and "at: 'whenever' is not a date/time" in r.stderr


def test_usage_error_exits_2(db_path):
    assert cli(db_path, "orders", "frobnicate").exit_code == 2
    assert cli(db_path, "orders", "assign", "SO-000001").exit_code == 2


def test_customers_commands(db_path, engine, shop):
    r = cli(
        db_path,
        "customers",
        "add",
        "Mo Diaz",
        "--phone",
        "512 555 0777",
        "--address",
        "9 Elm St",
        "--zip",
        "78701",
        "--json",
    )
    assert r.exit_code == 0
    cid = json.loads(r.stdout)["id"]
    r = cli(db_path, "customers", "add", "Mo Again", "--phone", "(512) 555-0777")
    assert r.exit_code == 1 and "already has that phone" in r.stderr
    r = cli(db_path, "customers", "list", "--search", "Elm", "--json")
    assert [c["id"] for c in json.loads(r.stdout)] == [cid]
    r = cli(db_path, "customers", "show", "512-555-0101", "--json")
    data = json.loads(r.stdout)
    assert (
        data["name"] == "Jane Porter"
        and len(data["orders"]) == 2
        and data["assets"][0]["kind"] == "furnace"
    )
    assert cli(db_path, "customers", "show", "Nobody").exit_code == 1
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Customer)).one() == 3


def test_techs_commands(db_path, engine, shop):
    r = cli(
        db_path,
        "techs",
        "add",
        "Dee Park",
        "--skill",
        "plumbing,gas",
        "--shifts",
        "mon-fri 07:00-15:00",
        "--cost",
        "39.50",
        "--json",
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["skills"] == ["gas", "plumbing"]
    with read_session(engine) as s:
        assert (
            s.exec(select(Technician).where(Technician.name == "Dee Park")).one().hourly_cost_cents
            == 3950
        )
    assert "already exists" in cli(db_path, "techs", "add", "Dee Park").stderr
    assert "is not like" in cli(db_path, "techs", "add", "X", "--shifts", "weekdays").stderr
    rows = json.loads(cli(db_path, "techs", "list", "--json").stdout)
    assert [t["name"] for t in rows] == ["Alice Ng", "Bob Ruiz", "Cara Diaz", "Dee Park"]
    r = cli(db_path, "techs", "show", "bob", "--json")
    assert json.loads(r.stdout)["orders"][0]["number"] == shop["o2"]
    r = cli(
        db_path,
        "techs",
        "timeoff",
        "Alice",
        "--from",
        "2026-11-26 00:00",
        "--to",
        "2026-11-27 00:00",
    )
    assert r.exit_code == 0
    r = cli(db_path, "orders", "assign", shop["o1"], "--tech", "Alice", "--at", "2026-11-26 09:00")
    assert r.exit_code == 1 and "time off" in r.stderr


def test_settings(db_path):
    assert cli(db_path, "settings", "set", "shop.timezone", "Mars/Base").exit_code == 1
    assert cli(db_path, "settings", "set", "company.name", "Acme HVAC").exit_code == 0
    assert (
        json.loads(cli(db_path, "settings", "list", "--json").stdout)["company.name"] == "Acme HVAC"
    )


def test_demo_builds_and_refuses_to_overwrite(db_path, engine):
    r = cli(db_path, "demo", "--orders", "40", "--seed", "3")
    assert r.exit_code == 0, r.output
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(WorkOrder)).one() >= 40
        assert s.exec(select(func.count()).select_from(Technician)).one() == 12
    r = cli(db_path, "demo", "--orders", "40")
    assert r.exit_code == 1 and "--force" in r.stderr
    assert cli(db_path, "demo", "--orders", "20", "--force").exit_code == 0


def test_every_command_has_help():
    import typer.main

    from svcdesk.cli.main import app

    def walk(cmd, path):
        ctx = typer.Context(cmd)
        names = cmd.list_commands(ctx) if hasattr(cmd, "list_commands") else []
        for name in names:
            sub = cmd.get_command(ctx, name)
            assert sub.help or sub.short_help, f"{' '.join([*path, name])} has no help"
            walk(sub, [*path, name])
        return len(names)

    assert walk(typer.main.get_command(app), ["svcdesk"]) > 30  # (groups are built lazily)
