"""Recurrence dates for maintenance plans: an RFC 5545 RRULE (dateutil.rrule) over local
dates, moved off weekends/holidays to the next working day, never before the anchor and
never twice on the same working day."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

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
    """The rule as stored: validated, upper-case, without the 'RRULE:' prefix. A plan
    repeats daily at most and must come due at least once in the next ten years (a rule
    like BYMONTH=13 or February 31st never does)."""
    rule = parse_rule(text, dtstart)
    freq = re.search(r"FREQ=([A-Z]+)", _rule_text(text))
    if freq and freq.group(1) in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise InvalidInput(
            f"rrule: {text!r} repeats more often than daily; plans are daily or less"
        )
    first = rule.after(datetime.combine(dtstart, time(0)), inc=True)
    if first is None or first.date() > dtstart + timedelta(days=3653):
        raise InvalidInput(f"rrule: {text!r} gives no date in the ten years from {dtstart}")
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


_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
         "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}  # fmt: skip
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def _ordinal(n: int) -> str:
    if n == -1:
        return "last"
    if n < 0:
        return f"{_ordinal(-n)} to last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _weekday(token: str) -> str:
    """'MO' -> 'Monday', '3TU' -> '3rd Tuesday', '-1FR' -> 'last Friday'."""
    day = _DAYS[token[-2:]]
    return f"{_ordinal(int(token[:-2]))} {day}" if token[:-2] else day


def rule_words(text: str) -> str:
    """A rule as a dispatcher says it: 'monthly on the 3rd Tuesday', 'every 6 months',
    'yearly in April and October on the 1st Monday'. Parts it cannot put in words are
    left as they are (never an error: stored rules are valid)."""
    parts = dict(p.split("=", 1) for p in _rule_text(text).split(";") if "=" in p)
    freq = parts.pop("FREQ", "")
    unit = _UNITS.get(freq)
    if unit is None:
        return _rule_text(text)
    interval = int(parts.pop("INTERVAL", "1") or 1)
    words = [freq.lower() if interval == 1 else f"every {interval} {unit}s"]
    if months := parts.pop("BYMONTH", ""):
        words.append("in " + _join([_MONTHS[int(m) - 1] for m in months.split(",")]))
    setpos = parts.pop("BYSETPOS", "")
    if days := parts.pop("BYDAY", ""):
        tokens = days.split(",")
        if setpos and len(setpos.split(",")) == 1:
            tokens = [f"{setpos}{t}" for t in tokens] if len(tokens) == 1 else tokens
        names = [_weekday(t) for t in tokens]
        on = "on the " if any(t[:-2] for t in tokens) else "on "
        words.append(on + _join(names))
    if monthdays := parts.pop("BYMONTHDAY", ""):
        words.append("on the " + _join([_ordinal(int(d)) for d in monthdays.split(",")]))
    if count := parts.pop("COUNT", ""):
        words.append(f"{count} times")
    if until := parts.pop("UNTIL", ""):
        words.append(f"until {until[:4]}-{until[4:6]}-{until[6:8]}")
    words += [f"{k}={v}" for k, v in parts.items()]
    return " ".join(words)
