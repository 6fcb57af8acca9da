"""`svcdesk export orders`: one row per work order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from svcdesk.models import Customer, Site, Skill, WorkOrder
from svcdesk.services.common.sqlexpr import iso_text
from svcdesk.services.reporting.export_kinds import register_table_kind


def build():
    original = aliased(WorkOrder)
    o = WorkOrder
    return (
        select(
            o.id.label("id"),
            o.number.label("number"),
            o.status.label("status"),
            o.kind.label("kind"),
            o.priority.label("priority"),
            o.source.label("source"),
            o.customer_id.label("customer_id"),
            Customer.name.label("customer"),
            o.site_id.label("site_id"),
            Site.address.label("address"),
            Site.city.label("city"),
            Site.state.label("state"),
            Site.zip.label("zip"),
            o.asset_id.label("asset_id"),
            Skill.code.label("skill"),
            o.summary.label("summary"),
            o.description.label("description"),
            o.est_minutes.label("est_minutes"),
            iso_text(o.window_start).label("window_start"),
            iso_text(o.window_end).label("window_end"),
            iso_text(o.sla_due).label("sla_due"),
            o.external_ref.label("external_ref"),
            original.number.label("callback_of"),
            o.agreement_id.label("agreement_id"),
            o.hold_reason.label("hold_reason"),
            o.cancel_reason.label("cancel_reason"),
            iso_text(o.created_at).label("created_at"),
            iso_text(o.completed_at).label("completed_at"),
            iso_text(o.updated_at).label("updated_at"),
            o.version.label("version"),
        )
        .select_from(o)
        .join(Customer, Customer.id == o.customer_id)
        .join(Site, Site.id == o.site_id)
        .outerjoin(Skill, Skill.id == o.skill_id)
        .outerjoin(original, original.id == o.callback_of_id)
    )


register_table_kind(
    "orders",
    "Work orders with customer, site and status (changed = updated_at).",
    build,
    WorkOrder,
    "updated_at",
)
