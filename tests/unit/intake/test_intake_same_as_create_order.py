"""The batch path writes exactly what `intake.create_order` writes, row for row: the same
orders, customers, sites, events and sequence, stored byte for byte the same."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from svcdesk.db import make_engine, write_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.crm import technicians
from svcdesk.services.orders import intake
from svcdesk.services.orders.intake_io import RowParser, import_source, open_source
from tests.bench.intake import SKILLS, generate
from tests.fixtures.shop import build_shop

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "intake"
TABLES = ("customer", "site", "work_order", "order_event", "sequence")


def fresh(path: Path):
    engine = make_engine(str(path))
    build_shop(engine)  # existing customers and sites to match against
    with write_session(engine) as s:
        for code in SKILLS:
            technicians.ensure_skill(s, code)
    return engine


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every table (so a table `create_order` starts writing to is compared too), except
    the search indexes' internal tables, whose layout depends on how inserts are grouped,
    and the export change markers (`change_seq`, `change_counter`: one per row written, so
    they count statements, not content)."""
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' "
                "AND name != 'change_counter'"
            )
        ]
        assert set(TABLES) <= set(names)

        def columns(t: str) -> str:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")') if r[1] != "change_seq"]
            return ", ".join(f'"{c}"' for c in cols)

        tables = {
            t: conn.execute(f'SELECT {columns(t)} FROM "{t}" ORDER BY 1').fetchall() for t in names
        }
        # Each order's history in order; event ids may interleave differently between
        # orders (the batch writes a chunk's hook events, then its `created` events).
        tables["order_event"] = [
            row[1:] for row in conn.execute("SELECT * FROM order_event ORDER BY order_id, id")
        ]
        return tables
    finally:
        conn.close()


def one_by_one(engine, file: Path) -> None:
    with open_source(str(file)) as src, write_session(engine) as s:
        parser = RowParser(shop_zone(s))
        for record in src.records():
            intake.create_order(s, parser.request(record.values), actor="import")


def compare(tmp_path: Path, file: Path, chunk: int = 7) -> dict[str, list[tuple]]:
    batch_db, single_db = tmp_path / "batch.db", tmp_path / "single.db"
    batch_engine, single_engine = fresh(batch_db), fresh(single_db)
    with open_source(str(file)) as src, write_session(batch_engine) as s:
        import_source(s, src, actor="import", chunk_size=chunk)  # rows span several chunks
    one_by_one(single_engine, file)
    batch_engine.dispose()
    single_engine.dispose()
    got, want = dump(batch_db), dump(single_db)
    assert got.keys() == want.keys()
    for table in got:
        assert got[table] == want[table], table
    return got


@pytest.mark.sqlite_only
def test_generated_file_with_repeat_callers(tmp_path):
    file = tmp_path / "gen.csv"
    generate(file, 60, seed=3)
    got = compare(tmp_path, file)
    assert len(got["work_order"]) == 3 + 60
    assert len(got["order_event"]) > 60
    assert len(got["customer"]) < 2 + 60  # repeat callers matched


@pytest.mark.sqlite_only
def test_ugly_fixtures(tmp_path):
    for name in ("ugly_bom_crlf.csv", "orders.json"):
        sub = tmp_path / name.replace(".", "_")
        sub.mkdir()
        compare(sub, FIX / name)


@pytest.mark.sqlite_only
def test_callers_matched_safely_the_same_way(tmp_path):
    """Name checks, possible duplicates (and their events), a flagged caller calling again,
    an e-mail match, an extension: the batch writes what one call at a time writes."""
    file = tmp_path / "calls.csv"
    file.write_text(
        "external_ref,customer,phone,email,address,zip,summary\n"
        'C1,"Porter, Jane",512-555-0101 x23,,1204 Oak St.,78704,leak\n'
        "C2,Totally Different Person,512-555-0101,,9 Elm St,78704,no heat\n"
        "C3,totally different person,(512) 555-0101,,9 Elm St,78704,again\n"
        "C4,Someone Else,,JANE@example.com,1 Main St,78701,mail match\n"
        "C5,J. Porter,+1 512 555 0101,,1204 Oak Street Apt 2,78704,unit\n"
        "C6,,512.555.0303,,88 Riverside Dr,78741,no name\n"
    )
    for chunk in (2, 50):
        sub = tmp_path / f"chunk{chunk}"
        sub.mkdir()
        got = compare(sub, file, chunk=chunk)
        assert len(got["possible_duplicate"]) == 2
