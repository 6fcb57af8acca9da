"""Restock: the reorder report, truck par levels and the one-step truck restock.

- Warehouse lines: a part whose total on-hand across warehouses is at or below its reorder
  point -> order `reorder_qty` (at least enough to get back above the point) from its vendor.
- Location lines: a location (truck) whose on-hand of a part is below its `StockPar.min`.
- The restock proposal brings every truck back up to par from a warehouse, limited by what
  the warehouse has; accepting it posts all the transfers in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models.inventory import (
    LocationKind,
    MoveKind,
    Part,
    StockBalance,
    StockLocation,
    StockPar,
)
from svcdesk.services.common.events import record_change
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.rows import must_get
from svcdesk.services.inventory import stock


def set_par(
    session: Session, location: StockLocation, part: Part, *, min_milli: int, par_milli: int
) -> StockPar:
    if par_milli < min_milli:
        raise InvalidInput("par: must be at least the minimum")
    row = session.exec(
        select(StockPar).where(StockPar.location_id == location.id, StockPar.part_id == part.id)
    ).first()
    before = None
    if row is None:
        row = StockPar(location_id=location.id, part_id=part.id)
        session.add(row)
    else:
        before = {"min_milli": row.min_milli, "par_milli": row.par_milli}
    row.min_milli, row.par_milli = min_milli, par_milli
    session.flush()
    after = {"min_milli": min_milli, "par_milli": par_milli}
    if before != after:
        record_change(session, "stock_par", f"{location.name}/{part.sku}",
                      "edited" if before else "created", before=before, after=after)  # fmt: skip
    return row


@dataclass(frozen=True)
class ReorderLine:
    location: str  # "warehouses" for the purchase lines
    sku: str
    name: str
    vendor: str | None
    on_hand_milli: int
    point_milli: int
    suggest_milli: int

    def to_json(self) -> dict:
        return {
            "location": self.location,
            "sku": self.sku,
            "name": self.name,
            "vendor": self.vendor,
            "on_hand": fmt_qty(self.on_hand_milli),
            "reorder_point": fmt_qty(self.point_milli),
            "suggest": fmt_qty(self.suggest_milli),
        }


def reorder_report(session: Session) -> list[ReorderLine]:
    """Purchase lines (warehouses at/below reorder point), then locations below minimum.

    Written for a large ledger: it reads the running balances through their
    (location, part) index only, and names only the lines that are actually low."""
    warehouses = select(StockLocation.id).where(StockLocation.kind == LocationKind.WAREHOUSE.value)
    warehouse_totals: dict[int, int] = {}
    for part_id, qty in session.exec(
        select(StockBalance.part_id, StockBalance.on_hand_milli).where(
            col(StockBalance.location_id).in_(warehouses)
        )
    ):
        warehouse_totals[part_id] = warehouse_totals.get(part_id, 0) + qty
    lines: list[ReorderLine] = []
    parts = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
            Part.id,
            Part.sku,
            Part.name,
            Part.preferred_vendor,
            Part.reorder_point_milli,
            Part.reorder_qty_milli,
        ).where(Part.active == True, Part.reorder_point_milli > 0)  # noqa: E712
    )
    for part_id, sku, name, vendor, point, qty in parts:
        have = warehouse_totals.get(part_id, 0)
        if have <= point:
            suggest = max(qty, point - have + 1000)
            lines.append(ReorderLine("warehouses", sku, name, vendor, have, point, suggest))
    lines.sort(key=lambda ln: ln.sku)
    have_col = func.coalesce(StockBalance.on_hand_milli, 0)
    low = session.exec(
        select(StockPar.location_id, StockPar.part_id, have_col, StockPar.min_milli,  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
               StockPar.par_milli)
        .outerjoin(
            StockBalance,
            (StockBalance.location_id == StockPar.location_id)
            & (StockBalance.part_id == StockPar.part_id),
        )
        .where(have_col < StockPar.min_milli)
    ).all()  # fmt: skip
    if not low:
        return lines
    loc_names = dict(
        session.exec(
            select(StockLocation.id, StockLocation.name).where(
                col(StockLocation.id).in_({row[0] for row in low})
            )
        ).all()
    )
    part_info = {
        pid: (sku, name, vendor)
        for pid, sku, name, vendor in session.exec(
            select(Part.id, Part.sku, Part.name, Part.preferred_vendor).where(
                col(Part.id).in_({row[1] for row in low})
            )
        )
    }
    located = []
    for loc_id, part_id, have, min_milli, par_milli in low:
        sku, name, vendor = part_info[part_id]
        located.append(
            ReorderLine(loc_names[loc_id], sku, name, vendor, have, min_milli, par_milli - have)
        )
    located.sort(key=lambda ln: (ln.location, ln.sku))
    return lines + located


@dataclass(frozen=True)
class RestockLine:
    truck_id: int
    truck: str
    part_id: int
    sku: str
    on_hand_milli: int
    par_milli: int
    qty_milli: int  # what the warehouse can send now
    short_milli: int  # what it can't (warehouse out of stock)

    def to_json(self) -> dict:
        return {
            "truck": self.truck,
            "sku": self.sku,
            "on_hand": fmt_qty(self.on_hand_milli),
            "par": fmt_qty(self.par_milli),
            "transfer": fmt_qty(self.qty_milli),
            "short": fmt_qty(self.short_milli),
        }


def restock_proposal(
    session: Session, warehouse: StockLocation, truck: StockLocation | None = None
) -> list[RestockLine]:
    """Transfers that bring trucks up to par (every truck, or one), warehouse stock allowing."""
    stmt = (
        select(StockLocation, Part, StockPar, func.coalesce(StockBalance.on_hand_milli, 0))
        .join(StockLocation, col(StockLocation.id) == col(StockPar.location_id))
        .join(Part, col(Part.id) == col(StockPar.part_id))
        .outerjoin(
            StockBalance,
            (col(StockBalance.location_id) == StockPar.location_id)
            & (StockBalance.part_id == StockPar.part_id),
        )
        .where(
            StockLocation.kind == LocationKind.TRUCK.value,
            func.coalesce(StockBalance.on_hand_milli, 0) < StockPar.par_milli,
        )
        .order_by(StockLocation.name, Part.sku)
    )
    if truck is not None:
        stmt = stmt.where(StockLocation.id == truck.id)
    available: dict[int, int] = {}
    lines = []
    for loc, part, par, have in session.exec(stmt).all():
        if part.id not in available:
            available[part.id] = max(stock.on_hand(session, warehouse.id, part.id), 0)
        need = par.par_milli - have
        send = min(need, available[part.id])
        available[part.id] -= send
        lines.append(
            RestockLine(loc.id, loc.name, part.id, part.sku, have, par.par_milli, send, need - send)
        )
    return lines


def accept_restock(
    session: Session, warehouse: StockLocation, lines: list[RestockLine], *, actor: str
) -> int:
    """Post every proposed transfer (one transaction, the caller's). Returns moves posted."""
    posted = 0
    for line in lines:
        if line.qty_milli <= 0:
            continue
        stock.post_move(
            session,
            part=must_get(session, Part, line.part_id),
            qty_milli=line.qty_milli,
            kind=MoveKind.TRANSFER,
            from_loc=warehouse,
            to_loc=session.get(StockLocation, line.truck_id),
            reason="restock to par",
            actor=actor,
        )
        posted += 1
    return posted


@dataclass(frozen=True)
class RestockRun:
    warehouse: str
    lines: list[RestockLine]
    moves: int  # transfers posted (0 when only proposed)


def restock_to_par(
    session: Session,
    *,
    warehouse: str | None = None,
    truck: str | None = None,
    accept: bool = False,
    actor: str,
) -> RestockRun:
    """The restock proposal from `warehouse` (default: the first) to every truck (or
    `truck`), posted at once with `accept` (`stock restock`, `a` on the inventory screen)."""
    wh = stock.get_location(session, warehouse) if warehouse else stock.default_warehouse(session)
    only = stock.get_location(session, truck) if truck else None
    lines = restock_proposal(session, wh, only)
    posted = accept_restock(session, wh, lines, actor=actor) if accept else 0
    return RestockRun(wh.name, lines, posted)


@dataclass(frozen=True)
class InventoryView:
    """The inventory screen: on hand (filtered), the reorder report, and what restocking
    every truck from the default warehouse would send (lines, units in milli)."""

    on_hand: list[stock.OnHandRow]
    reorder: list[ReorderLine]
    restock_lines: int
    restock_units: int


def inventory_view(session: Session, text: str | None = None, limit: int = 500) -> InventoryView:
    rows = stock.on_hand_rows(session, text=text or None, limit=limit)
    try:
        proposal = restock_proposal(session, stock.default_warehouse(session))
    except NotFound:  # no warehouse yet
        proposal = []
    sending = [ln for ln in proposal if ln.qty_milli > 0]
    return InventoryView(
        rows, reorder_report(session), len(sending), sum(ln.qty_milli for ln in sending)
    )
