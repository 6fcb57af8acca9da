"""`svcdesk export parts-usage`: one row per part used on a visit, price and cost captured."""

from __future__ import annotations

from sqlalchemy import select

from svcdesk.models import Technician, WorkOrder
from svcdesk.models.inventory import Part, PartUsage, StockLocation
from svcdesk.services.common.sqlexpr import iso_text
from svcdesk.services.reporting.export_kinds import register_table_kind


def build():
    u = PartUsage
    return (
        select(
            u.id.label("id"),
            WorkOrder.number.label("order"),
            u.visit_id.label("visit_id"),
            Part.sku.label("sku"),
            Part.name.label("part"),
            Part.unit.label("unit"),
            u.qty_milli.label("qty_milli"),
            u.unit_cost_cents.label("unit_cost_cents"),
            u.unit_price_cents.label("unit_price_cents"),
            ((u.unit_cost_cents * u.qty_milli + 500) // 1000).label("cost_cents"),
            ((u.unit_price_cents * u.qty_milli + 500) // 1000).label("price_cents"),
            u.taxable.label("taxable"),
            u.warranty.label("warranty"),
            StockLocation.name.label("location"),
            Technician.name.label("technician"),
            u.recorded_by.label("recorded_by"),
            iso_text(u.used_at).label("used_at"),
        )
        .select_from(u)
        .join(WorkOrder, WorkOrder.id == u.order_id)
        .join(Part, Part.id == u.part_id)
        .join(StockLocation, StockLocation.id == u.location_id)
        .outerjoin(Technician, Technician.id == u.technician_id)
    )


register_table_kind(
    "parts-usage",
    "Parts used on visits: quantity (thousandths), unit and extended cost/price.",
    build,
    PartUsage,
    "used_at",
)
