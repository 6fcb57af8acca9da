"""Batch intake: all-or-nothing, reject file, dry run, idempotent re-runs, matching."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlmodel import func, select

from svcdesk.db import read_session
from svcdesk.errors import BatchRejected
from svcdesk.models import Customer, OrderEvent, Site, WorkOrder
from svcdesk.services.orders.intake_io import run_file_intake

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "intake"
BAD = FIX / "bad_rows.csv"


def counts(engine) -> tuple[int, int, int, int]:
    with read_session(engine) as s:
        return tuple(
            s.exec(select(func.count()).select_from(m)).one()
            for m in (WorkOrder, Customer, Site, OrderEvent)
        )


def orders_by_ref(engine) -> dict[str, WorkOrder]:
    with read_session(engine) as s:
        rows = s.exec(select(WorkOrder).where(WorkOrder.external_ref.is_not(None))).all()
        return {o.external_ref: o for o in rows}


def test_bad_rows_reject_the_whole_batch(engine, shop):
    before = counts(engine)
    with pytest.raises(BatchRejected) as exc:
        run_file_intake(engine, str(BAD))
    name = str(BAD)
    assert exc.value.lines == [
        f"{name} row 2, column window_start: '13/45/2026 9:00' is not a date/time; "
        "expected e.g. 2026-11-25 09:00 or 11/25/2026 9:00 AM",
        f"{name} row 3, column priority: 'urgentish' is not one of emergency, high, normal, low",
        f"{name} row 4, column skill: unknown skill 'roofing'; known skills: electrical, hvac, "
        "plumbing",
        f"{name} row 5, column external_ref: 'B-1' already appears in row 1",
        f"{name} row 6, column est_minutes: 'sixty' is not a whole number of minutes",
    ]
    assert counts(engine) == before  # nothing written, not even the good rows


def test_missing_summary_is_reported_after_values_parse(engine, shop, tmp_path):
    f = tmp_path / "nosummary.csv"
    f.write_text("external_ref,customer,address,summary\nS-1,Ann Lee,1 Elm St,\n")
    with pytest.raises(BatchRejected) as exc:
        run_file_intake(engine, str(f))
    assert exc.value.lines == [f"{f} row 1, column summary: required; say what the customer needs"]


def test_reject_file_keeps_good_rows_and_writes_bad_ones(engine, shop, tmp_path):
    rejects = tmp_path / "out" / "rejects.csv"
    before = counts(engine)
    result = run_file_intake(engine, str(BAD), reject_path=rejects)
    assert (result.created, result.skipped, result.rejected) == (2, 0, 5)
    assert counts(engine)[0] == before[0] + 2
    assert set(orders_by_ref(engine)) >= {"B-1", "B-7"}
    with rejects.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = BAD.read_text().splitlines()[0].split(",")
    assert list(rows[0]) == [*header, "error"]
    assert [r["external_ref"] for r in rows] == ["B-2", "B-3", "B-4", "B-1", "B-6"]
    assert rows[0]["window_start"] == "13/45/2026 9:00"  # original value, untouched
    assert rows[1]["error"].endswith(
        "row 3, column priority: 'urgentish' is not one of emergency, high, normal, low"
    )
    assert not list(rejects.parent.glob(".rejects.csv.*"))  # temp file renamed away


def test_fixed_reject_file_imports_and_its_error_column_is_ignored(engine, shop, tmp_path):
    rejects = tmp_path / "rejects.csv"
    run_file_intake(engine, str(BAD), reject_path=rejects)
    text = rejects.read_text(encoding="utf-8")
    text = text.replace("13/45/2026 9:00", "12/01/2026 9:00 AM").replace("urgentish", "high")
    text = text.replace("roofing", "plumbing").replace("sixty", "60")
    text = text.replace("B-1,Duplicate Ref", "B-5,Duplicate Ref").replace(
        ",,low,hvac", ",Noisy fan,low,hvac"
    )
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(text, encoding="utf-8")
    result = run_file_intake(engine, str(fixed))
    assert (result.created, result.rejected, result.unknown_columns) == (5, 0, ["error"])


def test_reject_file_in_json_lines(engine, shop, tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    run_file_intake(engine, str(BAD), reject_path=rejects)
    rows = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert len(rows) == 5 and rows[0]["external_ref"] == "B-2"
    assert "column window_start" in rows[0]["error"]


def test_dry_run_writes_nothing(engine, shop, tmp_path):
    before = counts(engine)
    result = run_file_intake(engine, str(FIX / "ugly_bom_crlf.csv"), dry_run=True)
    assert (result.created, result.skipped, result.rejected, result.dry_run) == (3, 0, 0, True)
    assert result.summary() == "dry run: would have created 3, skipped 0, rejected 0"
    assert counts(engine) == before
    with pytest.raises(BatchRejected):
        run_file_intake(engine, str(BAD), dry_run=True, reject_path=tmp_path / "r.csv")
    assert counts(engine) == before
    assert not (tmp_path / "r.csv").exists()


def test_rerun_creates_nothing_new(engine, shop):
    first = run_file_intake(engine, str(FIX / "ugly_bom_crlf.csv"))
    after_first = counts(engine)
    second = run_file_intake(engine, str(FIX / "ugly_bom_crlf.csv"))
    assert (first.created, first.skipped) == (3, 0)
    assert (second.created, second.skipped, second.rejected) == (0, 3, 0)
    assert second.summary() == "created 0, skipped 3, rejected 0"
    assert counts(engine) == after_first


def test_matching_by_phone_email_and_normalised_address(engine, shop):
    result = run_file_intake(engine, str(FIX / "ugly_bom_crlf.csv"))
    assert result.customers_created == 1 and result.sites_created == 1
    orders = orders_by_ref(engine)
    # WEB-2: Jane Porter's phone written 512.555.0101, '1204 Oak Street' = her site.
    assert orders["WEB-2"].customer_id == shop["customer"]
    assert orders["WEB-2"].site_id == shop["site"]
    # WEB-3: Maria's phone without punctuation, 'South Lamar Boulevard' = 'S Lamar Blvd'.
    assert orders["WEB-3"].customer_id == orders["WEB-1"].customer_id
    assert orders["WEB-3"].site_id == orders["WEB-1"].site_id
    with read_session(engine) as s:
        site = s.get(Site, orders["WEB-1"].site_id)
        assert (site.address, site.state, site.zip) == ("2107 S Lamar Blvd", "TX", "78704")
        events = s.exec(select(OrderEvent).where(OrderEvent.order_id == orders["WEB-1"].id)).all()
    assert [(e.kind, e.detail) for e in events] == [
        ("created", "high repair for Maria Gonzalez (new customer)")
    ]
    assert orders["WEB-1"].priority == "high" and orders["WEB-1"].source == "portal"
    assert orders["WEB-3"].skill_id is not None  # 'Plumbing' matched case-insensitively


def test_json_email_match_and_new_customer(engine, shop, tmp_path):
    run_file_intake(engine, str(FIX / "orders.json"))
    orders = orders_by_ref(engine)
    assert orders["J-1"].customer_id != shop["customer"]
    with read_session(engine) as s:
        cafe = s.get(Customer, orders["J-1"].customer_id)
        assert cafe.name == "Riverside Cafe"  # matched by phone, not a new customer
        tom = s.get(Customer, orders["J-2"].customer_id)
        assert (tom.name, tom.email_key) == ("Tom Baker", "tom@example.com")
    assert orders["J-2"].priority == "emergency" and orders["J-2"].est_minutes == 60
    # A later file with Tom's e-mail (different case, no phone) finds him.
    later = tmp_path / "later.jsonl"
    later.write_text(
        json.dumps(
            {
                "external_ref": "J-3",
                "customer": "T. Baker",
                "email": " TOM@Example.com ",
                "address": "42 Cedar Lane",
                "zip": "78745",
                "summary": "Dead outlet",
            }
        )
    )
    result = run_file_intake(engine, str(later))
    assert (result.created, result.customers_created, result.sites_created) == (1, 0, 0)
    assert orders_by_ref(engine)["J-3"].site_id == orders["J-2"].site_id


def test_later_rows_see_customers_made_earlier_in_the_file(engine, shop, tmp_path):
    f = tmp_path / "chunked.csv"
    lines = ["external_ref,customer,email,address,zip,summary"]
    for i in range(7):
        lines.append(f"C-{i},Ann Lee,ANN@Example.com,{i % 2 + 1} Elm Street,78701,Job {i}")
    f.write_text("\n".join(lines))
    from svcdesk.db import write_session
    from svcdesk.services.orders.intake_io.reader import open_source
    from svcdesk.services.orders.intake_io.run import import_source

    with open_source(str(f)) as src, write_session(engine) as s:
        result = import_source(s, src, chunk_size=3)  # matches cross chunk boundaries
    assert (result.created, result.customers_created, result.sites_created) == (7, 1, 2)


NUL_FILE = (
    "external_ref,customer,phone,address,summary,description\n"
    "N-1,Ann Lee,512-555-0131,1 Elm St,No heat,fine\n"
    "N-2,Bo Park,512-555-0132,2 Elm St,Leak\x00under sink,\n"
    "N-3,Cy Diaz,512-555-0133,3 Elm St,Noisy fan,it\x00rattles\n"
)


def test_nul_in_a_file_is_refused_per_row_and_nothing_stored(engine, shop, tmp_path):
    """A NUL byte was stored on SQLite by a batch (a single intake refuses it): now each such
    row is one line naming the file, row and column, like any bad row (issue 15)."""
    f = tmp_path / "nul.csv"
    f.write_text(NUL_FILE, encoding="utf-8")
    before = counts(engine)
    with pytest.raises(BatchRejected) as exc:
        run_file_intake(engine, str(f))
    assert exc.value.lines == [
        f"{f} row 2, column summary: holds a NUL (\\x00) character; remove it",
        f"{f} row 3, column description: holds a NUL (\\x00) character; remove it",
    ]
    assert counts(engine) == before
    rejects = tmp_path / "rejects.csv"
    result = run_file_intake(engine, str(f), reject_path=rejects)
    assert (result.created, result.rejected) == (1, 2)
    with rejects.open(newline="", encoding="utf-8") as r:
        rows = list(csv.DictReader(r))
    assert [r["external_ref"] for r in rows] == ["N-2", "N-3"]
    assert rows[0]["summary"] == "Leak\x00under sink"  # the original value, for fixing
    with read_session(engine) as s:
        stored = s.exec(select(WorkOrder.summary, WorkOrder.description)).all()
    assert not any("\x00" in (text or "") for row in stored for text in row)


def test_nul_in_one_call_is_the_same_line(engine, shop):
    from svcdesk.db import write_session
    from svcdesk.errors import InvalidInput
    from svcdesk.services.orders.intake import IntakeRequest, create_order

    req = IntakeRequest(
        summary="Leak\x00", customer="Bo Park", phone="512-555-0132", address="2 Elm"
    )
    with write_session(engine) as s, pytest.raises(InvalidInput) as exc:
        create_order(s, req)
    assert exc.value.message == "summary: holds a NUL (\\x00) character; remove it"


@pytest.mark.parametrize("actor", ["O'Brien", "it's 'quoted'; -- not SQL", "nul\x00inside"])
def test_batch_constants_are_stored_as_given(engine, shop, tmp_path, actor):
    """On SQLite a batch writes the values every row of a table shares (the actor, the
    batch's timestamp, model defaults) into its INSERT statements as SQL literals: quotes
    stay quotes, and a value that cannot be a literal (here a NUL) is bound with every row
    instead. Either way the rows hold the values given."""
    if "\x00" in actor and engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL stores no NUL")
    from svcdesk.models import CustomerEvent
    from svcdesk.services.orders.intake_io.batch import _sql_literal

    assert _sql_literal(None) == "NULL" and _sql_literal(True) == "1"
    assert _sql_literal("a'b") == "'a''b'" and _sql_literal("a\x00") is None
    f = tmp_path / "two.csv"
    f.write_text(
        "external_ref,customer,phone,address,summary\n"
        "Q-1,Ann Lee,512-555-0141,1 Elm St,No heat\n"
        "Q-2,Bo Park,512-555-0142,2 Elm St,Leak\n"
    )
    result = run_file_intake(engine, str(f), actor=actor)
    assert result.created == 2
    with read_session(engine) as s:
        orders = s.exec(select(WorkOrder).where(WorkOrder.external_ref.in_(["Q-1", "Q-2"]))).all()
        ids = [o.id for o in orders]
        events = s.exec(select(OrderEvent).where(OrderEvent.order_id.in_(ids))).all()
        customers = s.exec(
            select(Customer).where(Customer.id.in_([o.customer_id for o in orders]))
        ).all()
        added = s.exec(
            select(CustomerEvent).where(CustomerEvent.customer_id.in_([c.id for c in customers]))
        ).all()
    assert len(orders) == 2 and len(customers) == 2
    assert [(e.kind, e.actor) for e in events] == [("created", actor)] * 2
    assert [(e.kind, e.actor) for e in added] == [("added", actor)] * 2
    assert {o.status for o in orders} == {"new"} and {o.version for o in orders} == {1}
    stamps = {o.created_at for o in orders} | {o.updated_at for o in orders}
    assert len(stamps) == 1 and {c.created_at for c in customers} == stamps
    assert {e.at for e in events} == stamps == {e.at for e in added}
    assert {(c.kind, c.tax_exempt, c.notes) for c in customers} == {("residential", False, None)}


def test_a_driver_error_in_a_batch_insert_is_sqlalchemys(engine, shop):
    """SQLite batches run their statements on the driver's cursor; a failure still comes
    out as SQLAlchemy's error (what the faces turn into one line), and nothing is kept."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the driver's cursor is used on SQLite only")
    from sqlalchemy.exc import IntegrityError

    from svcdesk.db import write_session
    from svcdesk.models.base import table_of
    from svcdesk.services.orders.intake_io.batch import BatchWriter

    before = counts(engine)
    with read_session(engine) as s:
        taken = s.exec(select(Customer.id)).first()
    with pytest.raises(IntegrityError), write_session(engine) as s:
        writer = BatchWriter(s)
        constants = {"kind": "residential", "tax_exempt": False, "requires_signature": False}
        writer._executemany(table_of(Customer), [{"id": taken, "name": "Twin"}], constants)
    assert counts(engine) == before
