"""Staff (the names `--as` accepts) and the audit of every change: who, on behalf of whom,
and the values before and after, for the writes that used to leave no record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from svcdesk.clock import now
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import OrderEvent, Technician
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.billing.pricebook_csv import import_pricebook
from svcdesk.services.common import events
from svcdesk.services.crm import staff as svc
from svcdesk.services.crm import technicians
from svcdesk.services.execution import timecards
from svcdesk.services.inventory import parts
from svcdesk.services.orders import lifecycle
from svcdesk.services.reporting.audit import audit_log


def changes(engine, entity: str) -> list[tuple[str, str, str | None, dict]]:
    """(kind, actor, on_behalf_of, data) of each change to `entity`, oldest first."""
    with read_session(engine) as s:
        rows = s.exec(
            select(ChangeEvent).where(ChangeEvent.entity == entity).order_by(col(ChangeEvent.id))
        )
        return [(e.kind, e.actor, e.on_behalf_of, json.loads(e.data or "{}")) for e in rows]


def test_staff_names_are_unique_in_any_case_bounded_and_roles_checked(session):
    made = svc.add_staff(session, "  Dana   Cole ", role="Manager", actor="root")
    assert (made.name, made.name_key, made.role) == ("Dana Cole", "dana cole", "manager")
    with pytest.raises(InvalidInput, match="already exists"):
        svc.add_staff(session, "DANA COLE")
    with pytest.raises(InvalidInput, match="at most 60 characters"):
        svc.add_staff(session, "x" * 61)
    with pytest.raises(InvalidInput, match="not one of dispatcher, office, manager"):
        svc.add_staff(session, "Lee", role="boss")
    with pytest.raises(InvalidInput, match="needs a name"):
        svc.add_staff(session, "   ")
    with pytest.raises(InvalidInput, match="control characters"):
        svc.add_staff(session, "Lee\x07")
    assert [s.name for s in svc.list_staff(session)] == ["Dana Cole"]
    assert svc.get_staff(session, "dana cole").id == made.id
    with pytest.raises(NotFound, match="no staff member"):
        svc.get_staff(session, "nobody")


def test_staff_edit_links_a_technician_and_is_audited(engine, shop):
    with write_session(engine) as s:
        robin = svc.add_staff(s, "Robin", actor="root")
        assert svc.edit_staff(s, robin, role="office", technician="Alice", actor="root") == [
            "role dispatcher -> office",
            "technician - -> Alice Ng",
        ]
        assert svc.edit_staff(s, robin, role="office") == []  # nothing changed: no record
        svc.deactivate_staff(s, robin, actor="root")
        with pytest.raises(InvalidInput, match="already inactive"):
            svc.deactivate_staff(s, robin)
    rows = changes(engine, "staff")
    assert [r[0] for r in rows] == ["created", "edited", "edited"]
    assert rows[1][3]["before"]["technician"] is None
    assert rows[1][3]["after"]["technician"] == "Alice Ng"
    assert rows[2][3]["after"]["active"] is False


def test_as_is_refused_in_an_empty_shop_for_unknown_and_inactive_names(session):
    with pytest.raises(InvalidInput, match=r"no staff yet; add one with `svcdesk staff add"):
        svc.acting_staff(session, "dana")
    svc.add_staff(session, "Dana")
    lee = svc.add_staff(session, "Lee")
    svc.deactivate_staff(session, lee)
    with pytest.raises(InvalidInput, match=r"'bob' is not a staff member \(staff: Dana\)"):
        svc.acting_staff(session, "bob")
    with pytest.raises(InvalidInput, match="'lee' is inactive"):
        svc.acting_staff(session, "lee")
    with pytest.raises(InvalidInput, match="--as: at most 60"):
        svc.acting_staff(session, "d" * 300)
    assert svc.acting_staff(session, "DANA").name == "Dana"


def test_acting_as_a_staff_member_is_recorded_on_behalf_of_the_os_user(engine, shop):
    events.act_as(engine, "dana", on_behalf_of="jsmith")
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o1"])
        lifecycle.change_status(s, order, "on_hold", actor="dana", reason="parts")
        technicians.create_technician(s, name="Eve Moss")  # no actor: the face's
    with read_session(engine) as s:
        last = s.exec(select(OrderEvent).order_by(col(OrderEvent.id).desc())).first()
        assert (last.actor, last.on_behalf_of) == ("dana", "jsmith")
        rows = audit_log(s, actor="jsmith", limit=10)
    assert {r.who for r in rows} == {"dana on behalf of jsmith"}
    assert {r.order for r in rows} == {shop["o1"], "technician 4"}
    assert changes(engine, "technician")[-1][1:3] == ("dana", "jsmith")


def test_technicians_add_edit_deactivate_and_time_off_are_audited(engine, shop):
    with write_session(engine) as s:
        eve = technicians.create_technician(s, name="Eve Moss", hourly_cost_cents=4000)
        technicians.edit_technician(s, eve, hourly_cost_cents=4550, skills=["hvac"])
        technicians.edit_technician(s, eve, active=False)
        start = now() + timedelta(days=1)
        technicians.add_time_off(s, eve, start, start + timedelta(hours=8), reason="dentist")
    rows = changes(engine, "technician")
    assert [r[0] for r in rows[-3:]] == ["created", "edited", "deactivated"]
    created, edited, gone = rows[-3:]
    assert created[3]["after"]["rate"] == "$40.00" and "before" not in created[3]
    assert (edited[3]["before"]["rate"], edited[3]["after"]["rate"]) == ("$40.00", "$45.50")
    assert (edited[3]["before"]["skills"], edited[3]["after"]["skills"]) == ("", "hvac")
    assert (gone[3]["before"]["active"], gone[3]["after"]["active"]) == (True, False)
    assert changes(engine, "time_off")[0][3]["after"]["reason"] == "dentist"
    with read_session(engine) as s:
        detail = s.exec(select(ChangeEvent.detail).where(ChangeEvent.kind == "edited")).all()
    assert any("rate $40.00 -> $45.50" in d for d in detail)


def test_time_entries_created_edited_approved_and_deleted_are_audited(engine, shop):
    start = now().replace(hour=14, minute=0) - timedelta(days=1)
    with write_session(engine) as s:
        entry = timecards.add_entry(s, technician_id=shop["bob"], kind="shop",
                                    starts_at=start, ends_at=start + timedelta(hours=2),
                                    actor="lee")  # fmt: skip
        timecards.update_entry(s, entry, ends_at=start + timedelta(hours=3), actor="lee")
        from svcdesk.services.common.settings import shop_zone

        day = start.astimezone(shop_zone(s)).date()
        assert timecards.approve_day(s, shop["bob"], day, actor="kim") >= 1
        timecards.delete_entry(s, entry, actor="kim")
    rows = [r for r in changes(engine, "time_entry")]
    assert [r[0] for r in rows] == ["created", "edited", "approved", "deleted"]
    assert [r[1] for r in rows] == ["lee", "lee", "kim", "kim"]
    edited, approved, deleted = rows[1][3], rows[2][3], rows[3][3]
    assert edited["before"]["until"] != edited["after"]["until"]
    assert (approved["before"]["approved"], approved["after"]["approved"]) == (False, "by kim")
    assert deleted["before"]["approved"] == "by kim" and "after" not in deleted  # approved, gone


def test_price_book_and_parts_changes_are_audited(engine):
    text = "type,code,name,price\ntask,TUNE,Tune-up,89.00\n"
    with write_session(engine) as s:
        import_pricebook(s, "pb.csv", text)
    with write_session(engine) as s:
        import_pricebook(s, "pb.csv", text.replace("89.00", "99.00"))
    rows = changes(engine, "price_book")
    assert [r[0] for r in rows] == ["created", "edited"]
    with read_session(engine) as s:
        detail = s.exec(select(ChangeEvent.detail).where(ChangeEvent.entity == "price_book")).all()
    assert "price $89.00 -> $99.00" in detail[-1]
    with write_session(engine) as s:
        parts.upsert_part(s, parts.PartFields(sku="CAP-45", name="Capacitor", cost_cents=900))
        parts.upsert_part(s, parts.PartFields(sku="CAP-45", name="Capacitor", cost_cents=950))
        parts.upsert_part(s, parts.PartFields(sku="CAP-45", name="Capacitor", cost_cents=950))
    rows = changes(engine, "part")
    assert [r[0] for r in rows] == ["created", "edited"]  # unchanged: no record
    assert (rows[1][3]["before"]["cost_cents"], rows[1][3]["after"]["cost_cents"]) == (900, 950)


def test_a_refused_write_records_nothing(engine, shop):
    before = changes(engine, "technician")
    with pytest.raises(InvalidInput), write_session(engine) as s:
        tech = s.get(Technician, shop["bob"])
        technicians.edit_technician(s, tech, hourly_cost_cents=-5)
    assert changes(engine, "technician") == before


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["name", "rate_cents", "active", "qty_milli"]),
                    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text())),
    st.dictionaries(st.sampled_from(["name", "rate_cents", "active", "qty_milli"]),
                    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text())),
)  # fmt: skip
def test_changed_fields_name_exactly_the_fields_that_differ(before, after):
    said = events.changed_fields(before, after)
    differ = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    assert len(said) == len(differ)
    assert all(" -> " in line for line in said)


def test_agreement_create_coverage_sla_and_status_are_audited(engine, shop):
    from datetime import date

    from svcdesk.services.agreements import agreements as ag_svc

    with write_session(engine) as s:
        ag = ag_svc.create_agreement(s, customer_id=shop["customer"], name="Gold",
                                     starts_on=date(2026, 1, 1), price_cents=19900)  # fmt: skip
        ag_svc.add_coverage(s, ag, site_id=shop["site"])
        ag_svc.set_sla(s, ag, priority="high", response_hours=4, resolution_hours=24)
        ag_svc.set_sla(s, ag, priority="high", response_hours=2, resolution_hours=24)
        ag_svc.set_sla(s, ag, priority="high", response_hours=2, resolution_hours=24)  # same
        ag_svc.change_status(s, ag, "active")
    rows = changes(engine, "agreement")
    assert [r[0] for r in rows] == [
        "created",
        "coverage added",
        "sla high set",
        "sla high set",
        "status",
    ]
    assert rows[0][3]["after"]["price_cents"] == 19900
    assert rows[3][3]["before"]["response_minutes"] == 240
    assert rows[4][3] == {"before": {"status": "draft"}, "after": {"status": "active"}}
    with read_session(engine) as s:
        detail = s.exec(select(ChangeEvent.detail).where(ChangeEvent.kind == "created")).all()
    assert any("price $199.00" in d for d in detail)
