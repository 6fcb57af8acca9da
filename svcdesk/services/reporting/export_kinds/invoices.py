"""`svcdesk export invoices`: one row per invoice (totals in cents; lines are not repeated)."""

from __future__ import annotations

from sqlalchemy import String, cast, select

from svcdesk.models import Customer, WorkOrder
from svcdesk.models.billing import Invoice
from svcdesk.services.common.sqlexpr import iso_text
from svcdesk.services.reporting.export_kinds import register_table_kind


def build():
    i = Invoice
    return (
        select(
            i.id.label("id"),
            i.number.label("number"),
            i.status.label("status"),
            i.customer_id.label("customer_id"),
            Customer.name.label("customer"),
            WorkOrder.number.label("order"),
            i.site_id.label("site_id"),
            i.agreement_id.label("agreement_id"),
            i.memo.label("memo"),
            i.tax_rate_bp.label("tax_rate_bp"),
            i.tax_exempt.label("tax_exempt"),
            i.subtotal_cents.label("subtotal_cents"),
            i.covered_cents.label("covered_cents"),
            i.discount_cents.label("discount_cents"),
            i.tax_cents.label("tax_cents"),
            i.total_cents.label("total_cents"),
            i.paid_cents.label("paid_cents"),
            (i.total_cents - i.paid_cents).label("balance_cents"),
            iso_text(i.issued_at).label("issued_at"),
            cast(i.due_on, String).label("due_on"),
            iso_text(i.paid_at).label("paid_at"),
            iso_text(i.voided_at).label("voided_at"),
            i.void_reason.label("void_reason"),
            iso_text(i.created_at).label("created_at"),
            iso_text(i.updated_at).label("updated_at"),
        )
        .select_from(i)
        .join(Customer, Customer.id == i.customer_id)
        .outerjoin(WorkOrder, WorkOrder.id == i.order_id)
    )


register_table_kind(
    "invoices",
    "Invoices with totals, paid and balance in cents (changed = updated_at).",
    build,
    Invoice,
    "updated_at",
)
