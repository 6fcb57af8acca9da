"""Customer matching by phone/e-mail, site by normalised address, idempotent external_ref."""

from __future__ import annotations

import pytest

from svcdesk.errors import InvalidInput
from svcdesk.services.common.normalize import address_key, phone_key
from svcdesk.services.orders import intake


def _req(**kw):
    base = dict(
        summary="Leak",
        customer="Ann Lee",
        phone="512-555-0400",
        address="5 Pine Street",
        zip="78701",
    )
    base.update(kw)
    return intake.IntakeRequest(**base)


def test_same_phone_different_format_matches_customer_and_site(session):
    a, _ = intake.create_order(session, _req())
    b, _ = intake.create_order(
        session, _req(phone="+1 (512) 555-0400", address="5 pine st.", customer="A. Lee")
    )
    assert (a.customer_id, a.site_id) == (b.customer_id, b.site_id)


def test_email_matches_case_insensitively(session):
    a, _ = intake.create_order(session, _req(phone=None, email="Ann@Example.com"))
    b, _ = intake.create_order(session, _req(phone=None, email="ann@example.COM"))
    assert a.customer_id == b.customer_id


def test_new_address_adds_a_site_to_the_same_customer(session):
    a, _ = intake.create_order(session, _req())
    b, _ = intake.create_order(session, _req(address="77 Elm Avenue"))
    assert a.customer_id == b.customer_id and a.site_id != b.site_id


def test_unknown_caller_is_a_new_customer(session):
    a, _ = intake.create_order(session, _req())
    b, _ = intake.create_order(session, _req(phone="512-555-0999", customer="Other"))
    assert a.customer_id != b.customer_id


def test_external_ref_is_idempotent(session):
    a, created_a = intake.create_order(session, _req(external_ref="WEB-1"))
    b, created_b = intake.create_order(session, _req(external_ref="WEB-1", summary="changed"))
    assert created_a and not created_b and a.id == b.id and b.summary == "Leak"


def test_numbers_are_sequential(session):
    numbers = [intake.create_order(session, _req())[0].number for _ in range(3)]
    assert numbers == ["SO-000001", "SO-000002", "SO-000003"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"summary": " "}, "summary: required"),
        ({"priority": "urgentish"}, "priority: 'urgentish' is not one of"),
        ({"skill": "welding"}, "skill: unknown skill 'welding'"),
        ({"address": ""}, "address: required"),
        ({"est_minutes": 0}, "est_minutes: 0 is not between"),
    ],
)
def test_invalid_requests(session, kw, message):
    with pytest.raises(InvalidInput, match=message):
        intake.create_order(session, _req(**kw))


def test_priority_is_case_insensitive_and_sets_sla(session, frozen_clock):
    from datetime import timedelta

    order, _ = intake.create_order(session, _req(priority="EMERGENCY"))
    assert order.priority == "emergency" and order.priority_rank == 0
    assert order.sla_due - frozen_clock == timedelta(hours=4)


def test_normalisers():
    assert phone_key("+1 (512) 555-0100") == phone_key("512.555.0100") == "5125550100"
    assert phone_key("12") is None
    assert address_key("1204 Oak Street", "78704") == address_key("1204  oak st.", "78704-1234")
