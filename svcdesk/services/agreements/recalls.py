"""Recall detection: a new order of the same trade (skill) on the same asset (or, when the
new order names no asset, at the same site) within `recall.window_days` (default 30) of a
completed order is flagged "possible recall" (a plumbing call after an HVAC tune-up is not;
a new order with no skill yet is compared with every trade).
The dispatcher confirms (the order is linked by `callback_of`) or dismisses it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import true
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import OrderKind, OrderStatus, WorkOrder
from svcdesk.models.followup import RecallFlag, RecallStatus
from svcdesk.services.common import events
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import get_setting
from svcdesk.services.common.timefmt import iso
from svcdesk.services.common.versioning import touch
from svcdesk.services.common.words import status_words

DONE = (OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value, OrderStatus.CLOSED.value)


def window_days(session: Session) -> int:
    raw = get_setting(session, "recall.window_days") or "30"
    try:
        return max(0, int(raw))
    except ValueError:
        raise InvalidInput(f"recall.window_days: {raw!r} is not a whole number of days") from None


def _same_trade(skill_id: int | None):
    """Orders of the same trade: the same skill. A new order whose trade is not known yet
    (no skill) can't rule any out, so it is compared with every trade."""
    return true() if skill_id is None else col(WorkOrder.skill_id) == skill_id


def find_original(session: Session, order: WorkOrder, days: int) -> tuple[WorkOrder, str] | None:
    """The most recent order of the same trade (skill) completed within `days` before
    `order`: on its asset when the new order names one (only that asset: another unit at
    the site is another job), else at its site."""
    since = order.created_at - timedelta(days=days)
    base = select(WorkOrder).where(
        WorkOrder.id != order.id,
        col(WorkOrder.status).in_(DONE),
        col(WorkOrder.completed_at) >= since,
        col(WorkOrder.completed_at) <= order.created_at,
        _same_trade(order.skill_id),
    )
    base = base.order_by(col(WorkOrder.completed_at).desc())
    if order.asset_id is not None:
        found = session.exec(base.where(WorkOrder.asset_id == order.asset_id)).first()
        return (found, "asset") if found else None
    found = session.exec(base.where(WorkOrder.site_id == order.site_id)).first()
    return (found, "site") if found else None


@dataclass(frozen=True)
class Original:
    """A completed order a new one may be a recall of (bulk detection)."""

    id: int
    number: str
    completed_at: datetime
    match: str  # "asset" or "site"


Key = tuple[int, int | None, int | None]  # (site_id, asset_id, skill_id)


def find_originals(
    session: Session, keys: set[Key], created: datetime, days: int
) -> dict[Key, Original]:
    """`find_original` for many new orders created at the same moment (batch intake), by
    (site_id, asset_id, skill_id): the most recent order of the same skill completed within
    `days` before `created` on the asset when one is given, else at the site. One query
    per 900 sites or assets."""
    since = created - timedelta(days=days)
    sites = {s for s, a, _ in keys if a is None}
    assets = {a for _, a, _ in keys if a is not None}
    latest: dict[tuple[str, int, int | None], tuple] = {}
    stmt = select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
        WorkOrder.id, WorkOrder.number, WorkOrder.site_id, WorkOrder.asset_id,
        WorkOrder.skill_id, WorkOrder.completed_at,
    ).where(
        col(WorkOrder.status).in_(DONE),
        col(WorkOrder.completed_at) >= since,
        col(WorkOrder.completed_at) <= created,
    )  # fmt: skip
    for kind, ids, column in (
        ("site", sites, WorkOrder.site_id),
        ("asset", assets, WorkOrder.asset_id),
    ):
        ordered = sorted(ids)
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            for oid, number, site_id, asset_id, skill_id, done in session.exec(
                stmt.where(col(column).in_(chunk))
            ):
                place = site_id if kind == "site" else asset_id
                for key in ((kind, place, skill_id), (kind, place, None)):  # None: any trade
                    if key not in latest or (done, oid) > latest[key][:2]:
                        latest[key] = (done, oid, number)
    out = {}
    for site_id, asset_id, skill_id in keys:
        if asset_id is not None:
            hit, match = latest.get(("asset", asset_id, skill_id)), "asset"
        else:
            hit, match = latest.get(("site", site_id, skill_id)), "site"
        if hit is not None:
            out[(site_id, asset_id, skill_id)] = Original(hit[1], hit[2], hit[0], match)
    return out


def flag_text(original_number: str, match: str, days_after: int) -> str:
    """The detail of a `recall` event."""
    return f"possible recall of {original_number} (same {match}, {days_after} days)"


def detect(session: Session, order: WorkOrder) -> RecallFlag | None:
    """Flag `order` when it looks like a recall (planned maintenance never is)."""
    if order.kind == OrderKind.MAINTENANCE.value or order.callback_of_id is not None:
        return None
    days = window_days(session)
    hit = find_original(session, order, days) if days else None
    if hit is None:
        return None
    original, match = hit
    assert original.completed_at is not None  # (found by its completion time)
    flag = RecallFlag(
        order_id=order.id,
        original_id=original.id,
        match=match,
        days_after=(order.created_at - original.completed_at).days,
    )
    session.add(flag)
    session.flush()
    events.record(session, order, "recall", flag_text(original.number, match, flag.days_after))
    _audit(session, order, flag, "flagged", None)
    return flag


def flag_words(
    original_number: str,
    match: str,
    days_after: int,
    status: str = RecallStatus.POSSIBLE.value,
    decided_by: str | None = None,
) -> dict:
    """A recall flag's audited fields, in words (`events.record_change`; batch intake
    writes the same for the flags it makes)."""
    return {
        "original": original_number, "same": match, "days after": days_after,
        "status": "possible recall" if status == RecallStatus.POSSIBLE.value
        else status_words(status), "decided by": decided_by,
    }  # fmt: skip


def _words(session: Session, order: WorkOrder, flag: RecallFlag) -> dict:
    original = must_get(session, WorkOrder, flag.original_id)
    return flag_words(original.number, flag.match, flag.days_after, flag.status, flag.decided_by)


def _audit(session: Session, order: WorkOrder, flag: RecallFlag, kind: str,
           before: dict | None) -> None:  # fmt: skip
    events.record_change(session, "recall", order.number, kind, actor=flag.decided_by,
                         before=before, after=_words(session, order, flag))  # fmt: skip


def _flag(session: Session, order: WorkOrder) -> RecallFlag:
    flag = session.exec(select(RecallFlag).where(RecallFlag.order_id == order.id)).first()
    if flag is None:
        raise NotFound(f"{order.number} is not flagged as a possible recall")
    if flag.status != RecallStatus.POSSIBLE.value:
        raise InvalidInput(f"{order.number}: recall already {status_words(flag.status)}")
    return flag


def confirm(session: Session, order: WorkOrder, *, actor: str = "dispatcher") -> RecallFlag:
    """Confirm: link the order to the original job through callback_of."""
    flag = _flag(session, order)
    before = _words(session, order, flag)
    original = must_get(session, WorkOrder, flag.original_id)
    touch(session, order, callback_of_id=original.id)
    flag.status, flag.decided_at, flag.decided_by = RecallStatus.CONFIRMED.value, now(), actor
    events.record(session, order, "recall", f"recall of {original.number} confirmed", actor=actor)
    _audit(session, order, flag, "confirmed", before)
    session.flush()
    return flag


def dismiss(session: Session, order: WorkOrder, *, actor: str = "dispatcher") -> RecallFlag:
    flag = _flag(session, order)
    before = _words(session, order, flag)
    flag.status, flag.decided_at, flag.decided_by = RecallStatus.DISMISSED.value, now(), actor
    events.record(session, order, "recall", "not a recall (dismissed)", actor=actor)
    _audit(session, order, flag, "dismissed", before)
    session.flush()
    return flag


@dataclass(frozen=True)
class RecallRow:
    number: str
    original: str
    match: str
    days_after: int
    status: str
    created_at: datetime

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "original": self.original,
            "match": self.match,
            "days_after": self.days_after,
            "status": self.status,
            "flagged_at": iso(self.created_at),
        }


def list_recalls(session: Session, status: str | None = "possible") -> list[RecallRow]:
    from sqlalchemy.orm import aliased

    original = aliased(WorkOrder)
    stmt = (
        select(RecallFlag, WorkOrder.number, original.number)
        .join(WorkOrder, col(WorkOrder.id) == col(RecallFlag.order_id))
        .join(original, col(original.id) == col(RecallFlag.original_id))
        .order_by(col(RecallFlag.created_at), col(RecallFlag.id))
    )
    if status:
        stmt = stmt.where(RecallFlag.status == status)
    return [
        RecallRow(number, orig, f.match, f.days_after, f.status, f.created_at)
        for f, number, orig in session.exec(stmt)
    ]
