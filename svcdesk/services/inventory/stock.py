"""The stock ledger: every change of stock is one `StockMove`, written only by `post_move`.

`post_move` also keeps `StockBalance` (on-hand per location and part) in step inside the
same transaction, refusing any move that would take a location below zero, except an
adjustment (which always carries a reason). `verify` recomputes every balance from the
ledger and reports any difference, so the cache is provably the ledger's sum."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models.inventory import (
    LocationKind,
    MoveKind,
    Part,
    StockBalance,
    StockLocation,
    StockMove,
)
from svcdesk.models.workforce import Technician
from svcdesk.services.common.events import on_behalf_of
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.sqlexpr import containing

# Which ends each kind of move needs: (from, to). ADJUST has exactly one end (gain or loss).
ENDS: dict[MoveKind, tuple[bool, bool]] = {
    MoveKind.RECEIVE: (False, True),
    MoveKind.TRANSFER: (True, True),
    MoveKind.CONSUME: (True, False),
    MoveKind.RETURN: (False, True),
}


# ---- locations ---------------------------------------------------------------------------


def truck_name(tech: Technician) -> str:
    return f"Truck {tech.name}"


def add_location(
    session: Session, name: str, kind: str = "warehouse", technician_id: int | None = None
) -> StockLocation:
    name = name.strip()
    if not name:
        raise InvalidInput("location: a name is required")
    try:
        kind_v = LocationKind(kind.strip().lower())
    except ValueError:
        raise InvalidInput(f"kind: {kind!r} is not one of warehouse, truck") from None
    if session.exec(select(StockLocation).where(StockLocation.name == name)).first():
        raise InvalidInput(f"location: {name!r} already exists")
    loc = StockLocation(name=name, kind=kind_v.value, technician_id=technician_id)
    session.add(loc)
    session.flush()
    from svcdesk.services.common.events import record_change

    record_change(session, "stock_location", loc.id, "created",
                  after={"name": name, "kind": kind_v.value, "technician_id": technician_id})  # fmt: skip
    return loc


def ensure_trucks(session: Session) -> list[StockLocation]:
    """One truck location per active technician (created when missing)."""
    have = {
        loc.technician_id
        for loc in session.exec(select(StockLocation).where(StockLocation.technician_id != None))  # noqa: E711
    }
    made = []
    for tech in session.exec(select(Technician).where(Technician.active == True)):  # noqa: E712
        if tech.id not in have:
            made.append(add_location(session, truck_name(tech), "truck", tech.id))
    return made


def truck_of(session: Session, technician_id: int) -> StockLocation | None:
    return session.exec(
        select(StockLocation).where(StockLocation.technician_id == technician_id)
    ).first()


def get_location(session: Session, ref: str | int) -> StockLocation:
    """By id, exact name, 'truck:<tech name>' or a technician's name (their truck)."""
    text = str(ref).strip()
    if text.isdigit():
        loc = session.get(StockLocation, int(text))
        if loc:
            return loc
    loc = session.exec(
        select(StockLocation).where(func.lower(StockLocation.name) == text.lower())
    ).first()
    if loc:
        return loc
    tech_name = text.split(":", 1)[1] if text.lower().startswith("truck:") else text
    tech = session.exec(
        select(Technician).where(func.lower(Technician.name) == tech_name.strip().lower())
    ).first()
    if tech:
        loc = truck_of(session, tech.id)
        if loc:
            return loc
    known = ", ".join(loc.name for loc in list_locations(session))
    raise NotFound(f"location: {ref!r} not found; known: {known or 'none'}")


def list_locations(session: Session) -> list[StockLocation]:
    return list(
        session.exec(select(StockLocation).order_by(StockLocation.kind, StockLocation.name))
    )


def default_warehouse(session: Session) -> StockLocation:
    loc = session.exec(
        select(StockLocation)
        .where(StockLocation.kind == LocationKind.WAREHOUSE.value)
        .order_by(col(StockLocation.id))
    ).first()
    if loc is None:
        raise NotFound("location: no warehouse set up; add one with `svcdesk stock location-add`")
    return loc


# ---- the ledger --------------------------------------------------------------------------


def on_hand(session: Session, location_id: int, part_id: int) -> int:
    row = session.exec(
        select(StockBalance.on_hand_milli).where(
            StockBalance.location_id == location_id, StockBalance.part_id == part_id
        )
    ).first()
    return row or 0


def _bump(session: Session, location_id: int, part_id: int, delta: int) -> None:
    """Add `delta` to the running balance (a row is created on first use)."""
    result = session.execute(
        update(StockBalance)
        .where(col(StockBalance.location_id) == location_id, col(StockBalance.part_id) == part_id)
        .values(on_hand_milli=StockBalance.on_hand_milli + delta)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]  # DML gives a CursorResult (typed Result)
        session.add(StockBalance(location_id=location_id, part_id=part_id, on_hand_milli=delta))
        session.flush()


def post_move(
    session: Session,
    *,
    part: Part,
    qty_milli: int,
    kind: MoveKind | str,
    from_loc: StockLocation | None = None,
    to_loc: StockLocation | None = None,
    reason: str | None = None,
    reference: str | None = None,
    order_id: int | None = None,
    visit_id: int | None = None,
    actor: str = "system",
) -> StockMove:
    """Write one ledger line and update the balances (the ONLY writer of stock)."""
    kind = MoveKind(kind)
    if qty_milli <= 0:
        raise InvalidInput(f"qty: {fmt_qty(qty_milli)} must be above 0")
    if kind == MoveKind.ADJUST:
        if (from_loc is None) == (to_loc is None):
            raise InvalidInput("adjust: give exactly one location")
        if not (reason and reason.strip()):
            raise InvalidInput("adjust: a reason is required (e.g. 'cycle count')")
    else:
        need_from, need_to = ENDS[kind]
        if need_from != (from_loc is not None) or need_to != (to_loc is not None):
            raise InvalidInput(f"{kind.value}: wrong locations for this kind of move")
    if from_loc is not None and to_loc is not None and from_loc.id == to_loc.id:
        raise InvalidInput("transfer: from and to are the same location")
    if from_loc is not None:
        have = on_hand(session, from_loc.id, part.id)
        if have < qty_milli and kind != MoveKind.ADJUST:
            raise InvalidInput(
                f"{part.sku}: only {fmt_qty(have)} {part.unit} on hand at {from_loc.name}, "
                f"cannot take {fmt_qty(qty_milli)}"
            )
        _bump(session, from_loc.id, part.id, -qty_milli)
    if to_loc is not None:
        _bump(session, to_loc.id, part.id, qty_milli)
    move = StockMove(
        part_id=part.id,
        from_location_id=from_loc.id if from_loc else None,
        to_location_id=to_loc.id if to_loc else None,
        qty_milli=qty_milli,
        kind=kind.value,
        reason=reason.strip() if reason else None,
        reference=reference,
        order_id=order_id,
        visit_id=visit_id,
        at=now(),
        actor=actor,
        on_behalf_of=on_behalf_of(session, actor),
    )
    session.add(move)
    session.flush()
    return move


def ledger_on_hand(session: Session, location_id: int | None = None) -> dict[tuple[int, int], int]:
    """(location_id, part_id) -> on-hand computed from the ledger alone (no cache)."""
    totals: dict[tuple[int, int], int] = {}
    inbound = select(StockMove.to_location_id, StockMove.part_id, func.sum(StockMove.qty_milli))
    outbound = select(StockMove.from_location_id, StockMove.part_id, func.sum(StockMove.qty_milli))
    if location_id is not None:
        inbound = inbound.where(StockMove.to_location_id == location_id)
        outbound = outbound.where(StockMove.from_location_id == location_id)
    else:
        inbound = inbound.where(StockMove.to_location_id != None)  # noqa: E711
        outbound = outbound.where(StockMove.from_location_id != None)  # noqa: E711
    for sign, stmt in ((1, inbound), (-1, outbound)):
        grouped = stmt.group_by(col(stmt.selected_columns[0]), col(StockMove.part_id))
        for loc, part, qty in session.exec(grouped):
            if loc is not None:  # (filtered in SQL: a move has a side unless location_id is set)
                totals[(loc, part)] = totals.get((loc, part), 0) + sign * int(qty)
    return totals


@dataclass(frozen=True)
class Drift:
    location_id: int
    part_id: int
    cached_milli: int
    ledger_milli: int


def verify(session: Session) -> list[Drift]:
    """Every (location, part) whose cached balance differs from the ledger sum."""
    ledger = ledger_on_hand(session)
    cached = {
        (loc, part): qty
        for loc, part, qty in session.exec(
            select(StockBalance.location_id, StockBalance.part_id, StockBalance.on_hand_milli)
        )
    }
    drift = []
    for key in sorted(set(ledger) | set(cached)):
        if ledger.get(key, 0) != cached.get(key, 0):
            drift.append(Drift(key[0], key[1], cached.get(key, 0), ledger.get(key, 0)))
    return drift


def rebuild_balances(session: Session) -> int:
    """Recompute the cache from the ledger (repair after `verify` found drift)."""
    for row in session.exec(select(StockBalance)):
        session.delete(row)
    session.flush()
    ledger = ledger_on_hand(session)
    for (loc, part), qty in ledger.items():
        session.add(StockBalance(location_id=loc, part_id=part, on_hand_milli=qty))
    session.flush()
    return len(ledger)


@dataclass(frozen=True)
class OnHandRow:
    location: str
    location_id: int
    sku: str
    name: str
    unit: str
    on_hand_milli: int
    cost_cents: int

    def to_json(self) -> dict:
        return {
            "location": self.location,
            "location_id": self.location_id,
            "sku": self.sku,
            "name": self.name,
            "unit": self.unit,
            "on_hand": fmt_qty(self.on_hand_milli),
            "on_hand_milli": self.on_hand_milli,
            "value_cents": self.on_hand_milli * self.cost_cents // 1000,
        }


def on_hand_rows(
    session: Session,
    location_id: int | None = None,
    *,
    text: str | None = None,
    include_zero: bool = False,
    limit: int | None = None,
) -> list[OnHandRow]:
    stmt = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
            StockLocation.name,
            StockLocation.id,
            Part.sku,
            Part.name,
            Part.unit,
            StockBalance.on_hand_milli,
            Part.cost_cents,
        )
        .join(StockLocation, StockLocation.id == StockBalance.location_id)
        .join(Part, Part.id == StockBalance.part_id)
        .order_by(StockLocation.name, Part.sku)
    )
    if location_id is not None:
        stmt = stmt.where(StockBalance.location_id == location_id)
    if not include_zero:
        stmt = stmt.where(StockBalance.on_hand_milli != 0)
    if text:
        stmt = stmt.where(
            containing(text.strip(), col(Part.sku), col(Part.name), col(StockLocation.name))
        )
    if limit:
        stmt = stmt.limit(limit)
    return [OnHandRow(*row) for row in session.exec(stmt)]


def moves_for(
    session: Session, *, part_id: int | None = None, location_id: int | None = None, limit=50
) -> list[StockMove]:
    stmt = select(StockMove).order_by(col(StockMove.id).desc()).limit(limit)
    if part_id is not None:
        stmt = stmt.where(StockMove.part_id == part_id)
    if location_id is not None:
        stmt = stmt.where(
            (StockMove.from_location_id == location_id) | (StockMove.to_location_id == location_id)
        )
    return list(session.exec(stmt))
