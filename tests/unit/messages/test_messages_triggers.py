"""Every trigger queues its message in the event's transaction, with the rendered text;
preferences (no consent, opt-out, channel), quiet hours and each trigger's switch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from svcdesk import clock
from svcdesk.errors import InvalidInput, InvalidTransition
from svcdesk.models import Customer, Technician, Visit
from svcdesk.models.messages import MessageAttachment
from svcdesk.services.agreements import followups
from svcdesk.services.billing import invoices, payments, quotes
from svcdesk.services.common.settings import set_setting, shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.messages import outbox, prefs, templates, triggers
from svcdesk.services.orders import lifecycle, scheduling
from tests.unit.billing import billing_helpers as h
from tests.unit.messages.helpers import consent, draft_invoice, messages, senders_on


def _book(s, shop, when="2026-11-26 09:00", number="o1"):
    order = lifecycle.get_order(s, shop[number])
    alice = s.get(Technician, shop["alice"])
    return order, scheduling.book_visit(s, order, [alice], parse_when(when, shop_zone(s)), 120)


def test_booking_confirmation_has_the_window_in_local_words(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    order, visit = _book(session, shop)
    [m] = messages(session, "booking")
    assert (m.channel, m.recipient, m.status) == ("email", "jane@example.com", "queued")
    assert (m.order_id, m.visit_id) == (order.id, visit.id)
    assert m.subject == "Your appointment on Thursday, November 26"
    assert "arriving between 9:00 AM and 11:00 AM, at 1204 Oak Street, Austin." in m.body
    assert "No heat upstairs, order SO-" in m.body and "Lone Star Comfort" in m.body


def test_no_consent_means_nothing_is_queued(session, shop):
    senders_on(session)
    _book(session, shop)
    assert messages(session) == []


def test_sender_off_or_trigger_off_queues_nothing(session, shop):
    consent(session, shop["customer"])
    _book(session, shop)  # senders are off by default
    assert messages(session) == []
    senders_on(session)
    set_setting(session, "messages.on.booking", "off")
    _book(session, shop, "2026-11-27 09:00")
    assert messages(session) == []


def test_preferred_sms_and_opt_out_falls_back_to_email(session, shop):
    senders_on(session)
    customer = consent(session, shop["customer"], channel="sms")
    _book(session, shop)
    [m] = messages(session)
    assert (m.channel, m.recipient) == ("sms", customer.phone)
    assert m.subject == "" and "Reply STOP to opt out." in m.body
    prefs.opt_out(session, customer, "sms", actor="test")
    _book(session, shop, "2026-11-27 13:00")
    later = messages(session)[-1]
    assert (later.channel, later.recipient) == ("email", "jane@example.com")


def test_opt_out_cancels_what_is_queued_and_blocks_retry(session, shop):
    senders_on(session)
    customer = consent(session, shop["customer"])
    _book(session, shop)
    assert prefs.opt_out(session, customer, "email", actor="test") == 1
    [m] = messages(session)
    assert m.status == "cancelled" and "opted out" in (m.last_error or "")
    with pytest.raises(InvalidTransition, match="opted out of email"):
        outbox.retry(session, m)
    prefs.opt_in(session, customer, "email", actor="test")
    assert outbox.retry(session, m).status == "queued"


def test_same_event_twice_queues_once(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    order, visit = _book(session, shop)
    triggers.booking(session, order, visit, actor="x")
    assert len(messages(session)) == 1
    scheduling.reschedule_visit(session, visit, parse_when("2026-11-26 13:00", shop_zone(session)))
    again = messages(session)
    assert len(again) == 2 and "between 1:00 PM and 3:00 PM" in again[-1].body


def test_on_my_way_with_eta(session, shop):
    senders_on(session)
    consent(session, shop["customer"], channel="sms")
    order, visit = _book(session, shop, "2026-11-25 10:00")
    visit.eta_at = parse_when("2026-11-25 10:20", shop_zone(session))
    vp.start_travel(session, visit, actor="Alice Ng")
    [m] = messages(session, "on_my_way")
    assert (
        m.body == "Lone Star Comfort & Plumbing: Alice Ng is on the way, arriving about 10:20 AM."
    )


def test_on_my_way_from_the_order_status_without_eta(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    order, _visit = _book(session, shop, "2026-11-25 10:00")
    from svcdesk.services.execution.order_progress import change_order_status

    change_order_status(session, order, "dispatched", actor="disp")
    change_order_status(session, order, "en_route", actor="disp")
    [m] = messages(session, "on_my_way")
    assert m.subject == "Alice Ng is on the way"
    assert "on the way to 1204 Oak Street, Austin." in m.body and "arrive about" not in m.body


def test_reminders_for_tomorrow_once_and_held_in_quiet_hours(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    _book(session, shop, "2026-11-26 09:00")
    _book(session, shop, "2026-11-27 13:00", "o3")  # not tomorrow
    with clock.at(datetime(2026, 11, 26, 3, 30, tzinfo=UTC)):  # 21:30 local, quiet
        assert triggers.remind(session) == 1
        assert triggers.remind(session) == 0  # once per visit and start
    [m] = messages(session, "reminder")
    assert m.subject == "Reminder: we see you tomorrow, Thursday, November 26"
    # held until 08:00 local (14:00 UTC) the next morning
    assert m.next_try_at == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def test_quiet_hours_parse_and_window():
    quiet = outbox.parse_quiet_hours("21:00-08:00")
    zone = shop_zone.__globals__["ZoneInfo"]("America/Chicago")
    noon = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    assert outbox.quiet_until(noon, zone, quiet) is None
    late = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # 22:00 local
    assert outbox.quiet_until(late, zone, quiet) == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    assert outbox.parse_quiet_hours("") is None
    with pytest.raises(InvalidInput, match="not a start and end time"):
        outbox.parse_quiet_hours("25:00")


def test_review_request_follows_the_followup_due_date(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    order = lifecycle.get_order(session, shop["o1"])
    due = clock.now() + timedelta(days=5)
    followups.add_followup(session, order, "review_request", due)
    followups.add_followup(session, order, "callback", due)
    [m] = messages(session)
    assert m.trigger == "review" and m.next_try_at == due
    assert m.subject == "How did we do?" and "(No heat upstairs, order SO-" in m.body


def test_invoice_pdf_with_balance_and_receipt(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    inv = draft_invoice(session, shop)
    assert messages(session) == []  # a draft sends nothing
    invoices.issue(session, inv, actor="ann")
    [m] = messages(session, "invoice")
    assert m.subject == f"Invoice {inv.number} from Lone Star Comfort & Plumbing"
    total = f"${inv.total_cents // 100:,}.{inv.total_cents % 100:02d}"
    assert f"Balance due: {total} by December 25, 2026." in m.body
    [pdf] = session.exec(
        select(MessageAttachment).where(MessageAttachment.message_id == m.id)
    ).all()
    assert pdf.filename == f"{inv.number}.pdf" and pdf.data.startswith(b"%PDF")
    payments.add_payment(session, inv, 5000, method="card", actor="ann")
    [r] = messages(session, "receipt")
    assert "We received your payment of $50.00 (card) on November 25" in r.body
    assert "Balance still due:" in r.body


def test_quote_pdf_with_totals(session, shop):
    senders_on(session)
    consent(session, shop["customer"], channel="sms")  # documents go by e-mail anyway
    h.seed_pricebook(session)
    o = lifecycle.get_order(session, shop["o1"])
    q = quotes.create_quote(session, customer_id=o.customer_id, title="AC repair", order=o)
    quotes.add_line(session, q, quotes.item_draft(session, "CAP-REPLACE"), option="Good")
    quotes.add_line(session, q, quotes.item_draft(session, "CONTACTOR"), option="Better")
    quotes.send(session, q)
    [m] = messages(session, "quote")
    assert m.channel == "email" and m.quote_id == q.id
    assert f"Your quote {q.number} (AC repair) is attached: $" in m.body
    assert "(Good) or $" in m.body and "Reply to this e-mail or call us to approve it." in m.body
    assert len(outbox.attachments_of(session, m.id)) == 1


def test_template_edit_checked_rendered_and_reset(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    with pytest.raises(InvalidInput, match="'nope' is undefined"):
        templates.edit_template(session, "booking", "email", body="Hi {{ nope }}")
    with pytest.raises(InvalidInput, match="unsafe|access"):
        templates.edit_template(session, "booking", "email",
                                body="{{ customer.__class__.__mro__ }}")  # fmt: skip
    templates.edit_template(session, "booking", "email", subject="See you {{ day }}",
                            body="Dear {{ customer }}: {{ window }}.", actor="ann")  # fmt: skip
    assert templates.preview(session, "booking", "email") == (
        "See you Friday, December 4",
        "Dear Dana Reyes: between 9:00 AM and 11:00 AM.",
    )
    _book(session, shop)
    assert messages(session)[0].body == "Dear Jane Porter: between 9:00 AM and 11:00 AM."
    templates.edit_template(session, "booking", "email", reset=True, actor="ann")
    assert not templates.get_template(session, "booking", "email").edited
    with pytest.raises(InvalidInput, match="e-mail only"):
        templates.get_template(session, "invoice", "sms")


def test_customer_without_address_gets_nothing(session, shop):
    senders_on(session, sms="off")
    order = lifecycle.get_order(session, shop["o2"])  # Riverside Cafe: phone, no e-mail
    consent(session, order.customer_id)
    visit = session.exec(select(Visit).where(Visit.order_id == order.id)).one()
    triggers.booking(session, order, visit, actor="x")
    assert messages(session) == []
    assert session.get(Customer, order.customer_id).email is None


def test_delivery_words_say_why_the_customer_was_not_messaged(session, shop):
    """`invoices send` / `quotes send` tell the office whether the customer was messaged,
    and if not, the one thing to change."""
    inv = draft_invoice(session, shop)
    invoices.issue(session, inv, actor="ann")

    def words() -> str:
        return outbox.delivery_words(session, "invoice", inv.customer_id, invoice_id=inv.id)

    assert words() == "not messaged: no sender is set up (settings messages.email.sender)"
    senders_on(session)
    assert (
        words() == "not messaged: Jane Porter has not agreed to messages (svcdesk messages prefs)"
    )
    set_setting(session, "messages.on.invoice", "off")
    assert words() == "not messaged: the invoice message is off (settings messages.on.invoice)"
    set_setting(session, "messages.on.invoice", "on")
    consent(session, shop["customer"])
    customer = session.get(Customer, inv.customer_id)
    customer.email = None
    session.add(customer)
    session.flush()
    assert words() == "not messaged: Jane Porter has no e-mail address"


def test_delivery_words_name_the_queued_message(session, shop):
    senders_on(session)
    consent(session, shop["customer"])
    inv = draft_invoice(session, shop)
    invoices.issue(session, inv, actor="ann")
    assert outbox.delivery_words(session, "invoice", inv.customer_id, invoice_id=inv.id) == (
        "e-mail to jane@example.com queued (svcdesk messages send delivers it)"
    )
