"""Settings with a schema: every key known, typed, range-checked, audited."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svcdesk.config import DEFAULT_SETTINGS
from svcdesk.errors import InvalidInput
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.common.settings import SPECS, get_setting, set_setting, setting_rows


def test_every_default_has_a_spec_and_passes_its_own_check():
    assert set(SPECS) == set(DEFAULT_SETTINGS)
    for key, spec in SPECS.items():
        assert spec.meaning and spec.allowed and spec.kind, key
        if key != "tax.default_zone":  # (a zone name is checked against the database)
            assert spec.check(spec.default) == spec.default.strip(), key


def test_settings_read_by_services_are_all_known():
    """Every key a service reads with get_setting is in the schema."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[3] / "svcdesk"
    keys = set()
    for path in root.rglob("*.py"):
        keys |= set(re.findall(r'get_setting\(\s*session,\s*"([a-z_.]+)"', path.read_text()))
    keys |= {"payroll.overtime.daily_hours", "payroll.overtime.weekly_hours"}  # (constants)
    assert keys and keys <= set(SPECS), keys - set(SPECS)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("tax.rate", "8.25", "unknown setting 'tax.rate'; tax rates live on tax zones"),
        ("sla.hours.high", "1e308", "sla.hours.high: 1e308 is out of range; expected a number "
         "from more than 0 to 8760 hours"),
        ("sla.hours.high", "0", "out of range"),
        ("sla.hours.high", "nan", "is not allowed"),
        ("sla.hours.high", "infinity", "is not allowed"),
        ("sla.clock.low", "weekends", "expected one of business, calendar"),
        ("backup.keep_days", "2.5", "a whole number from 0 to 3650 days"),
        ("shop.timezone", "Mars/Base", "unknown time zone"),
        ("shop.hours", "9 to 5", "mon-fri 08:00-17:00"),
        ("shop.holidays", "Christmas", "ISO date"),
        ("dispatch.lunch", "noon", "12:00-13:00/30"),
        ("followup.plan", "callback:two", "callback:2"),
        ("billing.labor_increment_minutes", "7", "one of 6, 12, 15, 30, 60"),
        ("company.name", "", "not empty"),
        ("company.email", "office", "e-mail address"),
        ("tax.default_zone", "Austin", "not an active tax zone"),
        ("sla.hours.hihg", "3", "did you mean sla.hours.high"),
    ],
)  # fmt: skip
def test_bad_keys_and_values_are_refused_and_nothing_is_written(session, key, value, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(".", r"\.")):
        set_setting(session, key, value)
    assert get_setting(session, key) == DEFAULT_SETTINGS.get(key)
    assert session.exec(ChangeEvent.__table__.select()).all() == []


def test_a_change_is_stored_canonically_and_audited(session):
    assert set_setting(session, "sla.clock.high", "Business", actor="dana") == "business"
    assert set_setting(session, "backup.keep_days", "014", actor="dana") == "14"
    set_setting(session, "backup.keep_days", "14", actor="lee")  # (no change: no event)
    rows = session.exec(ChangeEvent.__table__.select()).all()
    assert [(r.actor, r.ref) for r in rows] == [
        ("dana", "sla.clock.high"),
        ("dana", "backup.keep_days"),
    ]
    assert json.loads(rows[0].data) == {
        "before": {"value": "calendar"},
        "after": {"value": "business"},
    }
    row = next(r for r in setting_rows(session) if r.key == "backup.keep_days")
    assert (row.value, row.default, row.kind) == ("14", "7", "whole number")


@settings(max_examples=80, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
def test_hours_settings_accept_only_sane_numbers(value):
    spec = SPECS["sla.hours.high"]
    text = str(value)
    try:
        stored = spec.check(text)
    except InvalidInput as exc:
        assert str(exc).startswith("sla.hours.high: ")
        return
    assert 0 < float(stored) <= 8760
