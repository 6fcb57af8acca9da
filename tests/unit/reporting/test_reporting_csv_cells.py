"""CSV cells prepared by the database (`export_formats.csv_cell`) read back with Python's
csv module: any text survives (neutralised when it starts like a formula), numbers,
booleans and NULLs too."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from svcdesk.db import make_engine, write_session
from svcdesk.models import Customer
from svcdesk.services.common.spreadsheet import neutralise
from svcdesk.services.reporting import exports

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


def _export(rows: list[tuple[str, str | None, bool]]) -> list[dict]:
    engine = make_engine(":memory:")
    with write_session(engine) as s:
        for name, notes, exempt in rows:
            s.add(Customer(name=name, notes=notes, tax_exempt=exempt))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "c.csv"
        exports.run_export(engine, "customers", "csv", out)
        with open(out, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(TEXT, st.none() | TEXT, st.booleans()), min_size=1, max_size=5))
def test_any_text_round_trips(rows):
    got = _export(rows)
    assert [(r["name"], r["notes"], r["tax_exempt"]) for r in got] == [
        (neutralise(name), neutralise(notes or ""), "true" if exempt else "false")
        for name, notes, exempt in rows
    ]
    assert all(r["id"].isdigit() and r["sites"] == "0" for r in got)


def test_hand_picked_cells():
    got = _export(
        [
            ('a,b "c"\r\nd', None, False),
            ("=1+2", "-3", True),
            ("", "\ttab", False),
        ]
    )
    assert [(r["name"], r["notes"]) for r in got] == [
        ('a,b "c"\r\nd', ""),
        ("'=1+2", "'-3"),
        ("", "'\ttab"),
    ]
