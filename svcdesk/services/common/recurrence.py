"""Recurrence dates for maintenance plans: an RFC 5545 RRULE (dateutil.rrule) over local
dates, moved off weekends/holidays to the next working day, never before the anchor and
never twice on the same working day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time

from dateutil.rrule import rrule, rrulestr

from svcdesk.errors import InvalidInput

MAX_DATES = 5000  # a preview or one generation run never walks further than this


def _rule_text(text: str) -> str:
    body = (text or "").strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    return body.upper()


def parse_rule(text: str, dtstart: date) -> rrule:
    """Parse an RRULE (with or without the 'RRULE:' prefix) anchored on `dtstart`."""
    body = _rule_text(text)
    if not body:
        raise InvalidInput("rrule: empty; expected e.g. FREQ=MONTHLY;INTERVAL=6")
    if "DTSTART" in body:
        raise InvalidInput("rrule: give the start date separately (--start), not DTSTART")
    try:
        rule = rrulestr(body, dtstart=datetime.combine(dtstart, time(0)))
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"rrule: {text!r} is not a valid RFC 5545 rule ({exc})") from None
    if not isinstance(rule, rrule):
        raise InvalidInput(f"rrule: {text!r} must be a single RRULE")
    return rule


def normalize_rule(text: str, dtstart: date) -> str:
    """The rule as stored: validated, upper-case, without the 'RRULE:' prefix."""
    parse_rule(text, dtstart)
    return _rule_text(text)


def rule_dates(text: str, dtstart: date, *, after: date | None = None) -> Iterator[date]:
    """The dates the rule gives (on or after dtstart, strictly after `after` if given)."""
    rule = parse_rule(text, dtstart)
    start = datetime.combine(after, time(0)) if after else None
    it = iter(rule) if start is None else iter(rule.xafter(start, inc=False))
    for n, moment in enumerate(it):
        if n >= MAX_DATES:
            return
        yield moment.date()


def working_dates(
    text: str,
    dtstart: date,
    next_working_day: Callable[[date], date],
    *,
    after: date | None = None,
    not_before: date | None = None,
    through: date | None = None,
    count: int | None = None,
) -> list[tuple[date, date]]:
    """[(rule date, working date)] in order. A rule date on a weekend/holiday moves to the
    next working day; when two rule dates land on the same working day only the first is
    kept; nothing before `not_before` (the anchor) and, with `through`, nothing after it."""
    if count is not None and count < 1:
        return []
    result: list[tuple[date, date]] = []
    used: set[date] = set()
    for nominal in rule_dates(text, dtstart, after=after):
        if through is not None and nominal > through:
            break
        due = next_working_day(nominal)
        if (not_before and nominal < not_before) or due in used:
            continue
        if through is not None and due > through:
            break
        used.add(due)
        result.append((nominal, due))
        if count is not None and len(result) >= count:
            break
    return result
