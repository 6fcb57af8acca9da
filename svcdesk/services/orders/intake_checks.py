"""`db check`: a phone key shared by more than one customer (a split caller: intakes
that raced before the intake lock, services/orders/intake_lock.py, or a hand-made
duplicate). Intake matches callers by phone key, so a split one gets orders spread over
customers. Explained extras are not reported: a customer merged into another
(`merged_into_id`) and a same-phone-different-name caller that intake deliberately filed
as a new customer with a `possible_duplicate` row naming a customer with that phone."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from svcdesk.models import Customer, PossibleDuplicate
from svcdesk.services.common.integrity import LIMIT, invariant


@invariant("one customer per phone")
def _split_phone_keys(session: Session) -> list[str]:
    existing = aliased(Customer)
    recorded = (
        select(PossibleDuplicate.id)
        .join(existing, col(existing.id) == PossibleDuplicate.existing_id)
        .where(
            PossibleDuplicate.customer_id == Customer.id,
            existing.phone_key == Customer.phone_key,
        )
        .exists()
    )
    split = (
        select(col(Customer.phone_key), func.count(), func.min(Customer.id), func.max(Customer.id))
        .where(col(Customer.phone_key).is_not(None), col(Customer.phone_key) != "")
        .where(col(Customer.merged_into_id).is_(None), ~recorded)
        .group_by(col(Customer.phone_key))
        .having(func.count() > 1)
        .order_by(Customer.phone_key)
        .limit(LIMIT)
    )
    return [
        f"phone key {key} is split over {n} customers (ids {low}..{high}); merge them"
        for key, n, low, high in session.exec(split)
    ]
