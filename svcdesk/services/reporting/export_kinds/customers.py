"""`svcdesk export customers`: one row per customer, with its site count."""

from __future__ import annotations

from sqlalchemy import func, select

from svcdesk.models import Customer, Site
from svcdesk.services.common.sqlexpr import iso_text
from svcdesk.services.reporting.export_kinds import register_table_kind


def build():
    c = Customer
    sites = select(func.count(Site.id)).where(Site.customer_id == c.id).scalar_subquery()
    return select(
        c.id.label("id"),
        c.name.label("name"),
        c.kind.label("kind"),
        c.phone.label("phone"),
        c.email.label("email"),
        c.billing_address.label("billing_address"),
        c.tax_exempt.label("tax_exempt"),
        c.requires_signature.label("requires_signature"),
        sites.label("sites"),
        c.notes.label("notes"),
        iso_text(c.created_at).label("created_at"),
    ).select_from(c)


register_table_kind(
    "customers",
    "Customers (changed = created_at: customers have no edit history yet).",
    build,
    Customer,
    "created_at",
)
