"""Receivables aging per customer: what is still owed on sent invoices, by days past due.

Buckets: current (not yet due), 1-30, 31-60, 61-90 and 90+ days past the due date, as of a
day in the shop's zone (default today)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from svcdesk.models import Customer
from svcdesk.models.billing import Invoice
from svcdesk.services.billing.invoices import OPEN

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def bucket_for(due_on: date | None, as_of: date) -> str:
    days = (as_of - due_on).days if due_on else 0
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"


@dataclass
class AgingRow:
    customer_id: int
    customer: str
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    invoices: int = 0

    @property
    def total_cents(self) -> int:
        return sum(self.buckets.values())

    def to_json(self) -> dict:
        return {
            "customer_id": self.customer_id,
            "customer": self.customer,
            "invoices": self.invoices,
            "buckets_cents": dict(self.buckets),
            "total_cents": self.total_cents,
        }


def aging(session: Session, as_of: date) -> tuple[list[AgingRow], AgingRow]:
    """(one row per customer with a balance, largest first; the totals row)."""
    rows = session.exec(
        select(Invoice, Customer.name)
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .where(Invoice.status.in_(OPEN))  # type: ignore[attr-defined]
    ).all()
    by_customer: dict[int, AgingRow] = {}
    total = AgingRow(0, "Total")
    for invoice, name in rows:
        balance = invoice.total_cents - invoice.paid_cents
        if balance <= 0:
            continue
        row = by_customer.setdefault(invoice.customer_id, AgingRow(invoice.customer_id, name))
        bucket = bucket_for(invoice.due_on, as_of)
        row.buckets[bucket] += balance
        row.invoices += 1
        total.buckets[bucket] += balance
        total.invoices += 1
    ordered = sorted(by_customer.values(), key=lambda r: (-r.total_cents, r.customer))
    return ordered, total
