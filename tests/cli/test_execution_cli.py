"""CliRunner tests: visits, time, export timecards, attach, checklist, closeout."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import Visit, WorkOrder
from svcdesk.models.execution import Attachment, Signature, TimeEntry
from tests.support.cli import cli, ok


def _order(engine, number):
    with read_session(engine) as s:
        return s.exec(select(WorkOrder).where(WorkOrder.number == number)).one()


def test_visit_from_en_route_to_completed(db_path, engine, shop):
    o2 = shop["o2"]  # booked with Bob at 10:00 today
    r = ok(db_path, "visits", "start", o2, "--at", "today 09:40")
    assert "en route at 09:40; status en route" in r.stdout
    ok(db_path, "visits", "arrive", o2, "--at", "today 10:00")
    r = ok(
        db_path,
        "visits",
        "complete",
        o2,
        "fixed",
        "--work",
        "Replaced trap",
        "--at",
        "today 10:50",
        "--no-parts",
    )
    assert "status completed" in r.stdout
    assert _order(engine, o2).status == "completed"
    r = ok(db_path, "visits", "show", o2, "--json")
    data = json.loads(r.stdout)
    assert data["visits"][0]["outcome"] == "fixed"
    assert data["visits"][0]["arrived_at"] == "2026-11-25T16:00:00Z"
    assert [(t["kind"], t["minutes"]) for t in data["time"]] == [("travel", 20), ("work", 50)]
    r = ok(db_path, "visits", "show", o2)
    assert "Replaced trap" in r.stdout
    r = ok(db_path, "visits", "outcome", o2, "quoted", "--work", "Quoted new faucet")
    assert "outcome quoted" in r.stdout


def test_visit_errors(db_path, shop):
    r = cli(db_path, "visits", "complete", shop["o2"], "fixed")
    assert r.exit_code == 1 and "record the arrival first" in r.stderr
    r = cli(db_path, "visits", "start", shop["o1"])
    assert r.exit_code == 1 and "has no booked visit" in r.stderr
    r = cli(db_path, "visits", "arrive", shop["o2"], "--at", "soonish")
    assert r.exit_code == 1 and "--at: 'soonish' is not a date/time" in r.stderr
    r = cli(db_path, "visits", "start", shop["o2"], "--tech", "Alice Ng")
    assert r.exit_code == 1 and "not on this visit's crew" in r.stderr


def test_complete_with_return_visit_and_leave(db_path, engine, shop):
    o2 = shop["o2"]
    ok(
        db_path,
        "orders",
        "assign",
        o2,
        "--tech",
        "Bob Ruiz",
        "--tech",
        "Alice Ng",
        "--at",
        "today 14:00",
        "--force",
    )
    ok(db_path, "visits", "arrive", o2, "--at", "today 10:00", "--visit", "1")
    r = ok(db_path, "visits", "leave", o2, "--tech", "Bob Ruiz", "--at", "today 10:30")
    assert "Bob Ruiz left the site" in r.stdout
    r = cli(
        db_path,
        "visits",
        "complete",
        o2,
        "needs_parts",
        "--at",
        "today 11:00",
        "--return-at",
        "2026-11-27 09:00",
    )
    assert r.exit_code == 0, r.stderr
    assert "return visit booked 2026-11-27 09:00" in r.stdout


def test_time_add_list_edit_delete_card_approve_export(db_path, engine, shop, tmp_path):
    r = ok(
        db_path,
        "time",
        "add",
        "--tech",
        "Bob Ruiz",
        "--kind",
        "shop",
        "--start",
        "2026-11-24 07:00",
        "--end",
        "2026-11-24 16:30",
    )
    assert "time entry 1: Bob Ruiz shop 2026-11-24 07:00-16:30" in r.stdout
    r = cli(
        db_path,
        "time",
        "add",
        "--tech",
        "Bob Ruiz",
        "--kind",
        "work",
        "--start",
        "2026-11-24 16:00",
        "--end",
        "2026-11-24 17:00",
        "--order",
        shop["o2"],
    )
    assert r.exit_code == 1 and "can't overlap" in r.stderr
    ok(
        db_path,
        "time",
        "add",
        "--tech",
        "Bob Ruiz",
        "--kind",
        "work",
        "--start",
        "2026-11-24 16:30",
        "--end",
        "2026-11-24 17:00",
        "--order",
        shop["o2"],
    )
    rows = json.loads(ok(db_path, "time", "list", "--tech", "Bob Ruiz", "--json").stdout)
    assert [r["minutes"] for r in rows] == [570, 30]
    assert "SO-000002" in ok(db_path, "time", "list", "--day", "2026-11-24").stdout
    cards = json.loads(ok(db_path, "time", "card", "--day", "2026-11-24", "--json").stdout)
    assert cards[0]["regular_hours"] == 8.0 and cards[0]["overtime_hours"] == 2.0
    ok(db_path, "time", "edit", "2", "--end", "2026-11-24 16:45")
    with read_session(engine) as s:
        assert s.get(TimeEntry, 2).source == "manual"
    out = tmp_path / "tc.csv"
    r = ok(db_path, "export", "timecards", "--week", "2026-11-24", "--out", str(out), "--json")
    summary = json.loads(r.stdout)
    assert summary["rows"] == 0 and summary["unapproved_entries"] == 2
    r = ok(db_path, "time", "approve", "--tech", "Bob Ruiz", "--day", "2026-11-24")
    assert "2 entries approved" in r.stdout
    r = ok(db_path, "export", "timecards", "--week", "2026-11-24", "--out", str(out))
    assert "1 rows" in r.stdout
    assert out.read_text().splitlines()[1] == "Bob Ruiz,2026-11-24,8.00,1.75,0,15,570,0"
    ok(db_path, "time", "delete", "2")
    assert "2026-11-24" in ok(db_path, "time", "card", "--week", "2026-11-24").stdout
    r = cli(db_path, "time", "delete", "99")
    assert r.exit_code == 1 and "time entry 99 not found" in r.stderr
    r = cli(
        db_path,
        "time",
        "add",
        "--tech",
        "Nobody",
        "--kind",
        "work",
        "--start",
        "9:00",
        "--end",
        "10:00",
    )
    assert r.exit_code == 1


@pytest.mark.sqlite_only  # files live beside a SQLite database (app dir on a server DB)
def test_attach_and_sign(db_path, engine, shop, tmp_path):
    photo = tmp_path / "after.jpg"
    photo.write_bytes(b"jpeg")
    r = ok(db_path, "attach", "add", shop["o2"], str(photo), "--caption", "Trap replaced")
    assert "attached photo after.jpg (id 1" in r.stdout
    stored = ok(db_path, "attach", "path", "1").stdout.strip()
    assert stored.endswith(_sha(photo)) and "svcdesk-files" in stored
    r = cli(db_path, "attach", "add", shop["o2"], str(tmp_path / "missing.jpg"))
    assert r.exit_code == 1 and "missing.jpg: no such file" in r.stderr
    r = cli(
        db_path, "attach", "add", shop["o2"], "../after.jpg", "--base-dir", str(tmp_path / "inbox")
    )
    assert r.exit_code == 1 and "path traversal refused" in r.stderr
    r = cli(db_path, "attach", "add", shop["o2"], str(photo), "--name", "../../x.jpg")
    assert r.exit_code == 1 and "plain file name" in r.stderr
    r = cli(db_path, "attach", "add", shop["o2"], str(photo), "--kind", "video")
    assert r.exit_code == 1 and "kind: 'video'" in r.stderr
    r = ok(db_path, "attach", "sign", shop["o2"], "--signer", "Maria Lopez", "--image", str(photo))
    assert "signed off by Maria Lopez at 2026-11-25 08:00" in r.stdout
    data = json.loads(ok(db_path, "attach", "list", shop["o2"], "--json").stdout)
    assert [a["kind"] for a in data["attachments"]] == ["photo", "signature"]
    assert data["signatures"][0]["signer"] == "Maria Lopez"
    assert "Signed by Maria Lopez" in ok(db_path, "attach", "list", shop["o2"]).stdout
    with read_session(engine) as s:
        assert len(s.exec(select(Attachment)).all()) == 2 and s.exec(select(Signature)).one()


def _sha(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_checklist_commands_and_completion_rule(db_path, engine, shop):
    r = ok(
        db_path,
        "checklist",
        "add",
        "Sink check",
        "--item",
        "Leak stopped:yes_no",
        "--item",
        "Pressure:number:psi",
        "--item",
        "Notes:text:optional",
    )
    assert "3 items" in r.stdout
    data = json.loads(ok(db_path, "checklist", "list", "--json").stdout)
    assert data[0]["items"][1] == {
        "label": "Pressure",
        "position": 2,
        "required": True,
        "type": "number",
        "unit": "psi",
    }
    assert "Sink check" in ok(db_path, "checklist", "list").stdout
    r = cli(db_path, "checklist", "add", "Bad", "--item", "X:colour")
    assert r.exit_code == 1 and "not one of yes_no" in r.stderr
    ok(db_path, "checklist", "attach", shop["o2"], "Sink check")
    ok(db_path, "visits", "arrive", shop["o2"], "--at", "today 10:00")
    r = cli(db_path, "visits", "complete", shop["o2"], "fixed", "--at", "today 11:00")
    assert r.exit_code == 1 and "required checklist items unanswered" in r.stderr
    r = ok(db_path, "checklist", "answer", shop["o2"], "Pressure", "62")
    assert "Sink check: Pressure = 62 psi" in r.stdout
    r = cli(db_path, "checklist", "answer", shop["o2"], "1", "perhaps")
    assert r.exit_code == 1 and "not yes or no" in r.stderr
    ok(db_path, "checklist", "answer", shop["o2"], "1", "yes")
    shown = json.loads(ok(db_path, "checklist", "show", shop["o2"], "--json").stdout)
    assert [i["answer"] for i in shown["items"]] == ["yes", "62", None]
    assert "Leak stopped" in ok(db_path, "checklist", "show", shop["o2"]).stdout
    ok(db_path, "visits", "complete", shop["o2"], "fixed", "--at", "today 11:00")
    assert "checklist" in ok(db_path, "orders", "show", shop["o2"]).stdout


def test_closeout_json_and_table(db_path, engine, shop):
    assert json.loads(ok(db_path, "closeout", "--json").stdout) == []
    ok(db_path, "visits", "arrive", shop["o2"], "--at", "today 10:00")
    ok(db_path, "visits", "complete", shop["o2"], "fixed", "--at", "today 11:00")
    rows = json.loads(ok(db_path, "closeout", "--json").stdout)
    assert rows[0]["number"] == shop["o2"]
    assert [p["code"] for p in rows[0]["problems"]] == ["no_parts"]
    assert "parts not recorded" in ok(db_path, "closeout").stdout
    ok(db_path, "stock", "use", shop["o2"], "--none")
    assert json.loads(ok(db_path, "closeout", "--json").stdout) == []
    with read_session(engine) as s:
        assert s.exec(select(Visit)).first().outcome == "fixed"
