"""Garbage in: every parser and importer answers with a clear one-line error (a
SvcDeskError) or a value — never a traceback, never a partial write."""

from __future__ import annotations

import string
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select
from typer.testing import CliRunner

from svcdesk.errors import SvcDeskError
from svcdesk.models import WorkOrder
from svcdesk.services.common.money import parse_money
from svcdesk.services.common.timefmt import parse_day, parse_when
from svcdesk.services.crm import technicians
from svcdesk.services.orders import intake, lifecycle

ZONE = ZoneInfo("America/Chicago")
runner = CliRunner()
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
texty = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def _clear(fn, value):
    try:
        fn(value)
    except SvcDeskError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message


@FUZZ
@given(texty)
def test_parsers_never_crash(value):
    _clear(lambda v: parse_when(v, ZONE), value)
    _clear(lambda v: parse_day(v, ZONE), value)
    _clear(parse_money, value)
    _clear(technicians.parse_shifts, value)
    _clear(intake.parse_priority, value)
    _clear(lifecycle.parse_status, value)


@FUZZ
@given(st.text(alphabet=string.digits + "-/: APM", max_size=25))
def test_date_like_garbage(value):
    _clear(lambda v: parse_when(v, ZONE), value)


def _count(engine) -> int:
    from svcdesk.db import read_session

    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(WorkOrder)).one()


ROW = st.fixed_dictionaries(
    {
        "customer": texty,
        "phone": texty,
        "address": texty,
        "summary": texty,
        "priority": st.sampled_from(["high", "HIGH", "urgentish", "", "normal"]),
        "window_start": st.sampled_from(["", "11/25/2026 9:00 AM", "2026-13-45", "tomorrow", "x"]),
        "est_minutes": st.sampled_from(["", "60", "-5", "1e9", "ninety", "30"]),
    }
)


@FUZZ
@given(rows=st.lists(ROW, min_size=1, max_size=6), junk=st.binary(max_size=30))
def test_intake_file_all_or_nothing(db_path, engine, shop, tmp_path_factory, rows, junk):
    import csv

    path = tmp_path_factory.mktemp("fz") / "in.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(path, "ab") as f:
        f.write(junk)
    from svcdesk.cli.main import app

    before = _count(engine)
    r = runner.invoke(app, ["--db", str(db_path), "intake", "--file", str(path)])
    assert r.exit_code in (0, 1), r.output
    assert (
        "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit)
    )
    if r.exit_code == 1:
        assert _count(engine) == before  # nothing written
        assert r.stderr.strip()


@FUZZ
@given(content=st.binary(max_size=200))
def test_other_importers_survive_garbage(db_path, engine, tmp_path_factory, content):
    from svcdesk.cli.main import app

    folder = tmp_path_factory.mktemp("imp")
    for command in (["pricebook", "import"], ["parts", "import"]):
        path = folder / "x.csv"
        path.write_bytes(content)
        r = runner.invoke(app, ["--db", str(db_path), *command, str(path)])
        assert r.exit_code in (0, 1, 2), (command, r.output)
        assert r.exception is None or isinstance(r.exception, SystemExit), (
            command,
            repr(r.exception),
        )


def test_overlong_fields_are_refused_with_the_limit(session):
    import pytest

    from svcdesk.errors import InvalidInput

    with pytest.raises(InvalidInput, match="summary: 201 characters; at most 200"):
        intake.create_order(
            session,
            intake.IntakeRequest(
                summary="x" * 201, customer="A", phone="512-555-1111", address="1 A St"
            ),
        )


def test_oversized_import_file_is_refused(db_path, tmp_path, monkeypatch):
    from svcdesk.cli.main import app
    from svcdesk.services.orders.intake_io import reader

    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_text("customer,phone,address,summary\n" + "A,512-555-0000,1 A St,Fix\n" * 20)
    r = runner.invoke(app, ["--db", str(db_path), "intake", "--file", str(path)])
    assert r.exit_code == 1 and "over the 0 MB limit" in r.stderr
