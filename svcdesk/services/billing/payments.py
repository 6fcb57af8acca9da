"""Payments: cash, check, card, ACH; partial payments; overpayment refused.

A payment moves a sent invoice to partially_paid or paid; the payment that pays it in full
also closes its order (`invoiced -> closed` through the lifecycle)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, InvalidTransition
from svcdesk.models import Customer
from svcdesk.models.billing import Invoice, InvoiceStatus, Payment, PaymentMethod
from svcdesk.services.billing import invoices
from svcdesk.services.common import events
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.rows import children
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.words import status_words


def parse_method(text: str) -> PaymentMethod:
    key = (text or "").strip().lower()
    aliases = {"cheque": "check", "credit": "card", "credit card": "card", "eft": "ach"}
    try:
        return PaymentMethod(aliases.get(key, key))
    except ValueError:
        names = ", ".join(m.value for m in PaymentMethod)
        raise InvalidInput(f"method: {text!r} is not one of {names}") from None


def add_payment(
    session: Session,
    invoice: Invoice,
    amount_cents: int,
    *,
    method: str = "check",
    received_on: date | None = None,
    reference: str | None = None,
    actor: str = "dispatcher",
) -> Payment:
    """Record a payment; refuses void/draft invoices, amounts <= 0 and overpayment."""
    method_value = parse_method(method).value
    if invoice.status not in invoices.OPEN:
        hint = " (send it first)" if invoice.status == InvoiceStatus.DRAFT.value else ""
        raise InvalidTransition(
            f"{invoice.number} is {status_words(invoice.status)}; payments go on sent invoices only{hint}"
        )
    if amount_cents <= 0:
        raise InvalidInput("amount: must be above 0")
    balance = invoices.balance_cents(invoice)
    if amount_cents > balance:
        raise InvalidInput(
            f"amount: {fmt_money(amount_cents)} is more than the balance of "
            f"{invoice.number} ({fmt_money(balance)}); overpayments are refused"
        )
    payment = Payment(
        invoice_id=invoice.id,
        amount_cents=amount_cents,
        method=method_value,
        received_on=received_on or now().astimezone(shop_zone(session)).date(),
        reference=(reference or "").strip() or None,
        created_at=now(),
        recorded_by=actor,
    )
    session.add(payment)
    invoice.paid_cents += amount_cents
    if invoice.paid_cents == invoice.total_cents:
        invoices.settle(session, invoice, actor=actor)
    else:
        invoice.status = InvoiceStatus.PARTIALLY_PAID.value
    invoices.bump_version(invoice)
    invoices.record_event(
        session,
        invoice,
        f"{invoice.number}: {method_value} payment {fmt_money(amount_cents)}"
        f" (balance {fmt_money(invoices.balance_cents(invoice))})",
        actor,
    )
    session.flush()
    events.record_change(session, "payment", payment.id, "recorded", actor=actor,
                         after={"invoice": invoice.number, "amount_cents": amount_cents,
                                "method": status_words(method_value),
                                "received on": payment.received_on.isoformat(),
                                "reference": payment.reference,
                                "invoice status": status_words(invoice.status),
                                "invoice paid_cents": invoice.paid_cents})  # fmt: skip
    from svcdesk.services.billing.outgoing import payment_received

    payment_received(session, invoice, payment, actor=actor)
    return payment


def invoice_payments(session: Session, invoice_id: int) -> list[Payment]:
    return children(session, Payment, Payment.invoice_id, invoice_id)


@dataclass(frozen=True)
class PaymentRow:
    """A payment as `payments list` shows it."""

    id: int
    invoice: str
    customer: str
    amount_cents: int
    method: str
    received_on: date
    reference: str | None

    def to_json(self) -> dict:
        return {**asdict(self), "received_on": self.received_on.isoformat()}


def list_payments(
    session: Session, *, since: date | None = None, limit: int = 200
) -> list[PaymentRow]:
    """Payments received on or after `since` (all when None), newest first."""
    stmt = (
        select(Payment, Invoice.number, Customer.name)
        .join(Invoice, col(Invoice.id) == Payment.invoice_id)
        .join(Customer, col(Customer.id) == Invoice.customer_id)
        .order_by(col(Payment.received_on).desc(), col(Payment.id).desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(Payment.received_on >= since)
    return [
        PaymentRow(p.id, number, name, p.amount_cents, p.method, p.received_on, p.reference)
        for p, number, name in session.exec(stmt).all()
    ]
