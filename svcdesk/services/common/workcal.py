"""Working time: the shop's weekly hours and holidays (settings `shop.hours`,
`shop.holidays`) as a calendar that adds and measures *business* time, and a 24/7 calendar
with the same interface. Intervals are local wall times turned into UTC day by day, so a
DST change shortens or lengthens that day's working time exactly as the clock on the wall."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from svcdesk.errors import InvalidInput
from svcdesk.services.common.settings import get_setting, shop_zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SEARCH_DAYS = 3660  # a calendar with no working day in ten years is misconfigured


def parse_shifts(spec: str) -> list[tuple[int, int, int]]:
    """'mon-fri 08:00-17:00; sat 09:00-13:00' -> [(weekday, start_minute, end_minute), ...]."""
    result: list[tuple[int, int, int]] = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        try:
            days, hours = part.split()
            start_s, end_s = hours.split("-")
            start, end = _minute(start_s), _minute(end_s)
            if "-" in days:
                a, b = (WEEKDAYS.index(d[:3].lower()) for d in days.split("-"))
                day_list = list(range(a, b + 1))
            else:
                day_list = [WEEKDAYS.index(d[:3].lower()) for d in days.split(",")]
        except ValueError:
            raise InvalidInput(f"shifts: {part!r} is not like 'mon-fri 08:00-17:00'") from None
        if end <= start:
            raise InvalidInput(f"shifts: {part!r} ends before it starts")
        result += [(d, start, end) for d in day_list]
    return result


def _minute(hhmm: str) -> int:
    h, m = hhmm.split(":")
    value = int(h) * 60 + int(m)
    if not 0 <= value <= 24 * 60:
        raise ValueError(hhmm)
    return value


def parse_holidays(text: str | None) -> frozenset[date]:
    """'2026-12-25, 2027-01-01' (commas, spaces or new lines) -> set of dates."""
    days: set[date] = set()
    for item in (text or "").replace(",", " ").split():
        try:
            days.add(date.fromisoformat(item))
        except ValueError:
            raise InvalidInput(
                f"shop.holidays: {item!r} is not an ISO date like 2026-12-25"
            ) from None
    return frozenset(days)


def parse_hours(text: str | None) -> dict[int, tuple[tuple[int, int], ...]]:
    """'mon-fri 08:00-17:00; sat 09:00-12:00' -> weekday -> ((start_min, end_min), ...)."""
    try:
        shifts = parse_shifts(text or "")
    except InvalidInput as exc:
        raise InvalidInput(str(exc).replace("shifts:", "shop.hours:", 1)) from None
    hours: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in shifts:
        hours.setdefault(weekday, []).append((start, end))
    return {d: tuple(sorted(v)) for d, v in hours.items()}


@dataclass
class CalendarClock:
    """24/7: business time is wall time."""

    zone: ZoneInfo

    def add(self, start: datetime, seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    def seconds_between(self, a: datetime, b: datetime) -> float:
        return (b - a).total_seconds()


@dataclass
class WorkCalendar:
    """The shop's working hours in `zone`, minus `holidays`."""

    zone: ZoneInfo
    hours: dict[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[date] = frozenset()
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, repr=False
    )
    # Working seconds from an arbitrary first day to the start of each day seen so far
    # (a contiguous range, grown on demand): makes seconds_between O(1) after warm-up.
    _cum: dict[date, float] = field(default_factory=dict, repr=False)
    _span: list[date] = field(default_factory=list, repr=False)  # [first, last] in _cum
    _offsets: dict[datetime, float] = field(default_factory=dict, repr=False)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.hours and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        for offset in range(MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise InvalidInput("shop.hours: no working day configured (e.g. 'mon-fri 08:00-17:00')")

    def intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """That day's working intervals as aware UTC datetimes (empty on days off)."""
        cached = self._days.get(day)
        if cached is None:
            cached = ()
            if self.is_working_day(day):
                cached = tuple(
                    (self._at(day, start), self._at(day, end))
                    for start, end in self.hours[day.weekday()]
                )
            self._days[day] = cached
        return cached

    def _at(self, day: date, minute: int) -> datetime:
        if minute >= 24 * 60:
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone).astimezone(
                UTC
            )
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time after `start` (lands inside working hours)."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        remaining = timedelta(seconds=seconds)
        day = self._local_day(start) - timedelta(days=1)  # an interval may start the day before
        for offset in range(MAX_SEARCH_DAYS):
            for begin, end in self.intervals(day + timedelta(days=offset)):
                if end <= start:
                    continue
                begin = max(begin, start)
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        raise InvalidInput("shop.hours: no working day configured (e.g. 'mon-fri 08:00-17:00')")

    def seconds_between(self, a: datetime, b: datetime) -> float:
        """Working seconds from `a` to `b` (negative when `b` is before `a`)."""
        return self.offset(b) - self.offset(a)

    def offset(self, moment: datetime) -> float:
        """Working seconds from this calendar's reference day to `moment`."""
        known = self._offsets.get(moment)
        if known is not None:
            return known
        day = self._local_day(moment)
        within = sum(
            (min(end, moment) - begin).total_seconds()
            for begin, end in self.intervals(day)
            if moment > begin
        )
        value = self._offsets[moment] = self._day_offset(day) + within
        return value

    def _day_total(self, day: date) -> float:
        return sum((end - begin).total_seconds() for begin, end in self.intervals(day))

    def _day_offset(self, day: date) -> float:
        if not self._span:
            self._cum[day] = 0.0
            self._span[:] = [day, day]
        first, last = self._span
        while day > last:
            self._cum[last + timedelta(days=1)] = self._cum[last] + self._day_total(last)
            last += timedelta(days=1)
        while day < first:
            first -= timedelta(days=1)
            self._cum[first] = self._cum[first + timedelta(days=1)] - self._day_total(first)
        self._span[:] = [first, last]
        return self._cum[day]

    def day_span(self, day: date) -> tuple[datetime, datetime] | None:
        """Start of the first and end of the last interval of a working day."""
        spans = self.intervals(day)
        return (spans[0][0], spans[-1][1]) if spans else None


def shop_calendar(session: Session, zone: ZoneInfo | None = None) -> WorkCalendar:
    """The shop's working calendar, in `zone` (a site's zone) or the shop's zone."""
    return WorkCalendar(
        zone=zone or shop_zone(session),
        hours=parse_hours(get_setting(session, "shop.hours")),
        holidays=parse_holidays(get_setting(session, "shop.holidays")),
    )
