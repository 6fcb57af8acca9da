"""`db check`: a phone key shared by more than one customer (a split caller: intakes
that raced before the intake lock, services/orders/intake_lock.py, or a hand-made
duplicate). Intake matches callers by phone key, so a split one gets orders spread over
customers."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.models import Customer
from svcdesk.services.common.integrity import LIMIT, invariant


@invariant("one customer per phone")
def _split_phone_keys(session: Session) -> list[str]:
    split = (
        select(col(Customer.phone_key), func.count(), func.min(Customer.id), func.max(Customer.id))
        .where(col(Customer.phone_key).is_not(None), col(Customer.phone_key) != "")
        .group_by(col(Customer.phone_key))
        .having(func.count() > 1)
        .order_by(Customer.phone_key)
        .limit(LIMIT)
    )
    return [
        f"phone key {key} is split over {n} customers (ids {low}..{high}); merge them"
        for key, n, low, high in session.exec(split)
    ]
