"""Batch intake indexes new customers and sites for search one chunk at a time (the FTS5
row triggers are off inside its transaction): search must find them, the triggers must
be back afterwards (also after a dry run or a rejected batch), and single inserts after
a batch must still be indexed."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import col, select
from typer.testing import CliRunner

from svcdesk.cli.main import app
from svcdesk.db import read_session, write_session
from svcdesk.errors import BatchRejected
from svcdesk.models import Customer, Site
from svcdesk.services.common import search
from svcdesk.services.orders import intake
from svcdesk.services.orders.intake_io import import_source, open_source, run_file_intake

HEADER = "external_ref,customer,phone,email,address,city,state,zip,summary\n"
ROWS = [
    "S-1,Quentin Marsh,512-555-7001,qm@example.com,77 Zinnia Lane,Austin,TX,78745,No heat",
    "S-2,Quentin Marsh,5125557001,,9 Yucca Trail,Austin,TX,78745,Leak",  # same customer
    "S-3,Petra Vukovic,512-555-7002,,400 Wexford Ct,Round Rock,TX,78664,AC",
    "S-4,Olaf Brandt,512-555-7003,olaf@brandt.example,12 Xylo Way,Austin,TX,78701,Drain",
    "S-5,Ines Okafor,512-555-7004,,3 Quartz Pl,Austin,TX,78702,Breaker",
]


def write_file(tmp_path, rows=ROWS, name="search.csv"):
    f = tmp_path / name
    f.write_text(HEADER + "\n".join(rows) + "\n")
    return f


def _names(s, ids) -> list[str]:
    return list(s.exec(select(Customer.name).where(col(Customer.id).in_(ids))))


def names(engine, term: str) -> set[str]:
    with read_session(engine) as s:
        return set(_names(s, search.customer_ids_matching(s, term)))


def addresses(engine, term: str) -> set[str]:
    with read_session(engine) as s:
        ids = search.site_ids_matching(s, term)
        return set(s.exec(select(Site.address).where(col(Site.id).in_(ids))))


def fts_consistent(engine) -> None:
    """FTS5's own check of each index against its content table (SQLite only)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        for fts in ("customer_fts", "site_fts"):
            conn.execute(text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))


def insert_triggers(engine) -> set[str]:
    if engine.dialect.name != "sqlite":
        return {"customer_fts_ai", "site_fts_ai"}
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        return {r[0] for r in rows} & {"customer_fts_ai", "site_fts_ai"}


def test_search_finds_customers_and_sites_imported_in_bulk(engine, shop, tmp_path):
    file = write_file(tmp_path)
    with open_source(str(file)) as src, write_session(engine) as s:
        import_source(s, src, chunk_size=2)  # several chunks, each indexed on its own
    assert names(engine, "marsh") == {"Quentin Marsh"}
    assert names(engine, "brandt.exam") == {"Olaf Brandt"}
    assert names(engine, "(512) 555-7004") == {"Ines Okafor"}
    assert addresses(engine, "yucca") == {"9 Yucca Trail"}
    assert addresses(engine, "wexford") == {"400 Wexford Ct"}
    assert names(engine, "porter") == {"Jane Porter"}  # what was there before still found
    assert insert_triggers(engine) == {"customer_fts_ai", "site_fts_ai"}
    fts_consistent(engine)


def test_single_insert_after_bulk_import_is_indexed(engine, shop, tmp_path):
    run_file_intake(engine, str(write_file(tmp_path)))
    with write_session(engine) as s:
        intake.create_order(
            s,
            intake.IntakeRequest(
                summary="Noisy fan",
                customer="Rosalind Tamura",
                phone="512-555-7100",
                address="58 Juniper Hollow",
                city="Austin",
                zip="78703",
            ),
        )
    assert names(engine, "tamura") == {"Rosalind Tamura"}
    assert addresses(engine, "juniper") == {"58 Juniper Hollow"}
    assert names(engine, "quentin") == {"Quentin Marsh"}
    fts_consistent(engine)


def test_dry_run_and_rejected_batch_leave_the_index_alone(engine, shop, tmp_path):
    run_file_intake(engine, str(write_file(tmp_path)), dry_run=True)
    bad = write_file(tmp_path, [*ROWS, "S-9,Bad Row,,,,Austin,TX,78701,"], "bad.csv")
    with pytest.raises(BatchRejected):
        run_file_intake(engine, str(bad))
    assert names(engine, "marsh") == set()
    assert insert_triggers(engine) == {"customer_fts_ai", "site_fts_ai"}
    fts_consistent(engine)
    with write_session(engine) as s:  # the row triggers still work
        intake.create_order(
            s, intake.IntakeRequest(summary="x", customer="Una Fairweather", address="1 Main")
        )
    assert names(engine, "fairweather") == {"Una Fairweather"}
    fts_consistent(engine)


def test_reject_file_batch_indexes_only_good_rows(engine, shop, tmp_path):
    bad = write_file(tmp_path, [*ROWS, "S-9,Vera Nobody,,,,Austin,TX,78701,"], "bad.csv")
    result = run_file_intake(engine, str(bad), reject_path=tmp_path / "rejects.csv")
    assert (result.created, result.rejected) == (5, 1)
    assert names(engine, "nobody") == set()
    assert names(engine, "petra") == {"Petra Vukovic"}
    fts_consistent(engine)


def test_db_check_passes_after_bulk_import(db_path, engine, shop, tmp_path):
    run_file_intake(engine, str(write_file(tmp_path)))
    out = CliRunner().invoke(app, ["--db", str(db_path), "db", "check"])
    assert out.exit_code == 0, out.output


def test_failure_mid_batch_writes_nothing_and_restores_triggers(
    engine, shop, tmp_path, monkeypatch
):
    from svcdesk.services.orders.intake_io import batch

    calls = []
    real = batch.BatchWriter._insert_orders

    def fail_on_second_chunk(self, rows, fresh):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(self, rows, fresh)

    monkeypatch.setattr(batch.BatchWriter, "_insert_orders", fail_on_second_chunk)
    file = write_file(tmp_path)
    with pytest.raises(RuntimeError), open_source(str(file)) as src, write_session(engine) as s:
        import_source(s, src, chunk_size=2)
    assert names(engine, "marsh") == set()
    assert insert_triggers(engine) == {"customer_fts_ai", "site_fts_ai"}
    fts_consistent(engine)


def test_caller_catching_the_rejection_commits_nothing(engine, shop, tmp_path):
    from svcdesk.models import WorkOrder

    bad = write_file(tmp_path, [*ROWS, "S-9,Bad Row,,,,Austin,TX,78701,"], "bad.csv")
    with open_source(str(bad)) as src, write_session(engine) as s:
        before = len(s.exec(select(WorkOrder.id)).all())
        with pytest.raises(BatchRejected):
            import_source(s, src, chunk_size=2)
        assert len(s.exec(select(WorkOrder.id)).all()) == before
    assert names(engine, "marsh") == set()
    fts_consistent(engine)
