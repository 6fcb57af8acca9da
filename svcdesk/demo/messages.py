"""Demo step 70: customer messages (docs/messages.md). E-mail and texts go to the `file`
sender (written to `svcdesk-files/outbox/` next to the database, nothing leaves the
machine); most customers consented, a few prefer texts, one sent STOP. web.public_url is
the local web app (or $SVCDESK_FIELD_URL), so document e-mails carry their customer link.
Tomorrow's reminders, the open quote's e-mail (with its approve link) and the latest
invoices' e-mails (with a link to see them) are queued: `svcdesk messages send` (or `s` on
the console's Outbox screen) writes them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from svcdesk.demo import DemoContext
from svcdesk.models import Customer
from svcdesk.models.billing import Invoice, InvoiceStatus, Quote, QuoteStatus
from svcdesk.services.billing import outgoing, quotes
from svcdesk.services.common.settings import set_setting
from svcdesk.services.crm.devices import field_url
from svcdesk.services.messages import prefs, triggers

ORDER = 70


def run(session: Session, ctx: DemoContext) -> None:
    for key in ("messages.email.sender", "messages.sms.sender"):
        set_setting(session, key, "file", actor="demo")
    set_setting(session, "web.public_url", field_url(), actor="demo")
    rng = ctx.rng
    customers = list(session.exec(select(Customer).order_by(col(Customer.id))))
    for c in customers:
        if rng.random() < 0.85:
            channel = "sms" if c.phone and rng.random() < 0.25 else "email"
            prefs.set_preferences(session, c, consent=True, channel=channel, actor="demo")
    texting = [c for c in customers if c.phone]
    if texting:
        prefs.opt_out(session, texting[-1], "sms", actor="demo")
    triggers.remind(session, actor="demo")
    latest = session.exec(
        select(Invoice)
        .where(
            col(Invoice.status).in_([InvoiceStatus.SENT.value, InvoiceStatus.PARTIALLY_PAID.value])
        )
        .order_by(col(Invoice.id).desc())
        .limit(3)
    ).all()
    for inv in latest:
        outgoing.invoice_sent(session, inv, actor="demo")
    sent = session.exec(
        select(Quote).where(Quote.status == QuoteStatus.SENT.value).order_by(col(Quote.id))
    ).first()
    if sent is not None:
        priced = quotes.totals(session, sent)
        outgoing.quote_sent(session, sent, [(t.option.name, t.totals.total_cents) for t in priced],
                            actor="demo")  # fmt: skip
