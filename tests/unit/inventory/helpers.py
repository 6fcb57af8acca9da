"""Inventory test helpers: a catalog of two parts, a warehouse and trucks."""

from __future__ import annotations

from svcdesk.services.inventory import parts, stock

CSV = (
    "sku,name,unit,cost,list_price,reorder_point,reorder_qty,preferred_vendor\n"
    "CAP-35,Capacitor 35/5,ea,9.80,48.00,5,20,Johnstone\n"
    "R410A,Refrigerant R-410A,lb,9.50,85.00,10,30,Johnstone\n"
)


def stocked(session):
    parts.import_csv(session, "catalog.csv", CSV)
    wh = stock.add_location(session, "Main warehouse")
    stock.ensure_trucks(session)
    return wh, parts.get_part(session, "CAP-35"), parts.get_part(session, "R410A")
