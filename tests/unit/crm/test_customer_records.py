"""Callers matched safely, possible duplicates, merge, assets, technicians, quotes' site."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models import (
    Asset,
    Customer,
    CustomerEvent,
    OrderEvent,
    PossibleDuplicate,
    Site,
    WorkOrder,
)
from svcdesk.services.billing import quotes
from svcdesk.services.crm import customers as crm
from svcdesk.services.crm import technicians as techs
from svcdesk.services.orders import lifecycle
from svcdesk.services.orders.intake import IntakeRequest, create_order
from svcdesk.services.orders.intake_io import run_file_intake


def call(session, name, phone, address="1204 Oak Street", zip="78704", **kw):
    req = IntakeRequest(summary="a job", customer=name, phone=phone, address=address, zip=zip, **kw)
    return create_order(session, req, actor="dana")[0]


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_same_caller_spelled_differently_matches(session, shop):
    jane = shop["customer"]
    o = call(session, "Porter, Jane", "512-555-0101 x23", address="1204 Oak St.")
    assert o.customer_id == jane and o.site_id == shop["site"]
    assert count(session, PossibleDuplicate) == 0


def test_unit_and_apt_are_the_same_site(session, shop):
    a = call(session, "Jane Porter", "512-555-0101", address="12 Elm St Unit 2")
    b = call(session, "Jane Porter", "512-555-0101", address="12 Elm Street Apt 2")
    assert a.site_id == b.site_id


def test_same_phone_other_name_is_a_new_customer_and_a_possible_duplicate(session, shop):
    o = call(session, "Totally Different Person", "512-555-0101")
    assert o.customer_id != shop["customer"]
    dup = session.exec(select(PossibleDuplicate)).one()
    assert (dup.customer_id, dup.existing_id, dup.matched_on, dup.order_id, dup.actor) == (
        o.customer_id,
        shop["customer"],
        "phone",
        o.id,
        "dana",
    )
    kinds = [e.kind for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == o.id))]
    assert "possible_duplicate" in kinds
    # the same person calling again is matched to the customer made for them
    again = call(session, "totally different person", "(512) 555-0101")
    assert again.customer_id == o.customer_id
    assert count(session, PossibleDuplicate) == 1


def test_match_existing_forces_the_match(session, shop):
    o = call(session, "Totally Different Person", "512-555-0101", match_existing=True)
    assert o.customer_id == shop["customer"]
    assert count(session, PossibleDuplicate) == 0


def test_email_match_with_other_name_is_flagged(session, shop):
    req = IntakeRequest(summary="x", customer="Someone Else", email="JANE@example.com",
                        address="1 Main St", zip="78701")  # fmt: skip
    o, _ = create_order(session, req)
    dup = session.exec(select(PossibleDuplicate)).one()
    assert dup.matched_on == "e-mail" and o.customer_id != shop["customer"]


def test_bad_phone_refused_before_anything_is_written(session, shop):
    before = count(session, Customer)
    with pytest.raises(InvalidInput, match="^phone: 'call me maybe' is not a phone number"):
        call(session, "New Person", "call me maybe")
    assert count(session, Customer) == before
    with pytest.raises(InvalidInput, match="^phone: "):
        crm.create_customer(session, name="X", phone="12345678901234567890")


def test_create_customer_stores_e164_and_extension(session, shop):
    c = crm.create_customer(session, name="Ann Lee", phone="(512) 555-0777 ext 9", actor="dana")
    assert (c.phone, c.phone_ext, c.phone_key) == ("+15125550777", "9", "5125550777")
    assert crm.format_phone(c) == "(512) 555-0777 x9"
    ev = session.exec(select(CustomerEvent).where(CustomerEvent.customer_id == c.id)).one()
    assert (ev.kind, ev.actor) == ("added", "dana")


def test_edit_customer_records_changes_and_refuses_a_taken_phone(session, shop):
    c = session.get(Customer, shop["customer"])
    changes = crm.edit_customer(
        session, c, name="Jane Q. Porter", phone="512-555-0101 x5", actor="dana"
    )
    assert changes == ["name Jane Porter -> Jane Q. Porter", "extension - -> 5"]
    assert c.phone_key == "5125550101"
    with pytest.raises(InvalidInput, match=r"^phone: Riverside Cafe \(#\d+\) already has"):
        crm.edit_customer(session, c, phone="512-555-0303")
    with pytest.raises(InvalidInput, match="^name: "):
        crm.edit_customer(session, c, name="  ")
    assert crm.edit_customer(session, c, email="") == ["e-mail jane@example.com -> -"]
    assert c.email_key is None


def test_merge_moves_everything_and_leaves_events_on_both(engine, shop):
    with write_session(engine) as s:
        o = call(s, "Totally Different Person", "512-555-0101", address="9 Elm St")
        dup_id = o.customer_id
        dup = s.get(Customer, dup_id)
        crm.add_contact(s, dup, name="Tenant")
        q = quotes.create_quote(s, customer_id=dup_id, title="Water heater")
        version = o.version
    with write_session(engine) as s:
        keep, gone = s.get(Customer, shop["customer"]), s.get(Customer, dup_id)
        r = crm.merge_customers(s, keep, gone, actor="dana")
        assert r.moved == {"site": 1, "contact": 1, "work_order": 1, "quote": 1}
        assert r.duplicates_cleared == 1
    with read_session(engine) as s:
        assert s.get(WorkOrder, o.id).customer_id == shop["customer"]
        assert s.get(WorkOrder, o.id).version == version + 1
        assert s.get(quotes.Quote, q.id).customer_id == shop["customer"]
        assert count(s, PossibleDuplicate) == 0
        gone = s.get(Customer, dup_id)
        assert gone.merged_into_id == shop["customer"] and gone.phone_key is None
        kinds = {
            cid: [e.kind for e in crm.customer_events(s, cid)] for cid in (shop["customer"], dup_id)
        }
        assert "merged" in kinds[shop["customer"]] and "merged_into" in kinds[dup_id]
        assert all(e.actor == "dana" for e in crm.customer_events(s, dup_id)[-1:])
        events = s.exec(select(OrderEvent).where(OrderEvent.order_id == o.id)).all()
        assert events[-1].kind == "merged" and events[-1].actor == "dana"
        # a merged customer is neither listed nor matched
        assert dup_id not in [c.id for c in crm.search_customers(s, "")]
        assert crm.match_customer(s, phone="512-555-0101", email=None).id == shop["customer"]


def test_merge_folds_a_site_at_the_same_address_into_the_kept_one(engine, shop):
    # the caller under another name gave Jane's own house: after the merge Jane has one
    # site there (her tax zone), holding the order; not two sites at one address
    with write_session(engine) as s:
        o = call(s, "Janet Porter", "512-555-0101", address="1204 Oak St.")
        dup_id, dup_site = o.customer_id, o.site_id
        assert dup_site != shop["site"]
    with write_session(engine) as s:
        keep, gone = s.get(Customer, shop["customer"]), s.get(Customer, dup_id)
        r = crm.merge_customers(s, keep, gone, actor="dana")
        assert r.sites_folded == 1 and "site" not in r.moved
        assert r.moved == {"work_order": 1}
    with read_session(engine) as s:
        assert s.get(WorkOrder, o.id).site_id == shop["site"]
        assert s.get(Site, dup_site) is None
        sites = s.exec(select(Site).where(Site.customer_id == shop["customer"])).all()
        assert len({site.address_key for site in sites}) == len(sites)


def test_merge_refusals(session, shop):
    jane = session.get(Customer, shop["customer"])
    with pytest.raises(InvalidInput, match="into itself"):
        crm.merge_customers(session, jane, jane)


def test_file_intake_flags_a_different_name(engine, shop, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(
        "external_ref,customer,phone,address,zip,summary\n"
        'A1,"Porter, Jane",512-555-0101 x23,1204 Oak St.,78704,leak\n'
        "A2,Totally Different Person,512-555-0101,9 Elm St,78704,no heat\n"
        "A3,Totally Different Person,(512) 555-0101,9 Elm St,78704,again\n"
        "A4,New Person,512-555-0999,1 Main St,78701,new\n"
    )
    result = run_file_intake(engine, str(path))
    assert (result.created, result.matched, result.customers_created, result.flagged) == (
        4,
        2,
        2,
        1,
    )
    assert result.callers() == (
        "callers: 2 matched an existing customer, 1 new, 1 flagged as possible duplicates"
    )
    with read_session(engine) as s:
        dup = s.exec(select(PossibleDuplicate)).one()
        flagged = s.get(WorkOrder, dup.order_id)
        assert flagged.external_ref == "A2" and dup.existing_id == shop["customer"]
        new = s.get(Customer, dup.customer_id)
        assert (new.name, new.phone, new.phone_ext) == (
            "Totally Different Person",
            "+15125550101",
            None,
        )
        a1 = lifecycle.get_order(s, "SO-000004")
        assert a1.customer_id == shop["customer"] and a1.site_id == shop["site"]


def test_file_intake_match_existing(engine, shop, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(
        "external_ref,customer,phone,address,zip,summary\n"
        "A2,Totally Different Person,512-555-0101,9 Elm St,78704,no heat\n"
    )
    result = run_file_intake(engine, str(path), match_existing=True)
    assert (result.matched, result.flagged, result.customers_created) == (1, 0, 0)


def test_file_intake_bad_phone_is_one_line_per_row(engine, shop, tmp_path):
    from svcdesk.errors import BatchRejected

    path = tmp_path / "calls.csv"
    path.write_text(
        "external_ref,customer,phone,address,zip,summary\n"
        "B1,X,call me maybe,1 Main St,78701,x\n"
        "B2,Y,12345678901234567890,1 Main St,78701,x\n"
    )
    with pytest.raises(BatchRejected) as exc:
        run_file_intake(engine, str(path))
    assert [ln.split(", ", 1)[1].split(":")[0] for ln in exc.value.lines] == [
        "column phone",
        "column phone",
    ]


def test_assets_add_edit_retire(session, shop):
    site = session.get(Site, shop["site"])
    a = crm.add_asset(session, site, kind="Water Heater", make="Rheem", serial="R1",
                      installed_on=date(2020, 5, 1), warranty_until=date(2026, 5, 1), actor="dana")  # fmt: skip
    assert a.kind == "water_heater"
    assert crm.edit_asset(session, a, model="XG50T", serial="") == [
        "model - -> XG50T",
        "serial R1 -> -",
    ]
    with pytest.raises(InvalidInput, match="^warranty: ends 2019-01-01, before the install date"):
        crm.edit_asset(session, a, warranty_until=date(2019, 1, 1))
    with pytest.raises(InvalidInput, match="^kind: required"):
        crm.add_asset(session, site, kind=" ")
    crm.retire_asset(session, a, reason="replaced", actor="dana")
    assert a.retired_on == date(2026, 11, 25) and a.retired_reason == "replaced"
    with pytest.raises(InvalidInput, match="already retired"):
        crm.retire_asset(session, a)
    with pytest.raises(InvalidInput, match="^asset: asset #\\d+ was retired"):
        call(session, "Jane Porter", "512-555-0101", asset_id=a.id)
    kinds = [e.kind for e in crm.customer_events(session, site.customer_id)]
    assert kinds[-3:] == ["asset_added", "asset_edited", "asset_retired"]


def test_asset_moves_only_within_the_customer(session, shop):
    a = session.get(Asset, shop["asset"])
    other = session.exec(select(Site).where(Site.customer_id != shop["customer"])).first()
    with pytest.raises(InvalidInput, match="^site: "):
        crm.edit_asset(session, a, site=other)


def test_edit_technician(session, shop):
    t = techs.find_technician(session, "Bob")
    changes = techs.edit_technician(session, t, skills=["plumbing", "hvac"],
                                    shifts="mon-thu 07:00-17:00", hourly_cost_cents=4000, active=False)  # fmt: skip
    assert changes == [
        "rate $38.00 -> $40.00",
        "inactive",
        "skills plumbing -> hvac, plumbing",
        "shifts mon 08:00-17:00, tue 08:00-17:00, wed 08:00-17:00, thu 08:00-17:00, "
        "fri 08:00-17:00 -> mon 07:00-17:00, tue 07:00-17:00, wed 07:00-17:00, thu 07:00-17:00",
    ]
    assert techs.shifts_spec(techs.technician_shifts(session, t.id)) == "mon-thu 07:00-17:00"
    with pytest.raises(InvalidInput, match="^skill: unknown skill 'welding'"):
        techs.edit_technician(session, t, skills=["welding"])
    with pytest.raises(InvalidInput, match="^shifts: "):
        techs.edit_technician(session, t, shifts="someday")
    assert techs.technician_skills(session, t.id) == ["hvac", "plumbing"]


def test_shifts_spec_round_trips(session, shop):
    spec = "mon-wed 08:00-12:00; mon-wed 13:00-17:00; sat 09:00-13:00"
    rows = techs.parse_shifts(spec)

    class S:
        def __init__(self, d, a, b):
            self.weekday, self.start_minute, self.end_minute = d, a, b

    again = techs.parse_shifts(techs.shifts_spec([S(*r) for r in rows]))
    assert sorted(again) == sorted(rows)


def test_quote_new_order_uses_the_customers_site(session, shop):
    q = quotes.create_quote(session, customer_id=shop["customer"], title="Condenser")
    assert q.site_id is None
    assert quotes.quote_site(session, q) == shop["site"]
    c = session.get(Customer, shop["customer"])
    second = crm.add_site(session, c, address="9 Elm St", zip_code="78704")
    with pytest.raises(
        InvalidInput, match=r"^site: the customer has 2 sites .*pick one with --site"
    ):
        quotes.quote_site(session, q)
    assert quotes.quote_site(session, q, str(second.id)) == second.id
    assert quotes.quote_site(session, q, "9 elm") == second.id
    with pytest.raises(InvalidInput, match="^site: 'nowhere' is not a site"):
        quotes.quote_site(session, q, "nowhere")


def test_known_caller_without_an_address_goes_to_their_only_site(session, shop):
    req = IntakeRequest(summary="no heat", phone="512-555-0101")
    order, created = create_order(session, req, actor="dana")
    assert created and order.customer_id == shop["customer"] and order.site_id == shop["site"]


def test_known_caller_with_two_sites_is_asked_which(session, shop):
    call(session, "Jane Porter", "512-555-0101", address="77 Lake Rd", zip="78705")
    before = count(session, WorkOrder)
    with pytest.raises(InvalidInput, match=r"address: Jane Porter has 2 sites \(.*77 Lake Rd\)"):
        create_order(session, IntakeRequest(summary="leak", phone="512-555-0101"))
    assert count(session, WorkOrder) == before


def test_unknown_caller_still_needs_an_address(session, shop):
    with pytest.raises(InvalidInput, match="address: required for a new site"):
        create_order(session, IntakeRequest(summary="leak", phone="512-555-0999"))
