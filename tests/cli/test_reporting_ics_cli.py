"""`svcdesk export ics`: parsed back with an independent RFC 5545 reader (icalendar)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import icalendar
from typer.testing import CliRunner

from svcdesk.cli.main import app
from svcdesk.db import write_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.orders import lifecycle, scheduling

runner = CliRunner()


def export(db_path, out, *args):
    return runner.invoke(app, ["--db", str(db_path), "export", "ics", "--out", str(out), *args])


def events(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return [c for c in cal.walk("VEVENT")]


def _bob_visit(engine, shop):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o2"])
        order.summary = "Leak; under sink, near the \\ drain — café ☃"
        return scheduling.active_visits(s, order.id)[0].id


def test_schedule_parses_back(db_path, engine, shop, tmp_path):
    _bob_visit(engine, shop)
    out = tmp_path / "bob.ics"
    result = export(db_path, out, "--tech", "Bob", "--days", "14")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "ics: 1 visits (0 cancelled) for Bob Ruiz 2026-11-25..2026-12-08"
    )
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    assert str(cal["X-WR-CALNAME"]) == "Bob Ruiz (svcdesk)"
    (ev,) = events(out)
    assert ev["DTSTART"].dt == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert ev["DTEND"].dt == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert str(ev["SUMMARY"]) == (
        f"{shop['o2']} Riverside Cafe: Leak; under sink, near the \\ drain — café ☃"
    )
    assert str(ev["LOCATION"]) == "88 Riverside Dr, Austin, TX 78741"
    assert "Customer: Riverside Cafe · (512) 555-0303" in str(ev["DESCRIPTION"])
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert all(len(line) <= 75 for line in out.read_bytes().split(b"\r\n"))


def test_reschedule_and_cancel_keep_the_uid(db_path, engine, shop, tmp_path):
    visit_id = _bob_visit(engine, shop)
    out = tmp_path / "bob.ics"
    export(db_path, out, "--tech", "Bob")
    (first,) = events(out)
    with write_session(engine) as s:
        visit = s.get(scheduling.Visit, visit_id)
        scheduling.reschedule_visit(s, visit, parse_when("2026-11-25 13:00", shop_zone(s)))
    export(db_path, out, "--tech", "Bob")
    (moved,) = events(out)
    assert moved["UID"] == first["UID"]
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert moved["DTSTART"].dt == datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    with write_session(engine) as s:
        scheduling.cancel_visit(s, s.get(scheduling.Visit, visit_id), reason="customer away")
    result = export(db_path, out, "--tech", "Bob", "--json")
    assert json.loads(result.output)["cancelled"] == 1
    (gone,) = events(out)
    assert gone["UID"] == first["UID"] and str(gone["STATUS"]) == "CANCELLED"


def test_window_and_errors(db_path, engine, shop, tmp_path):
    out = tmp_path / "a.ics"
    result = export(db_path, out, "--tech", "Alice", "--from", "2026-11-26", "--days", "1")
    assert result.exit_code == 0 and events(out) == []
    assert export(db_path, out, "--tech", "Bob", "--from", "2026-11-26").exit_code == 0
    assert events(out) == []  # Bob's visit is today, before the window
    bad = export(db_path, out, "--tech", "Nobody")
    assert bad.exit_code == 1 and bad.output.startswith("error:")
    assert export(db_path, out, "--tech", "Bob", "--days", "0").exit_code == 2
    assert export(db_path, tmp_path / "nope" / "x.ics", "--tech", "Bob").exit_code == 1
