"""Price book CSV: import, idempotent re-import, row errors (nothing written), export
round trip, part pricing by markup tier, and price changes never touching invoices."""

from __future__ import annotations

import pytest
from sqlmodel import select

from svcdesk.errors import BatchRejected, InvalidInput
from svcdesk.models.billing import LaborRate, PriceBookItem
from svcdesk.services.billing import pricebook, pricebook_csv
from tests.unit.billing import billing_helpers as h

HEADER = "type,code,name,price,kind,level,taxable,min_cost,markup_pct\n"


def test_import_then_reimport_is_a_no_op(session):
    text = h.PRICEBOOK.read_text()
    first = pricebook_csv.import_pricebook(session, "pb.csv", text)
    assert len(first.created) == first.rows == 25
    again = pricebook_csv.import_pricebook(session, "pb.csv", text)
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 25
    assert pricebook.get_item(session, "tuneup-ac").price_cents == 14900


def test_export_round_trips(session):
    h.seed_pricebook(session)
    exported = pricebook_csv.export_csv(session)
    result = pricebook_csv.import_pricebook(session, "export.csv", exported)
    assert len(result.unchanged) == 25 and not result.updated


def test_update_reports_changed_rows(session):
    h.seed_pricebook(session)
    text = (
        HEADER + "task,DIAG,Diagnostic,95.00,,,yes,,\nlabor,LABOR-REG,Regular,130,regular,,no,,\n"
    )
    result = pricebook_csv.import_pricebook(session, "pb.csv", text)
    assert result.updated == ["DIAG", "LABOR-REG"]
    assert pricebook.labor_rate(session, "regular").rate_cents == 13000


def test_every_bad_row_reported_and_nothing_written(session):
    text = (
        HEADER
        + "task,OK1,Fine,10.00,,,yes,,\n"
        + "task,BAD1,,abc,,,maybe,,\n"
        + "gizmo,BAD2,X,1,,,,,\n"
        + "labor,L1,Reg,100,sometimes,,,,\n"
        + "task,OK1,Dup,10.00,,,,,\n"
    )
    with pytest.raises(BatchRejected) as exc:
        pricebook_csv.import_pricebook(session, "pb.csv", text)
    lines = exc.value.lines
    assert "pb.csv row 3: name: required" in lines
    assert any(ln.startswith("pb.csv row 3: price:") and "not an amount" in ln for ln in lines)
    assert "pb.csv row 3: taxable: 'maybe' is not yes or no" in lines
    assert any(ln.startswith("pb.csv row 4: type:") for ln in lines)
    assert any(ln.startswith("pb.csv row 5: kind:") for ln in lines)
    assert "pb.csv row 6: code: OK1 already on row 2" in lines
    assert session.exec(select(PriceBookItem)).all() == []


def test_header_problems(session):
    with pytest.raises(InvalidInput, match="missing required column code"):
        pricebook_csv.import_pricebook(session, "pb.csv", "type,name\ntask,x\n")
    with pytest.raises(InvalidInput, match="unknown column 'colour'"):
        pricebook_csv.import_pricebook(session, "pb.csv", "type,code,colour\n")


def test_dry_run_writes_nothing(session):
    result = pricebook_csv.import_pricebook(
        session, "pb.csv", h.PRICEBOOK.read_text(), dry_run=True
    )
    assert len(result.created) == 25
    assert session.exec(select(LaborRate)).all() == []


def test_part_price_by_markup_tier(session):
    h.seed_pricebook(session)
    tiers = pricebook.markup_tiers(session)
    assert pricebook.part_price_cents(0, 1000, tiers) == (2000, "cost + 100% markup")
    assert pricebook.part_price_cents(0, 3000, tiers)[0] == 5250
    assert pricebook.part_price_cents(0, 60000, tiers)[0] == 78000
    assert pricebook.part_price_cents(4500, 3000, tiers) == (4500, "list price")


def test_level_rate_overrides_shop_rate(session):
    h.seed_pricebook(session)
    assert pricebook.labor_rate(session, "regular", "senior").rate_cents == 14500
    assert pricebook.labor_rate(session, "overtime", "senior").code == "LABOR-OT"
    assert pricebook.labor_rate(session, "regular", "tech").code == "LABOR-REG"


def test_price_change_never_alters_an_existing_invoice(session, shop):
    from svcdesk.services.billing import invoices, quotes

    h.seed_pricebook(session)
    inv = invoices.create_invoice(
        session, customer_id=shop["customer"], lines=[quotes.item_draft(session, "DIAG")]
    )
    invoices.issue(session, inv)
    pricebook_csv.import_pricebook(session, "pb.csv", HEADER + "task,DIAG,Diagnostic,99,,,yes,,\n")
    assert invoices.invoice_lines(session, inv.id)[0].unit_price_cents == 8900
    assert inv.total_cents == 8900
