"""Inventory: parts catalog, stock locations, the stock ledger and parts used on visits.

QUANTITIES: every quantity column ends in `_milli` and holds integer THOUSANDTHS of the
part's unit (1 ea = 1000; 2.5 lb = 2500), so fractional units (refrigerant by the pound,
wire by the foot) stay exact without floats. `svcdesk.services.common.quantity` converts
(`parse_qty`, `to_decimal`, `fmt_qty`, `extended_cents(unit_cents, qty_milli)`).

The `StockMove` ledger is the single source of truth. `StockBalance` is a running
on-hand per (location, part) written ONLY by `services.inventory` in the same transaction
as each move, and `svcdesk stock verify` proves it equals the ledger sums."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class Part(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    sku: str = Field(unique=True)  # upper-cased, stripped
    name: str = Field(index=True)
    unit: str = "ea"
    cost_cents: int = 0  # what the shop pays
    list_price_cents: int = 0  # what the customer is charged
    reorder_point_milli: int = 0  # warehouse total at or below this -> reorder
    reorder_qty_milli: int = 0  # how much to order then
    preferred_vendor: str | None = None
    taxable: bool = True
    active: bool = True


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    TRUCK = "truck"


class StockLocation(SQLModel, table=True):
    __tablename__ = "stock_location"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # e.g. "Main warehouse", "Truck: Alice Ng"
    kind: str = LocationKind.WAREHOUSE.value
    technician_id: int | None = Field(default=None, foreign_key="technician.id", unique=True)
    active: bool = True


class StockPar(SQLModel, table=True):
    """Par level of a part on a location (trucks): restock brings it back to `par_milli`;
    the reorder report lists it when on-hand is below `min_milli`."""

    __tablename__ = "stock_par"
    __table_args__ = (UniqueConstraint("location_id", "part_id"),)

    id: int = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="stock_location.id", index=True)
    part_id: int = Field(foreign_key="part.id")
    min_milli: int = 0
    par_milli: int = 0


class MoveKind(StrEnum):
    RECEIVE = "receive"  # purchase receipt: to a location (no from)
    TRANSFER = "transfer"  # from -> to
    CONSUME = "consume"  # used on a visit: from a location (no to)
    ADJUST = "adjust"  # count correction with a reason: to (gain) or from (loss)
    RETURN = "return"  # a consumed part put back (usage removed): to a location


class StockMove(SQLModel, table=True):
    """One ledger line. `qty_milli` is always > 0; direction is from -> to."""

    __tablename__ = "stock_move"
    __table_args__ = (
        Index("ix_stock_move_to", "to_location_id", "part_id", "qty_milli"),
        Index("ix_stock_move_from", "from_location_id", "part_id", "qty_milli"),
    )

    id: int = Field(default=None, primary_key=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    from_location_id: int | None = Field(default=None, foreign_key="stock_location.id")
    to_location_id: int | None = Field(default=None, foreign_key="stock_location.id")
    qty_milli: int
    kind: str
    reason: str | None = None
    reference: str | None = None  # PO / receipt number
    order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    actor: str = "system"
    on_behalf_of: str | None = None  # the OS user when `actor` is a staff member (`--as`)


class StockBalance(SQLModel, table=True):
    """Running on-hand per (location, part), kept in step with the ledger (see module doc)."""

    __tablename__ = "stock_balance"
    __table_args__ = (UniqueConstraint("location_id", "part_id"),)

    id: int = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="stock_location.id")
    part_id: int = Field(foreign_key="part.id", index=True)
    on_hand_milli: int = 0


class PartUsage(SQLModel, table=True):
    """A part used on a visit. Prices are captured at use time (later catalog changes don't
    alter them): `unit_price_cents` for billing, `unit_cost_cents` for job costing; the
    extended amount is `quantity.extended_cents(unit_*_cents, qty_milli)`. Warranty usage is
    not charged. Removing a usage deletes the row and returns the stock (a RETURN move)."""

    __tablename__ = "part_usage"

    id: int = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    part_id: int = Field(foreign_key="part.id", index=True)
    location_id: int = Field(foreign_key="stock_location.id")
    technician_id: int | None = Field(default=None, foreign_key="technician.id")
    qty_milli: int
    unit_cost_cents: int
    unit_price_cents: int
    taxable: bool = True
    warranty: bool = False
    used_at: datetime = utc_field(default_factory=now, nullable=False)
    recorded_by: str = "dispatcher"
