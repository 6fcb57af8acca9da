"""The documents billing e-mails to customers (docs/messages.md): the quote PDF when a
quote is sent, the invoice PDF with the balance when an invoice is sent, a receipt when a
payment is recorded. Queued in the transaction of that event; the PDF is only made when a
message is really queued (the trigger is on and the customer consented)."""

from __future__ import annotations

from sqlmodel import Session

from svcdesk.models.billing import Invoice, Payment, Quote
from svcdesk.models.crm import Customer
from svcdesk.services.billing import rendered_pdf
from svcdesk.services.billing.links import make_link
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.messages import triggers
from svcdesk.services.messages.outbox import Attachments, LateValues
from svcdesk.services.messages.templates import LINK_VALUES, public_url


def _pdf(kind: str, number: str, session: Session) -> Attachments:
    def make() -> list[tuple[str, str, bytes]]:
        return [(f"{number}.pdf", "application/pdf", rendered_pdf(session, kind, number))]

    return make


def _link(session: Session, doc: Quote | Invoice, actor: str) -> LateValues:
    """The customer link the e-mail carries (approve the quote; see the invoice), made when
    the message is really queued, in its transaction, and only when web.public_url is set
    (else the template says to reply or call). Its raw token is only in the message's text;
    the link row keeps its hash. Retries send that same text: one link per message."""

    def make() -> dict:
        base = public_url(session)
        if not base:
            return {}
        kind = "quote" if isinstance(doc, Quote) else "invoice"
        customer = session.get(Customer, doc.customer_id)
        what = f"{kind} {doc.number} for {customer.name if customer else doc.customer_id}"
        ids = {"quote_id": doc.id} if isinstance(doc, Quote) else {"invoice_id": doc.id}
        link = make_link(session, kind, what, base_url=base, customer_id=doc.customer_id,
                         days=None, actor=actor, **ids)  # fmt: skip
        return {LINK_VALUES[kind]: link.url}

    return make


def _long_date(day) -> str:
    return f"{day:%B} {day.day}, {day:%Y}" if day else ""


def quote_sent(
    session: Session, quote: Quote, totals: list[tuple[str, int]], *, actor: str
) -> None:
    """`totals`: each option's name and total."""
    total = " or ".join(fmt_money(cents) + (f" ({name})" if len(totals) > 1 else "")
                        for name, cents in totals)  # fmt: skip
    values = {"quote": quote.number, "title": quote.title, "total": total,
              "valid_until": _long_date(quote.valid_until), "approve_link": ""}  # fmt: skip
    triggers.document(
        session, "quote", quote.customer_id, f"quote:{quote.id}:{quote.sent_at or ''}", values,
        {"quote_id": quote.id, "order_id": quote.order_id}, _pdf("quote", quote.number, session),
        _link(session, quote, actor), actor=actor,
    )  # fmt: skip


def invoice_sent(session: Session, invoice: Invoice, *, actor: str) -> None:
    balance = invoice.total_cents - invoice.paid_cents
    values = {"invoice": invoice.number, "balance": fmt_money(balance),
              "balance_cents": balance, "due": _long_date(invoice.due_on),
              "invoice_link": ""}  # fmt: skip
    triggers.document(
        session, "invoice", invoice.customer_id, f"invoice:{invoice.id}", values,
        {"invoice_id": invoice.id, "order_id": invoice.order_id},
        _pdf("invoice", invoice.number, session), _link(session, invoice, actor),
        actor=actor,
    )  # fmt: skip


def payment_received(session: Session, invoice: Invoice, payment: Payment, *, actor: str) -> None:
    balance = invoice.total_cents - invoice.paid_cents
    zone = shop_zone(session)
    received = payment.received_on or payment.created_at.astimezone(zone).date()
    values = {"invoice": invoice.number, "amount": fmt_money(payment.amount_cents),
              "method": payment.method, "received": f"{received:%B} {received.day}",
              "balance": fmt_money(balance), "balance_cents": balance}  # fmt: skip
    triggers.document(
        session, "receipt", invoice.customer_id, f"receipt:payment:{payment.id}", values,
        {"invoice_id": invoice.id, "order_id": invoice.order_id}, actor=actor,
    )  # fmt: skip
