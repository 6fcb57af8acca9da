"""`db check` invariant for stock: every running balance equals its ledger (moves in minus
moves out for that location and part)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.models.inventory import StockBalance, StockMove
from svcdesk.services.common.integrity import invariant


@invariant("stock ledger")
def _stock_ledger(session: Session) -> list[str]:
    ledger: dict[tuple[int | None, int], int] = defaultdict(int)  # (NULL side filtered out)
    for loc, part, qty in session.exec(
        select(StockMove.to_location_id, StockMove.part_id, func.sum(StockMove.qty_milli))
        .where(col(StockMove.to_location_id).is_not(None))
        .group_by(col(StockMove.to_location_id), col(StockMove.part_id))
    ):
        ledger[(loc, part)] += qty
    for loc, part, qty in session.exec(
        select(StockMove.from_location_id, StockMove.part_id, func.sum(StockMove.qty_milli))
        .where(col(StockMove.from_location_id).is_not(None))
        .group_by(col(StockMove.from_location_id), col(StockMove.part_id))
    ):
        ledger[(loc, part)] -= qty
    problems = []
    balances: dict[tuple[int | None, int], int] = {
        (b.location_id, b.part_id): b.on_hand_milli for b in session.exec(select(StockBalance))
    }
    for key in sorted(set(ledger) | set(balances)):
        if ledger.get(key, 0) != balances.get(key, 0):
            problems.append(
                f"location {key[0]} part {key[1]}: balance {balances.get(key, 0)} but ledger "
                f"{ledger.get(key, 0)} (thousandths)"
            )
    return problems
