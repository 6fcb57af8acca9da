"""Every KPI against the hand-worked dataset in kpi_dataset.py (answers worked out there)."""

from __future__ import annotations

import pytest

from svcdesk.db import read_session
from svcdesk.services.reporting import kpis
from svcdesk.services.reporting.kpi_scope import GroupBy, KpiFilter, Period
from svcdesk.services.reporting.kpi_stats import median, percentile, rate
from tests.unit.reporting import kpi_dataset as ds


@pytest.fixture
def data(engine):
    return ds.build(engine)


def _report(engine, flt=None, by=None, last=ds.LAST):
    with read_session(engine) as s:
        return kpis.compute(s, kpis.period_for(s, ds.FIRST, last), flt, by)


def values(kpi_map):
    return {k: v.value for k, v in kpi_map.items()}


def test_stats_by_hand():
    assert median([30, 120, 1440]) == 120
    assert median([30, 60, 90, 120]) == 75
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile([30, 60, 90, 120], 90) == 120
    assert percentile([5], 90) == 5 and median([]) is None
    assert rate(1, 3) == 33.3 and rate(0, 0) is None


def test_every_kpi_for_the_week(engine, data):
    got = values(_report(engine).total)
    assert got == {
        "orders_created": 5,  # A B C D E (F is from the week before)
        "orders_completed": 3,  # A B C
        "orders_cancelled": 1,  # E
        "response_median": 120.0,  # A 120, B 1440 (first arrival only), C 30
        "response_p90": 1440.0,
        "job_duration_median": 75.0,  # visits 90, 60, 30, 120
        "job_duration_p90": 120.0,
        "first_time_fix": 33.3,  # A only: B took two visits, C was recalled by D
        "recall_rate": 33.3,
        "closeout_median": 36.0,  # A 24 h, C 48 h
        "revenue": 80000,  # INV-1 300.00 net of tax + INV-2 500.00 (draft, void left out)
        "revenue_per_call": 40000,
        "billed_per_order": 40000,
        "cost_per_order": 12350,  # A 54.00 + 25.00; C 96.00 + 72.00 -> 247.00 / 2
        "margin": 69.1,  # (800 - 247) / 800
        "gross_profit": 55300,
        "utilization": 9.2,  # 420 on-site min / (2400 + 2160) shift min
        "sla_compliance": 50.0,  # A met, C missed its resolution
        "backlog_open": 2,  # D 5.0 d, F 12.0 d
        "backlog_median_age": 8.5,
        "backlog_oldest": 12.0,
        "receivables": 48000,  # INV-1 330.00 + INV-3 150.00
        "receivables_current": 0,
        "receivables_1_30": 33000,  # INV-1 due 11-17: 8 days late
        "receivables_31_60": 0,
        "receivables_61_90": 0,
        "receivables_90_plus": 15000,  # INV-3 due 08-15: 102 days late
    }


def test_counts_tell_what_was_measured(engine, data):
    total = _report(engine).total
    assert total["response_median"].n == 3
    assert total["job_duration_median"].n == 4
    assert total["first_time_fix"].n == 3
    assert total["margin"].n == 2 and total["sla_compliance"].n == 2
    assert total["backlog_open"].needs == "orders"


def test_backlog_age_buckets(engine, data):
    ages = _report(engine).backlog_ages
    assert ages == {"<1d": 0, "1-3d": 0, "3-7d": 1, "7-14d": 1, "14-30d": 0, "30d+": 0}


def test_by_technician_ranks_by_profit(engine, data):
    report = _report(engine, by=GroupBy.TECH)
    assert [g.label for g in report.groups] == ["Ben", "Ann", "(none)"]
    ben, ann, none = (values(g.kpis) for g in report.groups)
    assert (ben["gross_profit"], ann["gross_profit"]) == (33200, 22100)
    assert (ann["orders_created"], ben["orders_created"], none["orders_created"]) == (2, 1, 2)
    assert (ann["first_time_fix"], ben["first_time_fix"]) == (50.0, 0.0)
    assert (ann["recall_rate"], ben["recall_rate"]) == (0.0, 100.0)
    assert (ann["utilization"], ben["utilization"]) == (12.5, 5.6)  # 300/2400, 120/2160
    assert ann["job_duration_median"] == 75.0  # helpers count: 90, 60, 30, 120
    assert ben["job_duration_median"] == 120.0
    assert (ann["receivables"], none["receivables"]) == (33000, 15000)
    assert none["utilization"] is None


def test_filters(engine, data):
    bolt = values(_report(engine, KpiFilter(customer_id=data["bolt"])).total)
    assert bolt["orders_created"] == 2 and bolt["orders_completed"] == 1
    assert bolt["first_time_fix"] == 0.0 and bolt["revenue"] == 50000
    assert bolt["backlog_open"] == 2 and bolt["receivables"] == 15000
    plumbing = values(_report(engine, KpiFilter(skill_id=data["plumbing"])).total)
    assert plumbing["utilization"] == 5.3  # 240 min of plumbing work / 4560 shift min
    assert plumbing["job_duration_median"] == 120.0
    ann = values(_report(engine, KpiFilter(tech_id=data["ann"])).total)
    assert ann["utilization"] == 12.5 and ann["orders_completed"] == 2
    assert ann["job_duration_median"] == 75.0
    high = values(_report(engine, KpiFilter(priority="high")).total)
    assert high["orders_created"] == 1 and high["response_median"] == 120.0
    maintenance = values(_report(engine, KpiFilter(kind="maintenance")).total)
    assert maintenance["orders_cancelled"] == 1 and maintenance["orders_completed"] == 0


def test_by_week_and_by_customer(engine, data):
    report = _report(engine, by=GroupBy.WEEK, last=ds.date(2026, 11, 24))
    assert [g.label for g in report.groups] == ["week of 2026-11-16", "week of 2026-11-23"]
    week1, week2 = (values(g.kpis) for g in report.groups)
    assert week1["orders_created"] == 5 and week2["orders_created"] == 0
    assert "backlog_open" not in week1  # point-in-time KPIs are not per week
    assert week2["response_median"] is None
    customers = _report(engine, by=GroupBy.CUSTOMER)
    assert [g.label for g in customers.groups] == ["Acme", "Bolt"]
    assert values(customers.groups[0].kpis)["orders_created"] == 3


def test_no_data_is_not_zero(engine):
    total = _report(engine).total
    assert total["orders_created"].value == 0  # a count: a real zero
    for key, why in {
        "response_median": "no order reached on site in the period",
        "job_duration_median": "no visit with arrival and departure in the period",
        "first_time_fix": "no completed orders with a visit",
        "revenue": "no invoices issued yet",
        "margin": "no completed, invoiced orders with time entries",
        "utilization": "no shift hours scheduled in the period",
        "sla_compliance": "no SLA clock resolved in the period",
        "receivables": "no invoices issued yet",
        "backlog_median_age": "no open orders",
    }.items():
        assert total[key].value is None and total[key].no_data == why
        assert total[key].text() == "no data"


def test_drill_down_lists_the_orders_behind_a_number(engine, data):
    with read_session(engine) as s:
        period = Period.of(ds.FIRST, ds.LAST, kpis.shop_zone(s))

        def behind(key, flt=None):
            return kpis.order_ids_behind(s, key, period, flt)

        assert behind("first_time_fix") == sorted([data["a"], data["b"], data["c"]])
        assert behind("orders_cancelled") == [data["e"]]
        assert behind("backlog_open") == sorted([data["d"], data["f"]])
        assert behind("receivables") == [data["a"]]  # INV-3 has no order
        assert behind("response_median", KpiFilter(tech_id=data["ben"])) == [data["c"]]


def test_text_forms():
    k = kpis.Kpi("x", "X", "min", 1440.0, 1)
    assert k.text() == "1d 0h"
    assert kpis.Kpi("x", "X", "min", 75, 1).text() == "1h 15m"
    assert kpis.Kpi("x", "X", "cents", 40000, 1).text() == "$400.00"
    assert kpis.Kpi("x", "X", "pct", 33.3, 1).text() == "33.3%"


def test_utilization_leaves_shop_holidays_out_of_shift_time(engine, data):
    # On a shop holiday the crew is off (docs/dispatch.md): its shifts are no capacity.
    # (Friday: the dataset's time off is on the Wednesday; a holiday's time off is moot.)
    from datetime import date

    from sqlmodel import select

    from svcdesk.db import write_session
    from svcdesk.models import Shift
    from svcdesk.services.common.settings import set_setting, shop_zone
    from svcdesk.services.reporting.kpi_shifts import shift_minutes

    with read_session(engine) as s:
        period = kpis.period_for(s, ds.FIRST, ds.LAST)
        before = shift_minutes(s, period, shop_zone(s))
        friday = {
            tid: sum(
                sh.end_minute - sh.start_minute
                for sh in s.exec(select(Shift).where(Shift.technician_id == tid))
                if sh.weekday == 4
            )
            for tid in before
        }
    assert any(friday.values())
    with write_session(engine) as s:
        set_setting(s, "shop.holidays", date(2026, 11, 20).isoformat())  # a Friday
    with read_session(engine) as s:
        after = shift_minutes(s, period, shop_zone(s))
        assert {t: before[t] - after[t] for t in before} == friday
        assert _report(engine).total["utilization"].value > 9.2
