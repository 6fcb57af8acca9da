"""CliRunner tests for agreements, pm, sla, alerts, followups and recalls."""

import json
from datetime import timedelta

from sqlmodel import func, select
from typer.testing import CliRunner

from svcdesk import clock
from svcdesk.db import read_session
from svcdesk.models import WorkOrder
from svcdesk.models.agreements import Agreement, AgreementSla, MaintenancePlan
from tests.conftest import FROZEN_NOW
from tests.fixtures.agreements import make_agreement

runner = CliRunner()


def run(db_path, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args])


def ok(db_path, *args):
    result = run(db_path, *args)
    assert result.exit_code == 0, result.output
    return result


def test_agreement_create_show_list_and_cancel(db_path, engine, shop):
    out = ok(db_path, "agreements", "create", "--customer", str(shop["customer"]), "--name", "Gold",
             "--start", "2026-11-01", "--price", "29.00", "--cycle", "monthly", "--visits", "2",
             "--labor-discount", "10", "--site", str(shop["site"]), "--sla", "high=2/8",
             "--sla", "emergency=1/4/calendar", "--activate").output  # fmt: skip
    assert "AG-000001: Gold (active) 2026-11-01 - 2027-10-31" in out
    with read_session(engine) as s:
        ag = s.exec(select(Agreement)).one()
        assert (ag.price_cents, ag.labor_discount_bp) == (2900, 1000)
        assert len(s.exec(select(AgreementSla)).all()) == 2
    shown = json.loads(ok(db_path, "agreements", "show", "AG-000001", "--json").stdout)
    assert shown["coverage"][0]["site_id"] == shop["site"]
    assert {x["priority"]: x["clock"] for x in shown["sla"]} == {
        "high": "business",
        "emergency": "calendar",
    }
    rows = json.loads(ok(db_path, "agreements", "list", "--json", "--status", "active").stdout)
    assert [r["number"] for r in rows] == ["AG-000001"]
    assert "Gold" in ok(db_path, "agreements", "show", "1").output
    ok(db_path, "agreements", "cancel", "AG-000001", "--reason", "moved away")
    bad = run(db_path, "agreements", "activate", "AG-000001")
    assert bad.exit_code == 1 and "cannot go from cancelled to active" in bad.stderr
    assert "Traceback" not in bad.output


def test_agreement_draft_cover_sla_activate(db_path, engine, shop):
    ok(
        db_path,
        "agreements",
        "create",
        "--customer",
        str(shop["customer"]),
        "--name",
        "Basic",
        "--start",
        "2026-11-01",
    )
    assert run(db_path, "agreements", "activate", "1").exit_code == 1
    ok(
        db_path,
        "agreements",
        "cover",
        "1",
        "--site",
        str(shop["site"]),
        "--asset",
        str(shop["asset"]),
    )
    out = ok(db_path, "agreements", "sla", "1", "high=4/24/calendar").output
    assert "high respond 4 h, resolve 24 h (calendar)" in out
    assert "active until 2027-10-31" in ok(db_path, "agreements", "activate", "1").output
    bad = run(db_path, "agreements", "sla", "1", "high")
    assert bad.exit_code == 1 and "PRIORITY=RESPONSE_H" in bad.stderr
    usage = run(db_path, "agreements", "create", "--name", "x")
    assert usage.exit_code == 2


def test_renewals_roll_lines_and_bill(db_path, engine, shop):
    make_agreement(engine, shop, term_months=1)
    rows = json.loads(ok(db_path, "agreements", "renewals", "--days", "30", "--json").stdout)
    assert rows[0]["number"] == "AG-000001" and rows[0]["days_left"] == 5
    lines = json.loads(
        ok(db_path, "agreements", "lines", "1", "--through", "2026-11-30", "--json").stdout
    )
    assert [x["amount_cents"] for x in lines] == [1900]
    dry = json.loads(
        ok(db_path, "agreements", "bill", "--through", "2026-11-30", "--dry-run", "--json").stdout
    )
    assert dry["billed"][0]["invoice"] is None
    first = ok(db_path, "agreements", "bill", "--through", "2026-11-30").output
    assert "billed 1 periods; 0 already billed" in first
    assert (
        "billed 0 periods; 1 already billed"
        in ok(db_path, "agreements", "bill", "--through", "2026-11-30").output
    )
    rolled = json.loads(ok(db_path, "agreements", "roll", "--today", "2026-12-01", "--json").stdout)
    assert rolled == {"renewed": [], "expired": ["AG-000001"]}


def test_pm_add_preview_generate(db_path, engine, shop):
    make_agreement(engine, shop)
    out = ok(db_path, "pm", "add", "AG-000001", "--site", str(shop["site"]), "--summary", "Tune-up",
             "--rrule", "FREQ=YEARLY;BYMONTH=4,10;BYDAY=1MO", "--start", "2026-11-01",
             "--check", "Filter", "--skill", "hvac").output  # fmt: skip
    assert "plan 1 on AG-000001: next 2027-04-05, 2027-10-04, 2028-04-03" in out
    with read_session(engine) as s:
        assert s.get(MaintenancePlan, 1).checklist == '["Filter"]'
    dates = json.loads(ok(db_path, "pm", "preview", "1", "--count", "2", "--json").stdout)
    assert dates == [{"due_on": "2027-04-05", "moved": None, "rule_date": "2027-04-05"},
                     {"due_on": "2027-10-04", "moved": None, "rule_date": "2027-10-04"}]  # fmt: skip
    tried = json.loads(ok(db_path, "pm", "preview", "--rrule", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
                          "--start", "2026-01-01", "--count", "1", "--json").stdout)  # fmt: skip
    assert tried == [{"due_on": "2026-12-28", "moved": "holiday", "rule_date": "2026-12-25"}]
    plans = json.loads(ok(db_path, "pm", "plans", "--json").stdout)
    assert plans[0]["next_dates"][0] == "2027-04-05"
    dry = json.loads(
        ok(db_path, "pm", "generate", "--through", "2027-12-31", "--dry-run", "--json").stdout
    )
    assert len(dry["created"]) == 2 and dry["dry_run"] is True
    out = ok(db_path, "pm", "generate", "--through", "2027-12-31").output
    assert "created 2, skipped 0" in out
    again = json.loads(ok(db_path, "pm", "generate", "--through", "2027-12-31", "--json").stdout)
    assert again["created"] == [] and len(again["skipped"]) == 2
    with read_session(engine) as s:
        assert (
            s.exec(
                select(func.count()).select_from(WorkOrder).where(WorkOrder.kind == "maintenance")
            ).one()
            == 2
        )
    bad = run(
        db_path,
        "pm",
        "add",
        "1",
        "--site",
        str(shop["site"]),
        "--summary",
        "x",
        "--rrule",
        "FREQ=NEVER",
    )
    assert bad.exit_code == 1 and bad.stderr.startswith("error: rrule:")
    assert run(db_path, "pm", "preview").exit_code == 1


def test_sla_lists_and_compliance(db_path, engine, shop):
    clock.freeze(FROZEN_NOW + timedelta(hours=3, minutes=10))  # emergency o3: 50 min left
    rows = json.loads(ok(db_path, "sla", "--at-risk", "--json").stdout)
    assert [(r["number"], r["state"], r["target"]) for r in rows] == [
        (shop["o3"], "at_risk", "response")
    ]
    assert json.loads(ok(db_path, "sla", "--breached", "--json").stdout) == []
    table = ok(db_path, "sla").output
    assert shop["o1"] in table and "at_risk" in table
    clock.freeze(FROZEN_NOW + timedelta(hours=5))
    assert [r["number"] for r in json.loads(ok(db_path, "sla", "--breached", "--json").stdout)] == [
        shop["o3"]
    ]
    report = json.loads(ok(db_path, "sla", "compliance", "--json").stdout)
    assert [p["priority"] for p in report["priorities"]] == ["emergency", "high", "normal", "low"]


def test_alerts_followups_recalls(db_path, engine, shop):
    for status in ("dispatched", "en_route", "on_site", "completed"):
        ok(db_path, "orders", "status", shop["o2"], status)
    follow = json.loads(ok(db_path, "followups", "list", "--json").stdout)
    assert [f["kind"] for f in follow] == ["callback", "review_request"]
    ok(
        db_path,
        "followups",
        "add",
        shop["o2"],
        "inspection",
        "--due",
        "tomorrow 10:00",
        "--note",
        "city",
    )
    assert (
        "done" in ok(db_path, "followups", "done", str(follow[0]["id"]), "--note", "happy").output
    )
    assert len(json.loads(ok(db_path, "followups", "list", "--all", "--json").stdout)) == 3
    bad = run(db_path, "followups", "add", shop["o2"], "party", "--due", "tomorrow")
    assert bad.exit_code == 1 and "kind: 'party'" in bad.stderr
    far = run(db_path, "followups", "add", shop["o2"], "inspection", "--due", "9999-01-01")
    assert far.exit_code == 1 and "Traceback" not in far.output
    assert "due: 9999-01-01 is more than 5 years ahead" in far.stderr
    assert len(json.loads(ok(db_path, "followups", "list", "--all", "--json").stdout)) == 3
    # a new call at the same site within 30 days: possible recall
    ok(db_path, "intake", "--customer", "Riverside Cafe", "--phone", "512-555-0303",
       "--address", "88 Riverside Dr", "--zip", "78741", "--summary", "Sink leaking again")  # fmt: skip
    recalls = json.loads(ok(db_path, "recalls", "list", "--json").stdout)
    assert recalls[0]["original"] == shop["o2"] and recalls[0]["match"] == "site"
    clock.freeze(FROZEN_NOW + timedelta(hours=6))
    alerts = json.loads(ok(db_path, "alerts", "--json").stdout)
    assert {a["kind"] for a in alerts} == {"stale", "recall"}
    assert {a["number"] for a in alerts if a["kind"] == "stale"} >= {shop["o1"], shop["o3"]}
    assert "limit 4 h" in ok(db_path, "alerts", "--kind", "stale").output
    ok(db_path, "recalls", "confirm", recalls[0]["number"])
    assert (
        json.loads(ok(db_path, "recalls", "list", "--status", "all", "--json").stdout)[0]["status"]
        == "confirmed"
    )
    bad = run(db_path, "recalls", "dismiss", recalls[0]["number"])
    assert bad.exit_code == 1 and "already confirmed" in bad.stderr


def test_assets_show(db_path, engine, shop):
    make_agreement(engine, shop, plan_rule="FREQ=MONTHLY;BYMONTHDAY=26")
    data = json.loads(ok(db_path, "assets", "show", str(shop["asset"]), "--json").stdout)
    assert data["warranty"] == "none recorded"
    assert [o["number"] for o in data["orders"]] == [shop["o1"]]
    assert data["plans"][0]["next"][0] == "2026-11-27"
    out = ok(db_path, "assets", "show", str(shop["asset"])).output
    assert "Covered by: AG-000001 Comfort Club" in out
    bad = run(db_path, "assets", "show", "999")
    assert bad.exit_code == 1 and "asset 999 not found" in bad.stderr
