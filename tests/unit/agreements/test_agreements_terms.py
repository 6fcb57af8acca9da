"""Agreement statuses, coverage, renewals/roll, discounts, billing periods and `bill`."""

from datetime import date

import pytest
from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput, InvalidTransition
from svcdesk.models.billing import Invoice
from svcdesk.services.agreements import agreements as svc
from svcdesk.services.billing import agreement_billing as billing
from tests.fixtures.agreements import make_agreement


def test_draft_needs_coverage_and_moves_are_checked(session, shop):
    ag = svc.create_agreement(session, customer_id=shop["customer"], name="Gold",
                              starts_on=date(2026, 1, 31), term_months=1)  # fmt: skip
    assert ag.number.startswith("AG-") and ag.status == "draft"
    assert ag.ends_on == date(2026, 2, 27)  # Jan 31 + 1 month - 1 day
    with pytest.raises(InvalidInput, match="covered site"):
        svc.change_status(session, ag, "active")
    with pytest.raises(InvalidTransition, match="allowed: active, cancelled"):
        svc.change_status(session, ag, "expired")
    with pytest.raises(InvalidInput, match="reason"):
        svc.change_status(session, ag, "cancelled")
    with pytest.raises(InvalidInput, match="does not belong"):
        svc.add_coverage(session, ag, site_id=999)
    with pytest.raises(InvalidInput, match="resolution hours"):
        svc.set_sla(session, ag, priority="high", response_hours=8, resolution_hours=4)


def test_parse_helpers():
    assert svc.parse_bp("12.5%", "d") == 1250
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        svc.parse_bp("150", "labor discount")
    assert svc.parse_sla_spec("emergency=2/8/calendar") == ("emergency", 2.0, 8.0, "calendar")
    with pytest.raises(InvalidInput, match="PRIORITY="):
        svc.parse_sla_spec("high:4")


def test_covering_agreement_asset_vs_site(engine, shop):
    ids = make_agreement(engine, shop)
    with read_session(engine) as s:
        found = svc.covering_agreement(s, shop["site"], None, date(2026, 12, 1))
        assert found.number == ids["agreement"]
        assert svc.covering_agreement(s, shop["site"], None, date(2028, 1, 1)) is None
        assert svc.discounts_for(s, ids["agreement_id"]) == (1000, 500)
        assert svc.discounts_for(s, None) == (0, 0)


def test_renewals_and_roll(engine, shop):
    ids = make_agreement(engine, shop, term_months=1)  # ends 2026-11-30
    with write_session(engine) as s:
        other = svc.create_agreement(s, customer_id=shop["customer"], name="Plumbing",
                                     starts_on=date(2026, 10, 1), term_months=2, auto_renew=True)  # fmt: skip
        svc.add_coverage(s, other, site_id=shop["site"])
        svc.change_status(s, other, "active")
        assert [a.number for a in svc.renewals(s, date(2026, 11, 25), 10)] == [
            ids["agreement"],
            other.number,
        ]
        assert svc.renewals(s, date(2026, 11, 25), 2) == []
        result = svc.roll(s, date(2027, 3, 15))
        assert result.expired == [ids["agreement"]] and result.renewed == [other.number]
        assert (other.term_start, other.ends_on, other.renewals) == (
            date(2027, 2, 1),
            date(2027, 3, 31),
            2,
        )


def test_billing_periods_and_lines(engine, shop):
    ids = make_agreement(engine, shop, billing_cycle="quarterly", price_cents=5700)
    with read_session(engine) as s:
        ag = svc.get_agreement(s, ids["agreement"])
        periods = billing.periods(ag, date(2027, 5, 1))
        assert [(p.start, p.end) for p in periods] == [
            (date(2026, 11, 1), date(2027, 1, 31)),
            (date(2027, 2, 1), date(2027, 4, 30)),
            (date(2027, 5, 1), date(2027, 7, 31)),
        ]
        lines = billing.billable_lines(s, ag, periods[0])
        assert (
            lines[0].amount_cents == 5700
            and "quarterly 2026-11-01 to 2027-01-31" in lines[0].description
        )


def test_bill_is_idempotent_per_agreement_and_period(engine, shop):
    make_agreement(engine, shop)  # monthly 19.00 from Nov 1
    with write_session(engine) as s:
        dry = billing.bill(s, date(2026, 12, 15), dry_run=True)
        assert [b["period_start"] for b in dry.billed] == ["2026-11-01", "2026-12-01"]
        assert s.exec(select(Invoice)).all() == []
        first = billing.bill(s, date(2026, 12, 15))
    with write_session(engine) as s:
        again = billing.bill(s, date(2026, 12, 15))
        invoices = s.exec(select(Invoice)).all()
    assert [b["invoice"] is not None for b in first.billed] == [True, True]
    assert again.billed == [] and again.skipped == 2
    assert len(invoices) == 2 and {i.total_cents for i in invoices} == {1900}
    assert all(i.agreement_id is not None for i in invoices)
