"""`svcdesk export payments`: one row per payment received (payments are never edited)."""

from __future__ import annotations

from sqlalchemy import String, cast, select

from svcdesk.models import Customer
from svcdesk.models.billing import Invoice, Payment
from svcdesk.services.common.sqlexpr import iso_text
from svcdesk.services.reporting.export_kinds import register_table_kind


def build():
    p = Payment
    return (
        select(
            p.id.label("id"),
            Invoice.number.label("invoice"),
            Invoice.customer_id.label("customer_id"),
            Customer.name.label("customer"),
            p.amount_cents.label("amount_cents"),
            p.method.label("method"),
            cast(p.received_on, String).label("received_on"),
            p.reference.label("reference"),
            p.recorded_by.label("recorded_by"),
            iso_text(p.created_at).label("created_at"),
        )
        .select_from(p)
        .join(Invoice, Invoice.id == p.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
    )


register_table_kind(
    "payments",
    "Payments received, with invoice and customer (changed = recorded time).",
    build,
    Payment,
    "created_at",
)
