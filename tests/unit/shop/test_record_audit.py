"""Issue 15, item 9 (the rest): every create, edit and delete of maintenance plans,
follow-ups, recalls, checklists and their answers, attachments, truck par levels, payments,
field devices, customer links and message preferences/templates leaves a `change_event`
with its actor (on behalf of the OS user under `--as`) and the values before and after in
words. Table-driven: each case does its writes and names the (record, kind) rows it must
leave; every row's data must be words (no enum values, no RRULE text)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from svcdesk.clock import now
from svcdesk.db import read_session, write_session
from svcdesk.models import Visit
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.common import events
from svcdesk.services.orders import lifecycle


def _plan(s, shop):
    from svcdesk.services.agreements import agreements, pm_plans

    ag = agreements.create_agreement(s, customer_id=shop["customer"], name="Gold",
                                     starts_on=date(2026, 1, 1), price_cents=19900)  # fmt: skip
    pm_plans.create_plan(s, ag, site_id=shop["site"], summary="Spring tune-up",
                         rrule="FREQ=YEARLY;BYMONTH=4", starts_on=date(2026, 4, 1))  # fmt: skip


def _followup(s, shop):
    from svcdesk.services.agreements import followups

    order = lifecycle.get_order(s, shop["o1"])
    row = followups.add_followup(s, order, "review_request", now() + timedelta(days=2),
                                 actor="dana")  # fmt: skip
    followups.complete(s, row.id, note="5 stars", actor="dana")


def _recall(s, shop):
    from svcdesk import clock
    from svcdesk.services.agreements import recalls
    from svcdesk.services.orders import intake

    order = lifecycle.get_order(s, shop["o1"])
    for status in ("scheduled", "dispatched", "en_route", "on_site", "completed"):
        lifecycle.change_status(s, order, status)
    with clock.at(now() + timedelta(days=3)):
        again, _ = intake.create_order(s, intake.IntakeRequest(
            summary="Not working again", customer_id=shop["customer"], site_id=shop["site"],
            skill="hvac"))  # fmt: skip
        recalls.confirm(s, again, actor="dana")


def _visit(s, shop) -> Visit:
    order = lifecycle.get_order(s, shop["o2"])
    return s.exec(select(Visit).where(Visit.order_id == order.id)).one()


def _checklist(s, shop):
    from svcdesk.services.execution import checklists

    tpl = checklists.create_template(s, "Water heater", [
        checklists.parse_item_spec("Water off:yes_no"),
        checklists.parse_item_spec("Pressure:number:psi:optional")])  # fmt: skip
    visit = _visit(s, shop)
    checklists.attach(s, visit, tpl, actor="dana")
    checklists.answer(s, visit, "Pressure", "60", actor="dana")
    checklists.answer(s, visit, "Pressure", "62", actor="dana")


def _attachment(s, shop, tmp_path):
    from svcdesk.services.execution import attachments

    (tmp_path / "invoice.pdf").write_bytes(b"%PDF-1.4 x")
    order = lifecycle.get_order(s, shop["o1"])
    attachments.add_attachment(s, order, tmp_path / "invoice.pdf", tmp_path / "files",
                               caption="supplier invoice", actor="dana")  # fmt: skip


def _par(s, shop):
    from svcdesk.services.inventory import restock
    from tests.unit.inventory.helpers import stocked

    stocked(s)
    from svcdesk.services.inventory import parts, stock

    truck = stock.truck_of(s, shop["bob"])
    cap = parts.get_part(s, "CAP-35")
    restock.set_par(s, truck, cap, min_milli=2000, par_milli=5000)
    restock.set_par(s, truck, cap, min_milli=3000, par_milli=5000)
    restock.set_par(s, truck, cap, min_milli=3000, par_milli=5000)  # unchanged: no row


def _payment(s, shop):
    from svcdesk.services.billing import invoices, payments
    from svcdesk.services.billing.invoices import LineDraft

    inv = invoices.create_invoice(s, customer_id=shop["customer"], lines=[LineDraft("Work", 5000)])
    invoices.issue(s, inv)
    payments.add_payment(s, inv, 2000, method="ach", actor="dana")


def _device(s, shop):
    from svcdesk.models import Technician
    from svcdesk.services.crm import devices

    bob = s.get(Technician, shop["bob"])
    token = devices.create_enrolment(s, bob, actor="dana").token
    device, _ = devices.redeem_enrolment(s, token, label="Pixel 8")
    devices.revoke_device(s, device.id, actor="dana")


def _link(s, shop):
    from svcdesk.services.billing import invoices, portal
    from svcdesk.services.billing.invoices import LineDraft

    inv = invoices.create_invoice(s, customer_id=shop["customer"], lines=[LineDraft("Work", 5000)])
    invoices.issue(s, inv)
    link = portal.create_invoice_link(s, inv.number, base_url="http://x", days=None, actor="dana")
    portal.revoke_link(s, link.id, actor="dana")


def _prefs(s, shop):
    from svcdesk.models import Customer
    from svcdesk.services.messages import prefs, templates

    customer = s.get(Customer, shop["customer"])
    prefs.set_preferences(s, customer, consent=True, channel="sms", actor="dana")
    prefs.opt_out(s, customer, "sms", actor="dana")
    templates.edit_template(s, "reminder", "email", subject="See you {{ day }}", actor="dana")
    templates.edit_template(s, "reminder", "email", reset=True, actor="dana")


# (name, writes, the (record, kind) rows they leave, a word the data must hold)
CASES: list[tuple[str, Callable, list[tuple[str, str]], str]] = [
    ("maintenance plan", _plan, [("maintenance_plan", "created")], "yearly in April"),
    ("follow-up", _followup, [("follow_up", "created"), ("follow_up", "done")], "review request"),
    ("recall", _recall, [("recall", "flagged"), ("recall", "confirmed")], "possible recall"),
    ("checklist", _checklist, [("checklist", "created"), ("checklist_answer", "answered"),
                               ("checklist_answer", "edited")], "60 psi"),
    ("attachment", _attachment, [("attachment", "added")], "invoice.pdf"),
    ("truck par", _par, [("stock_par", "created"), ("stock_par", "edited")], "5"),
    ("payment", _payment, [("payment", "recorded")], "ACH bank transfer"),
    ("field device", _device, [("sign_in_link", "created"), ("field_device", "enrolled"),
                               ("field_device", "revoked")], "Pixel 8"),
    ("customer link", _link, [("customer_link", "created"), ("customer_link", "revoked")],
     "invoice"),
    ("message preference", _prefs, [("message_preference", "created"),
                                    ("message_preference", "edited"),
                                    ("message_template", "edited"),
                                    ("message_template", "reset")], "text messages"),
]  # fmt: skip

ENUM_LIKE = ("review_request", "FREQ=", "RRULE", "yes_no", "partially_paid", "on_hold")


def _rows(engine, after_id: int) -> list[ChangeEvent]:
    with read_session(engine) as s:
        return list(s.exec(select(ChangeEvent).where(col(ChangeEvent.id) > after_id)
                           .order_by(col(ChangeEvent.id))))  # fmt: skip


@pytest.mark.parametrize(("name", "writes", "expected", "word"), CASES, ids=[c[0] for c in CASES])
def test_every_change_is_audited_with_before_after_in_words(
    engine, shop, tmp_path, name, writes, expected, word
):
    events.act_as(engine, "dana", on_behalf_of="jsmith")
    with read_session(engine) as s:
        last = s.exec(select(ChangeEvent.id).order_by(col(ChangeEvent.id).desc())).first() or 0
    with write_session(engine) as s:
        writes(s, shop, tmp_path) if name == "attachment" else writes(s, shop)
    wanted = {entity for entity, _ in expected}  # (not the agreement, parts, ... made first)
    rows = [r for r in _rows(engine, last) if r.entity in wanted]
    assert [(r.entity, r.kind) for r in rows] == expected
    for r in rows:
        who = ("dana", "jsmith") if r.kind != "enrolled" else ("Bob Ruiz (phone)", None)
        assert (r.actor, r.on_behalf_of) == who, (r.entity, r.kind, r.actor)
        data = json.loads(r.data or "{}")
        assert data.get("after") or data.get("before"), (r.entity, r.kind)
        text = r.detail + json.dumps(data)
        assert not any(bad in text for bad in ENUM_LIKE), (r.entity, r.kind, text)
    edits = [json.loads(r.data) for r in rows if r.kind not in ("created", "added", "recorded",
                                                                "flagged", "answered", "enrolled")]  # fmt: skip
    assert all("before" in d and "after" in d for d in edits)
    assert word in " ".join(r.detail + (r.data or "") for r in rows)


def test_a_phone_enrolment_is_recorded_as_the_technicians_phone(engine, shop):
    with write_session(engine) as s:
        _device(s, shop)
    enrolled = [r for r in _rows(engine, 0) if r.kind == "enrolled"]
    assert [r.actor for r in enrolled] == ["Bob Ruiz (phone)"]
