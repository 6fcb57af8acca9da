"""CliRunner tests for `svcdesk schedule day|techs`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

runner = CliRunner()


def cli(db_path, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args])


def test_schedule_day_json(db_path, shop):
    r = cli(db_path, "schedule", "day", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    # one convention (issue 20): UTC with Z, the shop's clock only in `*_local` fields
    assert (data["date"], data["timezone"], data["start"], data["end"]) == (
        "2026-11-25",
        "America/Chicago",
        "2026-11-25T14:00:00Z",
        "2026-11-26T01:00:00Z",
    )
    assert (data["start_local"], data["end_local"]) == (
        "2026-11-25T08:00:00-06:00",
        "2026-11-25T19:00:00-06:00",
    )
    bob = next(t for t in data["technicians"] if t["name"] == "Bob Ruiz")
    assert bob["shifts"] == [
        {
            "start": "2026-11-25T14:00:00Z",
            "end": "2026-11-25T23:00:00Z",
            "start_local": "2026-11-25T08:00:00-06:00",
            "end_local": "2026-11-25T17:00:00-06:00",
            "reason": None,
        }
    ]
    assert (bob["shift_minutes"], bob["booked_minutes"]) == (540, 60)
    (visit,) = bob["visits"]
    assert visit["number"] == shop["o2"]
    assert (visit["starts_at"], visit["ends_at"]) == (
        "2026-11-25T16:00:00Z",
        "2026-11-25T17:00:00Z",
    )
    assert [o["number"] for o in data["unassigned"]] == [shop["o3"], shop["o1"]]
    assert data["unassigned"][1]["est_minutes"] == 90


def test_schedule_day_text_and_other_day(db_path, shop):
    r = cli(db_path, "schedule", "day")
    assert r.exit_code == 0
    assert "Wed 2026-11-25" in r.stdout and shop["o2"] in r.stdout
    assert "2 unassigned" in r.stdout
    r = cli(db_path, "schedule", "day", "--date", "2026-11-28", "--json")
    data = json.loads(r.stdout)
    assert data["date"] == "2026-11-28"
    assert [t["name"] for t in data["technicians"] if t["shifts"]] == ["Cara Diaz"]


def test_schedule_day_bad_date(db_path, shop):
    r = cli(db_path, "schedule", "day", "--date", "someday")
    assert r.exit_code == 1
    assert "error: date: 'someday' is not a date/time" in r.stderr
    assert "Traceback" not in r.output


def test_schedule_techs(db_path, shop):
    r = cli(db_path, "schedule", "techs", "--json")
    assert r.exit_code == 0
    rows = {t["name"]: t for t in json.loads(r.stdout)}
    assert rows["Bob Ruiz"]["status"] == "free"
    assert rows["Bob Ruiz"]["detail"] == f"next {shop['o2']} 10:00"
    assert rows["Bob Ruiz"]["today"]["visits"][0]["number"] == shop["o2"]
    assert rows["Cara Diaz"]["status"] == "off"
    assert rows["Alice Ng"]["tomorrow"]["date"] == "2026-11-26"
    r = cli(db_path, "schedule", "techs")
    assert r.exit_code == 0 and "shift starts 10:00" in r.stdout and "1.0/9.0h" in r.stdout


def test_schedule_techs_all_includes_inactive(db_path, shop):
    from svcdesk.db import make_engine, write_session
    from svcdesk.models import Technician

    engine = make_engine(str(db_path))
    with write_session(engine) as s:
        s.get(Technician, shop["cara"]).active = False
    engine.dispose()
    names = [t["name"] for t in json.loads(cli(db_path, "schedule", "techs", "--json").stdout)]
    assert names == ["Alice Ng", "Bob Ruiz"]
    rows = json.loads(cli(db_path, "schedule", "techs", "--all", "--json").stdout)
    cara = next(t for t in rows if t["name"] == "Cara Diaz")
    assert (cara["active"], cara["status"], cara["detail"]) == (False, "off", "inactive")
