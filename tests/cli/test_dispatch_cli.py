"""`svcdesk dispatch suggest|plan|insert|route`: exit codes, output, JSON, database effect."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from svcdesk.cli.main import app
from svcdesk.db import read_session, write_session
from svcdesk.models import OrderEvent, Visit
from svcdesk.services.common.settings import set_setting
from svcdesk.services.orders import lifecycle, scheduling
from tests.unit.dispatch.dispatch_helpers import thursday_is_a_working_day  # noqa: F401

runner = CliRunner()

# Thursday 2026-11-26 (tomorrow) is Thanksgiving in the default shop.holidays; these tests
# plan it as a working day. The holiday behaviour: test_dispatch_holiday* tests.
pytestmark = pytest.mark.usefixtures("thursday_is_a_working_day")


def run(db_path, *args):
    return runner.invoke(app, ["--db", str(db_path), "--as", "dana", *args])


def visits_of(engine, number):
    with read_session(engine) as s:
        order = lifecycle.get_order(s, number)
        return [
            (v.starts_at, [t.name for t in scheduling.visit_technicians(s, v.id)])
            for v in scheduling.active_visits(s, order.id)
        ]


def test_suggest_table_and_json(db_path, engine, shop):
    r = run(db_path, "dispatch", "suggest", shop["o1"])
    assert r.exit_code == 0, r.output
    assert f"{shop['o1']}: technicians" in r.output
    lines = [line for line in r.output.splitlines() if "Alice Ng" in line or "Bob Ruiz" in line]
    assert "Alice Ng" in lines[0] and "lacks the required skill hvac" in lines[-1]
    r = run(db_path, "dispatch", "suggest", shop["o1"], "--json")
    data = json.loads(r.output)
    assert data["number"] == shop["o1"]
    first = data["suggestions"][0]
    assert first["technician"] == "Alice Ng" and first["eligible"] and first["rank"] == 1
    assert first["starts_at"] == "2026-11-25T14:10:00Z"
    assert set(first) >= {"travel_minutes", "load_minutes", "history", "overtime_risk", "why"}
    bob = next(s for s in data["suggestions"] if s["technician"] == "Bob Ruiz")
    assert not bob["eligible"] and bob["why_not"] == [
        "at Wed 08:00: Bob Ruiz lacks the required skill hvac"
    ]
    assert visits_of(engine, shop["o1"]) == []  # read-only


def test_suggest_book_books_the_first(db_path, engine, shop):
    r = run(db_path, "dispatch", "suggest", shop["o1"], "--book")
    assert r.exit_code == 0, r.output
    assert f"booked {shop['o1']}: Alice Ng Wed 08:10-09:40" in r.output
    ((starts, crew),) = visits_of(engine, shop["o1"])
    assert crew == ["Alice Ng"] and starts.isoformat() == "2026-11-25T14:10:00+00:00"
    with read_session(engine) as s:
        assert s.exec(select(OrderEvent).where(OrderEvent.actor == "dana")).first()


def test_suggest_errors(db_path, shop):
    r = run(db_path, "dispatch", "suggest", "SO-999999")
    assert r.exit_code == 1 and "not found" in r.output
    r = run(db_path, "dispatch", "suggest", shop["o1"], "--date", "someday")
    assert r.exit_code == 1 and "date:" in r.output


def test_plan_dry_run_json_then_apply(db_path, engine, shop):
    r = run(db_path, "dispatch", "plan", "--date", "2026-11-26", "--time-limit", "0.2")
    assert r.exit_code == 0, r.output
    assert "changes:" in r.output and "dry run: nothing written" in r.output
    assert f"+ {shop['o3']} emergency: book Alice Ng" in r.output
    assert visits_of(engine, shop["o3"]) == []
    r = run(db_path, "dispatch", "plan", "-d", "2026-11-26", "--time-limit", "0.2", "--json")
    data = json.loads(r.output)
    assert data["date"] == "2026-11-26" and data["violations"] == [] and data["applied"] is None
    assert {c["kind"] for c in data["changes"]} == {"book"}
    assert {c["number"] for c in data["changes"]} == {shop["o1"], shop["o3"]}
    route = next(x for x in data["routes"] if x["technician"] == "Alice Ng")
    assert route["stops"][0]["change"] == "new" and route["drive_minutes"] > 0
    r = run(db_path, "dispatch", "plan", "-d", "2026-11-26", "--time-limit", "0.2", "--apply")
    assert r.exit_code == 0, r.output
    assert "applied: 2 booked, 0 moved" in r.output
    assert len(visits_of(engine, shop["o1"])) == 1 and len(visits_of(engine, shop["o3"])) == 1
    # Planning again changes nothing.
    r = run(db_path, "dispatch", "plan", "-d", "2026-11-26", "--time-limit", "0.2", "--json")
    assert {c["kind"] for c in json.loads(r.output)["changes"]} == {"keep"}


def test_plan_bad_time_limit(db_path, shop):
    r = run(db_path, "dispatch", "plan", "--time-limit", "0")
    assert r.exit_code == 1 and "time limit" in r.output
    r = run(db_path, "dispatch", "plan", "--time-limit", "soon")
    assert r.exit_code == 2


def test_insert_shows_then_applies(db_path, engine, shop):
    r = run(db_path, "dispatch", "insert", shop["o3"])
    assert r.exit_code == 0, r.output
    assert "* Alice Ng: 08:" in r.output and "dry run" in r.output
    assert "Bob Ruiz: lacks the skill" in r.output
    assert visits_of(engine, shop["o3"]) == []
    r = run(db_path, "dispatch", "insert", shop["o3"], "--json")
    data = json.loads(r.output)
    assert data["best"]["technician"] == "Alice Ng" and data["applied"] is False
    assert data["best"]["delays"] == [] and data["not_possible"]["Cara Diaz"] == "lacks the skill"
    r = run(db_path, "dispatch", "insert", shop["o3"], "--apply")
    assert r.exit_code == 0 and f"booked {shop['o3']}: Alice Ng" in r.output
    assert [c for _, c in visits_of(engine, shop["o3"])] == [["Alice Ng"]]
    r = run(db_path, "dispatch", "insert", shop["o3"])
    assert r.exit_code == 1 and "already has a booked visit" in r.output


def test_route_json_and_ics(db_path, engine, shop, tmp_path):
    ics = tmp_path / "bob.ics"
    r = run(db_path, "dispatch", "route", "Bob", "--date", "2026-11-25", "--ics", str(ics))
    assert r.exit_code == 0, r.output
    assert "Bob Ruiz Wed 2026-11-25: 1 stops" in r.output and f"wrote {ics}" in r.output
    text = ics.read_bytes().decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and f"SUMMARY:{shop['o2']} Riverside Cafe" in text
    import icalendar  # an independent RFC 5545 reader

    events = [c for c in icalendar.Calendar.from_ical(text).walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == [
        f"{shop['o2']} Riverside Cafe: Kitchen sink leaking",
        "Lunch",
    ]
    assert str(events[0]["LOCATION"]) == "88 Riverside Dr, Austin, TX, 78741"
    assert str(events[0]["UID"]) == f"svcdesk-visit-1-tech-{shop['bob']}@svcdesk"
    r = run(db_path, "dispatch", "route", "Bob", "--json")
    data = json.loads(r.output)
    assert data["technician"] == "Bob Ruiz" and data["current_order"] == [shop["o2"]]
    assert data["route"]["stops"][0]["number"] == shop["o2"]
    r = run(db_path, "dispatch", "route", "Nobody")
    assert r.exit_code == 1 and "not found" in r.output
    r = run(db_path, "dispatch", "route", "Cara", "--date", "2026-11-29")
    assert r.exit_code == 1 and "does not work on Sun 2026-11-29" in r.output
    with read_session(engine) as s:
        assert len(s.exec(select(Visit)).all()) == 1  # read-only


def holidays(engine, days: str) -> None:
    with write_session(engine) as s:
        set_setting(s, "shop.holidays", days)


def test_holiday_plan_is_empty_unless_forced_and_default_date_skips_it(db_path, engine, shop):
    holidays(engine, "2026-11-26")
    r = run(db_path, "dispatch", "plan", "-d", "2026-11-26", "--time-limit", "0.2")
    assert r.exit_code == 0, r.output
    assert "Thu 2026-11-26 is a shop holiday (shop.holidays): technicians are off" in r.output
    assert "--force works it" in r.output
    r = run(db_path, "dispatch", "plan", "-d", "2026-11-26", "--time-limit", "0.2", "--apply")
    assert r.exit_code == 0 and visits_of(engine, shop["o1"]) == []
    r = run(db_path, "dispatch", "plan", "-d", "2026-11-26", "--time-limit", "0.2", "--json")
    data = json.loads(r.output)
    assert data["holiday"] == "off" and data["routes"] == []
    assert data["not_working"]["Alice Ng"].startswith("shop holiday Thu 2026-11-26")
    args = ("dispatch", "plan", "-d", "2026-11-26", "--time-limit", "0.2", "--force", "--json")
    data = json.loads(run(db_path, *args).output)
    assert data["holiday"] == "worked"
    assert {c["number"] for c in data["changes"]} == {shop["o1"], shop["o3"]}
    # no --date: "tomorrow" is the next day that is not a shop holiday
    data = json.loads(run(db_path, "dispatch", "plan", "--time-limit", "0.2", "--json").output)
    assert data["date"] == "2026-11-27" and data["holiday"] is None


def test_holiday_suggest_insert_and_route(db_path, engine, shop):
    holidays(engine, "2026-11-25")  # today
    r = run(db_path, "dispatch", "suggest", shop["o3"], "--date", "2026-11-25", "--json")
    alice = next(s for s in json.loads(r.output)["suggestions"] if s["technician"] == "Alice Ng")
    assert not alice["eligible"] and "shop holiday Wed 2026-11-25" in alice["why_not"][0]
    r = run(db_path, "dispatch", "insert", shop["o3"])
    assert r.exit_code == 1 and "shop holiday Wed 2026-11-25" in r.output
    r = run(db_path, "dispatch", "insert", shop["o3"], "--force", "--apply")
    assert r.exit_code == 0, r.output
    assert [c for _, c in visits_of(engine, shop["o3"])] == [["Alice Ng"]]
    r = run(db_path, "dispatch", "route", "Bob Ruiz")
    assert r.exit_code == 1
    assert "error: Bob Ruiz does not work on Wed 2026-11-25: shop holiday" in r.output
    r = run(db_path, "dispatch", "route", "Bob Ruiz", "--force", "--json")
    assert r.exit_code == 0 and len(json.loads(r.output)["route"]["stops"]) == 1
