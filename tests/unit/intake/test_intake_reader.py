"""Reading ugly intake files: BOM, CRLF, header spellings, quoted newlines, blank lines,
JSON and JSON Lines, stdin, and the file-level errors."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from svcdesk.errors import InvalidInput
from svcdesk.services.orders.intake_io import RowInvalid, RowParser, open_source
from svcdesk.services.orders.intake_io.columns import header_key

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "intake"
ZONE = ZoneInfo("America/Chicago")


def records(path, fmt=None, stdin=None):
    with open_source(str(path), fmt, stdin) as src:
        return src, list(src.records())


def test_header_keys_ignore_case_spaces_underscores_dashes():
    assert {header_key(h) for h in ("Window Start", "window-start", "WINDOW_START")} == {
        "windowstart"
    }


def test_bom_crlf_quoted_newline_and_blank_trailing_lines():
    src, rows = records(FIX / "ugly_bom_crlf.csv")
    assert src.format == "csv"
    assert [r.number for r in rows] == [1, 2, 3]  # trailing blank lines skipped
    first = rows[0].values
    assert first["external_ref"] == "WEB-1"  # BOM not glued to the first header
    assert first["email"] == "maria@example.com"  # 'E-Mail' header
    assert first["description"] == "Pilot goes out.\r\nTwo kids at home."
    assert rows[2].values["description"] == 'says "it just died"'
    assert rows[0].raw["External Ref"] == "WEB-1"  # original headers kept for rejects


def test_us_and_iso_dates_are_shop_local():
    _, rows = records(FIX / "ugly_bom_crlf.csv")
    parser = RowParser(ZONE)
    req = parser.request(rows[0].values)
    assert req.window_start.isoformat() == "2026-11-26T14:00:00+00:00"  # 8 AM CST
    assert req.window_end.isoformat() == "2026-11-26T18:00:00+00:00"
    iso = parser.request(rows[1].values)
    assert iso.window_start.isoformat() == "2026-11-27T19:00:00+00:00"
    assert iso.source == "import"  # blank source in a file means import


def test_row_parser_lists_every_unreadable_value():
    parser = RowParser(ZONE)
    with pytest.raises(RowInvalid) as exc:
        parser.request(
            {
                "phone": "555",
                "email": "nobody",
                "window_start": "13/45/2026 9:00",
                "est_minutes": "ninety",
            }
        )
    columns = [c for c, _ in exc.value.problems]
    assert columns == ["phone", "email", "window_start", "est_minutes"]
    assert "'13/45/2026 9:00' is not a date/time" in exc.value.problems[2][1]


def test_missing_required_column_names_file_and_column():
    with pytest.raises(InvalidInput) as exc:
        records(FIX / "missing_column.csv")
    assert str(exc.value).startswith(str(FIX / "missing_column.csv") + ": ")
    assert "missing required column summary" in str(exc.value)


def test_two_headers_for_one_column(tmp_path):
    f = tmp_path / "twice.csv"
    f.write_text("external_ref,customer,address,summary,Zip,ZIP\n")
    with pytest.raises(InvalidInput, match="columns 'Zip' and 'ZIP' both mean zip"):
        records(f)


def test_unknown_columns_are_reported_not_fatal(tmp_path):
    f = tmp_path / "extra.csv"
    f.write_text("external_ref,customer,address,summary,Notes\nA,B,C,D,E\n")
    src, rows = records(f)
    assert src.unknown == ["Notes"]
    assert "notes" not in rows[0].values


def test_too_many_cells_is_a_row_problem(tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text("external_ref,customer,address,summary\nA,B,C,D,extra\n")
    _, rows = records(f)
    assert rows[0].problem == "5 values but the header has 4 columns"


def test_json_array_and_jsonl_read_the_same_rows():
    _, js = records(FIX / "orders.json")
    _, jl = records(FIX / "orders.jsonl")
    assert [r.values for r in js] == [r.values for r in jl]
    assert js[0].values["zip"] == "78741"  # numbers become text
    assert js[1].values["external_ref"] == "J-2"  # 'External-Ref' key
    assert js[1].values["est_minutes"] is None


def test_jsonl_bad_line_is_a_row_problem(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"external_ref":"A","customer":"B","address":"C","summary":"D"}\n{oops\n')
    _, rows = records(f)
    assert rows[1].number == 2
    assert rows[1].problem.startswith("not valid JSON")


def test_json_not_an_array(tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{"external_ref": "A"}')
    with pytest.raises(InvalidInput, match="expected a JSON array"):
        records(f)


def test_stdin_format_is_sniffed_or_given():
    data = (FIX / "orders.jsonl").read_bytes()
    src, rows = records("-", stdin=io.BytesIO(data))
    assert (src.format, len(rows), src.name) == ("jsonl", 2, "stdin")
    csv_bytes = (FIX / "ugly_bom_crlf.csv").read_bytes()
    src, rows = records("-", "csv", stdin=io.BytesIO(csv_bytes))
    assert (src.format, len(rows)) == ("csv", 3)


def test_unknown_extension_needs_format(tmp_path):
    f = tmp_path / "orders.txt"
    f.write_text("external_ref,customer,address,summary\n")
    with pytest.raises(InvalidInput, match="use --format"):
        records(f)
    src, rows = records(f, "csv")
    assert rows == []


def test_not_utf8(tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("external_ref,customer,address,summary\nA,Jos\xe9,C,D\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        records(f)


def test_missing_file():
    with pytest.raises(InvalidInput, match="no such file"):
        records("nope/never.csv")


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    with pytest.raises(InvalidInput, match="empty file; expected a header row"):
        records(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("external_ref,customer,address,summary\r\n")
    assert records(header_only)[1] == []
