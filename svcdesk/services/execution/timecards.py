"""Time entries and time cards.

A technician's entries never overlap (a running entry, `ends_at=None`, counts as open-ended).
The daily card sums paid time (travel, work, shop; breaks are unpaid) per shop-local day and
splits it into regular and overtime: over `payroll.overtime.daily_hours` a day (default 8)
or, once the week's regular hours pass `payroll.overtime.weekly_hours` (default 40; weeks
start Monday), the rest is overtime. Set either to 0 to switch that rule off. Only approved
entries go to the payroll export; changing an entry clears its approval."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Technician, WorkOrder
from svcdesk.models.execution import TimeEntry, TimeKind, TimeSource
from svcdesk.services.common import events
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import get_setting, shop_zone
from svcdesk.services.common.timefmt import day_bounds, fmt

PAID = (TimeKind.TRAVEL.value, TimeKind.WORK.value, TimeKind.SHOP.value)
DAILY_KEY = "payroll.overtime.daily_hours"
WEEKLY_KEY = "payroll.overtime.weekly_hours"


def parse_kind(text: str) -> TimeKind:
    try:
        return TimeKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"kind: {text!r} is not one of {', '.join(k.value for k in TimeKind)}"
        ) from None


def overlapping(
    session: Session,
    technician_id: int,
    starts_at: datetime,
    ends_at: datetime | None,
    ignore_id: int | None = None,
) -> list[TimeEntry]:
    stmt = select(TimeEntry).where(
        TimeEntry.technician_id == technician_id,
        (col(TimeEntry.ends_at).is_(None)) | (col(TimeEntry.ends_at) > starts_at),
    )
    if ends_at is not None:
        stmt = stmt.where(TimeEntry.starts_at < ends_at)
    if ignore_id is not None:
        stmt = stmt.where(TimeEntry.id != ignore_id)
    return list(session.exec(stmt.order_by(col(TimeEntry.starts_at))))


def _check(session: Session, entry: TimeEntry, ignore_id: int | None = None) -> None:
    if entry.ends_at is not None and entry.ends_at <= entry.starts_at:
        raise InvalidInput("end: must be after the start")
    if entry.ends_at is not None and entry.ends_at - entry.starts_at > timedelta(hours=24):
        raise InvalidInput("end: an entry can't be longer than 24 hours")
    clash = overlapping(session, entry.technician_id, entry.starts_at, entry.ends_at, ignore_id)
    if clash:
        zone = shop_zone(session)
        tech = must_get(session, Technician, entry.technician_id)
        other = clash[0]
        until = fmt(other.ends_at, zone, "%H:%M") if other.ends_at else "(running)"
        raise InvalidInput(
            f"{tech.name} already has {other.kind} time {fmt(other.starts_at, zone)}-{until} "
            f"(entry {other.id}); time entries of one technician can't overlap"
        )


def _order_event(session: Session, entry: TimeEntry, kind: str, text: str, actor: str) -> None:
    if entry.order_id is not None:
        order = must_get(session, WorkOrder, entry.order_id)
        events.record(session, order, kind, text, actor=actor, data={"time_entry_id": entry.id})


def _snapshot(session: Session, entry: TimeEntry) -> dict:
    """A time entry's audited fields, in words (`events.record_change`)."""
    zone = shop_zone(session)
    order = session.get(WorkOrder, entry.order_id) if entry.order_id else None
    return {
        "technician": must_get(session, Technician, entry.technician_id).name,
        "kind": entry.kind, "from": fmt(entry.starts_at, zone),
        "until": fmt(entry.ends_at, zone) if entry.ends_at else "(running)",
        "order": order.number if order else None, "note": entry.note,
        "approved": f"by {entry.approved_by}" if entry.approved else False,
    }  # fmt: skip


def _audit(session: Session, entry: TimeEntry, kind: str, before: dict | None, actor: str) -> None:
    after = None if kind == "deleted" else _snapshot(session, entry)
    events.record_change(
        session, "time_entry", entry.id, kind, actor=actor, before=before, after=after
    )


def add_entry(
    session: Session,
    *,
    technician_id: int,
    kind: TimeKind | str,
    starts_at: datetime,
    ends_at: datetime | None,
    order_id: int | None = None,
    visit_id: int | None = None,
    source: TimeSource = TimeSource.MANUAL,
    note: str | None = None,
    actor: str = "dispatcher",
) -> TimeEntry:
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    entry = TimeEntry(
        technician_id=technician_id,
        order_id=order_id,
        visit_id=visit_id,
        kind=kind.value,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source.value,
        note=note,
        created_at=now(),
        created_by=actor,
    )
    _check(session, entry)
    session.add(entry)
    session.flush()
    if source == TimeSource.MANUAL:
        _order_event(session, entry, "time", f"{describe(session, entry)} entered", actor)
    if source != TimeSource.AUTO:  # (auto entries follow the visit's audited progress)
        _audit(session, entry, "created", None, actor)
    return entry


def get_entry(session: Session, entry_id: int) -> TimeEntry:
    entry = session.get(TimeEntry, entry_id)
    if entry is None:
        raise NotFound(f"time entry {entry_id} not found")
    return entry


def update_entry(
    session: Session,
    entry: TimeEntry,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    kind: str | None = None,
    note: str | None = None,
    actor: str = "dispatcher",
) -> TimeEntry:
    """Correct an entry (the overlap rule still holds); clears its approval."""
    before = describe(session, entry)
    snapshot = _snapshot(session, entry)
    if starts_at is not None:
        entry.starts_at = starts_at
    if ends_at is not None:
        entry.ends_at = ends_at
    if kind is not None:
        entry.kind = parse_kind(kind).value
    if note is not None:
        entry.note = note
    _check(session, entry, ignore_id=entry.id)
    entry.source = TimeSource.MANUAL.value
    entry.approved, entry.approved_at, entry.approved_by = False, None, None
    session.add(entry)
    session.flush()
    _order_event(session, entry, "time", f"{before} corrected to {describe(session, entry)}", actor)
    _audit(session, entry, "edited", snapshot, actor)
    return entry


def close_entry(
    session: Session, entry: TimeEntry, ends_at: datetime, *, actor: str | None = None
) -> TimeEntry:
    """End a running entry (visit progress, the phone's time clock); audited as "stopped"
    by `actor` (the face's when not given)."""
    before = _snapshot(session, entry)
    if ends_at <= entry.starts_at:
        ends_at = entry.starts_at + timedelta(minutes=1)
    entry.ends_at = ends_at
    _check(session, entry, ignore_id=entry.id)
    session.add(entry)
    session.flush()
    _audit(session, entry, "stopped", before, actor or events.acting(session).name)
    return entry


def delete_entry(session: Session, entry: TimeEntry, *, actor: str = "dispatcher") -> None:
    text = describe(session, entry)
    _order_event(session, entry, "time", f"{text} deleted", actor)
    _audit(session, entry, "deleted", _snapshot(session, entry), actor)
    session.delete(entry)
    session.flush()


def describe(session: Session, entry: TimeEntry) -> str:
    zone = shop_zone(session)
    tech = must_get(session, Technician, entry.technician_id)
    until = fmt(entry.ends_at, zone, "%H:%M") if entry.ends_at else "(running)"
    return f"{tech.name} {entry.kind} {fmt(entry.starts_at, zone)}-{until}"


def running_entries(session: Session, technician_id: int) -> list[TimeEntry]:
    return list(
        session.exec(
            select(TimeEntry).where(
                TimeEntry.technician_id == technician_id, col(TimeEntry.ends_at).is_(None)
            )
        )
    )


def list_entries(
    session: Session,
    *,
    technician_id: int | None = None,
    order_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    approved: bool | None = None,
) -> list[TimeEntry]:
    stmt = select(TimeEntry).order_by(col(TimeEntry.technician_id), col(TimeEntry.starts_at))
    if technician_id is not None:
        stmt = stmt.where(TimeEntry.technician_id == technician_id)
    if order_id is not None:
        stmt = stmt.where(TimeEntry.order_id == order_id)
    if start is not None:
        stmt = stmt.where((col(TimeEntry.ends_at).is_(None)) | (col(TimeEntry.ends_at) > start))
    if end is not None:
        stmt = stmt.where(TimeEntry.starts_at < end)
    if approved is not None:
        stmt = stmt.where(TimeEntry.approved == approved)
    return list(session.exec(stmt))


# ---- daily cards and overtime ------------------------------------------------------------


def _hours_setting(session: Session, key: str, default: float) -> float:
    raw = get_setting(session, key)
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        raise InvalidInput(f"{key}: {raw!r} is not a number of hours") from None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def split_by_day(entry: TimeEntry, zone: ZoneInfo, until: datetime) -> dict[date, int]:
    """Minutes of the entry on each shop-local day (entries past midnight are split)."""
    out: dict[date, int] = {}
    start, end = entry.starts_at, entry.ends_at or max(until, entry.starts_at)
    while start < end:
        day = start.astimezone(zone).date()
        _, day_end = day_bounds(day, zone)
        piece_end = min(end, day_end)
        out[day] = out.get(day, 0) + int((piece_end - start).total_seconds() // 60)
        start = piece_end
    return out


@dataclass
class DayCard:
    technician_id: int
    technician: str
    day: date
    minutes: dict[str, int] = field(default_factory=dict)  # kind -> minutes
    paid_minutes: int = 0
    regular_minutes: int = 0
    overtime_minutes: int = 0
    entries: int = 0
    approved_entries: int = 0
    running: bool = False

    @property
    def approved(self) -> bool:
        return self.entries > 0 and self.approved_entries == self.entries

    def to_json(self) -> dict:
        return {
            "technician": self.technician,
            "technician_id": self.technician_id,
            "day": self.day.isoformat(),
            "minutes": dict(sorted(self.minutes.items())),
            "paid_minutes": self.paid_minutes,
            "regular_hours": round(self.regular_minutes / 60, 2),
            "overtime_hours": round(self.overtime_minutes / 60, 2),
            "entries": self.entries,
            "approved": self.approved,
            "running": self.running,
        }


def day_cards(
    session: Session,
    first: date,
    last: date,
    *,
    technician_id: int | None = None,
    approved_only: bool = False,
) -> list[DayCard]:
    """Cards for every technician-day with time between `first` and `last` (inclusive).

    Weekly overtime counts from the Monday of `first`'s week, so the caller gets the right
    split even when asking for a single day."""
    zone = shop_zone(session)
    daily_limit = _hours_setting(session, DAILY_KEY, 8.0) * 60
    weekly_limit = _hours_setting(session, WEEKLY_KEY, 40.0) * 60
    from_day = week_start(first)
    start, _ = day_bounds(from_day, zone)
    _, end = day_bounds(last, zone)
    entries = list_entries(
        session,
        technician_id=technician_id,
        start=start,
        end=end,
        approved=True if approved_only else None,
    )
    names = {t.id: t.name for t in session.exec(select(Technician))}
    cards: dict[tuple[int, date], DayCard] = {}
    clock_now = now()
    for e in entries:
        for day, minutes in split_by_day(e, zone, clock_now).items():
            if not from_day <= day <= last:
                continue
            card = cards.setdefault(
                (e.technician_id, day), DayCard(e.technician_id, names[e.technician_id], day)
            )
            card.minutes[e.kind] = card.minutes.get(e.kind, 0) + minutes
            if e.kind in PAID:
                card.paid_minutes += minutes
            card.entries += 1
            card.approved_entries += 1 if e.approved else 0
            card.running = card.running or e.ends_at is None
    week_regular: dict[tuple[int, date], float] = {}
    for key in sorted(cards, key=lambda k: (k[0], k[1])):
        card = cards[key]
        wk = (card.technician_id, week_start(card.day))
        regular = float(card.paid_minutes)
        if daily_limit > 0:
            regular = min(regular, daily_limit)
        done = week_regular.get(wk, 0.0)
        if weekly_limit > 0 and done + regular > weekly_limit:
            regular = max(weekly_limit - done, 0.0)
        week_regular[wk] = done + regular
        card.regular_minutes = int(regular)
        card.overtime_minutes = card.paid_minutes - int(regular)
    return [
        cards[k] for k in sorted(cards, key=lambda k: (k[1], cards[k].technician)) if k[1] >= first
    ]


def approve_day(
    session: Session, technician_id: int, day: date, *, actor: str = "dispatcher"
) -> int:
    """Approve every closed entry of a technician on a shop-local day. Returns the count."""
    zone = shop_zone(session)
    start, end = day_bounds(day, zone)
    entries = [
        e
        for e in list_entries(session, technician_id=technician_id, start=start, end=end)
        if e.starts_at >= start
    ]
    if not entries:
        raise InvalidInput(f"no time entries on {day.isoformat()} to approve")
    running = [e for e in entries if e.ends_at is None]
    if running:
        raise InvalidInput(
            f"{describe(session, running[0])} is still running; end it before approving the day"
        )
    count = 0
    stamp = now()
    for e in entries:
        if not e.approved:
            before = _snapshot(session, e)
            e.approved, e.approved_at, e.approved_by = True, stamp, actor
            session.add(e)
            _audit(session, e, "approved", before, actor)
            count += 1
    session.flush()
    return count


def approve_week(
    session: Session, technician_id: int, week_of: date, *, actor: str = "dispatcher"
) -> int:
    """Approve every day of the technician's week (Mon-Sun containing `week_of`) that has
    time (the console's "approve the week", `time approve --week`). Refuses the whole week,
    writing nothing, while an entry is still running. Returns how many entries were approved."""
    first = week_start(week_of)
    days = sorted({c.day for c in day_cards(session, first, first + timedelta(days=6),
                                            technician_id=technician_id)})  # fmt: skip
    if not days:
        raise InvalidInput(f"no time entries in the week of {first.isoformat()} to approve")
    return sum(approve_day(session, technician_id, day, actor=actor) for day in days)


@dataclass(frozen=True)
class EntryRow:
    """A time entry as the faces show it."""

    id: int
    technician: str
    kind: str
    order: str | None
    starts_at: datetime
    ends_at: datetime | None
    minutes: int | None
    source: str
    approved: bool
    approved_by: str | None


def entry_rows(session: Session, entries: list[TimeEntry]) -> list[EntryRow]:
    names = {t.id: t.name for t in session.exec(select(Technician))}
    numbers = order_numbers(session, {e.order_id for e in entries if e.order_id})
    return [
        EntryRow(
            e.id,
            names.get(e.technician_id, str(e.technician_id)),
            e.kind,
            numbers.get(e.order_id) if e.order_id else None,
            e.starts_at,
            e.ends_at,
            int((e.ends_at - e.starts_at).total_seconds() // 60) if e.ends_at else None,
            e.source,
            e.approved,
            e.approved_by,
        )  # fmt: skip
        for e in entries
    ]


def day_entries(session: Session, technician_id: int, day: date) -> list[EntryRow]:
    """The entries that make up a technician's card for a shop-local day."""
    start, end = day_bounds(day, shop_zone(session))
    return entry_rows(
        session, list_entries(session, technician_id=technician_id, start=start, end=end)
    )


def order_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(WorkOrder.id, WorkOrder.number).where(col(WorkOrder.id).in_(ids))
    return dict(session.exec(stmt).all())


# ---- labour on the invoice --------------------------------------------------------------


def unapproved_by_order(session: Session, order_ids: list[int]) -> dict[int, list[TimeEntry]]:
    """Unapproved (or still running) time entries booked on these orders, by order id."""
    out: dict[int, list[TimeEntry]] = {}
    for start in range(0, len(order_ids), 900):
        chunk = order_ids[start : start + 900]
        stmt = (
            select(TimeEntry)
            .where(col(TimeEntry.order_id).in_(chunk), TimeEntry.approved == False)  # noqa: E712
            .order_by(col(TimeEntry.order_id), col(TimeEntry.starts_at), col(TimeEntry.id))
        )
        for entry in session.exec(stmt):
            if entry.order_id is not None:
                out.setdefault(entry.order_id, []).append(entry)
    return out


def unapproved_text(session: Session, number: str, entries: list[TimeEntry]) -> str:
    """One line naming the unapproved entries of order `number` and the commands that
    approve them (per technician and day)."""
    zone = shop_zone(session)
    names = {t.id: t.name for t in session.exec(select(Technician))}
    ids = ", ".join(str(e.id) for e in entries)
    commands = []
    for e in entries:
        name, day = names.get(e.technician_id, str(e.technician_id)), e.starts_at.astimezone(zone)
        cmd = f'svcdesk time approve --tech "{name}" --day {day.date().isoformat()}'
        if cmd not in commands:
            commands.append(cmd)
    running = [str(e.id) for e in entries if e.ends_at is None]
    return (
        f"{number} has unapproved time: entr{'y' if len(entries) == 1 else 'ies'} {ids}"
        + (f" ({', '.join(running)} still running)" if running else "")
        + f"; approve it ({'; '.join(commands)}) or invoice without it (--skip-unapproved)"
    )


# ---- payroll export ----------------------------------------------------------------------

EXPORT_COLUMNS = (
    "technician",
    "date",
    "regular_hours",
    "overtime_hours",
    "travel_minutes",
    "work_minutes",
    "shop_minutes",
    "break_minutes",
)


def payroll_rows(session: Session, week_of: date) -> tuple[list[DayCard], int]:
    """Approved time for the week containing `week_of`, and how many entries are unapproved."""
    first = week_start(week_of)
    last = first + timedelta(days=6)
    cards = day_cards(session, first, last, approved_only=True)
    zone = shop_zone(session)
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    pending = len(list_entries(session, start=start, end=end, approved=False))
    return cards, pending


def payroll_csv(cards: list[DayCard]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for c in sorted(cards, key=lambda c: (c.technician, c.day)):
        name = c.technician
        if name[:1] in ("=", "+", "-", "@"):
            name = "'" + name
        writer.writerow(
            [
                name,
                c.day.isoformat(),
                f"{c.regular_minutes / 60:.2f}",
                f"{c.overtime_minutes / 60:.2f}",
                c.minutes.get("travel", 0),
                c.minutes.get("work", 0),
                c.minutes.get("shop", 0),
                c.minutes.get("break", 0),
            ]
        )
    return buf.getvalue()


@dataclass
class WeekView:
    """One week's day cards (the time approval screen), for one technician or everyone."""

    first: date
    technician: str | None
    cards: list[DayCard]


def week_view(session: Session, week_of: date | None, tech_id: int | None) -> WeekView:
    """The cards of the week (Mon-Sun) holding `week_of` (default: today, shop-local)."""
    from svcdesk.services.crm.technicians import find_technician

    first = week_start(week_of or now().astimezone(shop_zone(session)).date())
    cards = day_cards(session, first, first + timedelta(days=6), technician_id=tech_id)
    name = find_technician(session, tech_id).name if tech_id is not None else None
    return WeekView(first, name, cards)
