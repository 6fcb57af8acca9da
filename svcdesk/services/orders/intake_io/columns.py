"""Intake file columns, header matching, and turning one row of text into an IntakeRequest.

The same conversion serves `svcdesk intake` flags (one order) and every file row, so a value
means the same thing wherever it is typed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from svcdesk.errors import InvalidInput
from svcdesk.services.common.normalize import check_email, email_key, parse_phone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.orders.intake import IntakeRequest

COLUMNS: tuple[str, ...] = (
    "external_ref",
    "customer",
    "phone",
    "email",
    "address",
    "city",
    "state",
    "zip",
    "summary",
    "description",
    "priority",
    "skill",
    "window_start",
    "window_end",
    "est_minutes",
    "source",
    "kind",
)
# A file must have these columns (a value may still be blank where the rules allow it).
REQUIRED: tuple[str, ...] = ("external_ref", "customer", "address", "summary")

_IGNORED = re.compile(r"[\s_\-\ufeff]+")


def header_key(name: str) -> str:
    """'Window Start', 'window-start', 'WINDOW_START' -> 'windowstart'."""
    return _IGNORED.sub("", str(name)).lower()


class MissingColumns(InvalidInput):
    """A file's header lacks required columns (`missing` names them)."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


def match_headers(
    source: str,
    headers: list[str],
    columns: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
) -> tuple[dict[str, str], list[str]]:
    """Map each file header to its column name. Returns (header -> column, unknown headers).

    Raises InvalidInput naming the file when two headers mean the same column, and
    MissingColumns when a required column is missing. Blank headers are skipped."""
    by_key = {header_key(c): c for c in columns}
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        column = by_key.get(header_key(header))
        if column is None:
            if header_key(header):
                unknown.append(header)
            continue
        clash = next((h for h, c in mapping.items() if c == column), None)
        if clash is not None:
            raise InvalidInput(f"{source}: columns {clash!r} and {header!r} both mean {column}")
        mapping[header] = column
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        raise MissingColumns(
            f"{source}: missing required column {', '.join(missing)} "
            f"(columns are {', '.join(columns)}; header names ignore case, spaces, _ and -)",
            missing,
        )
    return mapping, unknown


class RowInvalid(Exception):
    """One row's problems: a list of (column, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{c}: {m}" for c, m in problems))
        self.problems = problems


def split_message(exc: InvalidInput, fallback: str) -> tuple[str, str]:
    """'priority: ... is not one of ...' -> ('priority', '... is not one of ...')."""
    head, sep, rest = exc.message.partition(": ")
    if sep and head in COLUMNS:
        return head, rest
    return fallback, exc.message


@dataclass
class RowParser:
    """Converts text values (keyed by column name) into an IntakeRequest; caches parsed
    date/time strings, since a file repeats the same promised windows many times."""

    zone: ZoneInfo
    default_source: str = "import"
    match_existing: bool = False  # file phone/e-mail matches whatever the name
    _when: dict[str, datetime] = field(default_factory=dict)

    def when(self, column: str, text: str) -> datetime:
        cached = self._when.get(text)
        if cached is None:
            cached = parse_when(text, self.zone, field=column)
            if len(self._when) > 50_000:
                self._when.clear()
            self._when[text] = cached
        return cached

    def request(self, values: Mapping[str, str | None]) -> IntakeRequest:
        """Raises RowInvalid listing every value that can't be read."""
        return self.parse(values)[0]

    def parse(
        self, values: Mapping[str, str | None]
    ) -> tuple[IntakeRequest, str | None, str | None]:
        """The request plus its phone and e-mail match keys (computed while checking)."""
        get = values.get
        return self.parse_texts(tuple(v.strip() if v else None for v in map(get, COLUMNS)))

    def parse_texts(
        self, texts: tuple[str | None, ...]
    ) -> tuple[IntakeRequest, str | None, str | None]:
        """`parse` for values already stripped, in COLUMNS order ("" or None when blank):
        a file row's values as the reader picks them (`Record.texts`)."""
        (
            ref, customer, phone, email, address, city, state, zip_code, summary,
            description, priority, skill, window_start, window_end, minutes_text, source,
            kind,
        ) = texts  # fmt: skip
        problems: list[tuple[str, str]] = []
        pk = ek = None
        if phone:  # the one phone rule (`normalize.parse_phone`; plain US numbers fast)
            try:
                parsed = parse_phone(phone)
                pk = parsed.key if parsed else None
            except InvalidInput as exc:
                problems.append(split_message(exc, "phone"))
        if email:
            try:
                ek = email_key(check_email(email))
            except InvalidInput as exc:
                problems.append(split_message(exc, "email"))
        start = end = None
        minutes = 60
        try:
            if window_start:
                start = self.when("window_start", window_start)
        except InvalidInput as exc:
            problems.append(split_message(exc, "window_start"))
        try:
            if window_end:
                end = self.when("window_end", window_end)
        except InvalidInput as exc:
            problems.append(split_message(exc, "window_end"))
        try:
            if minutes_text:
                minutes = _minutes(minutes_text)
        except InvalidInput as exc:
            problems.append(split_message(exc, "est_minutes"))
        if problems:
            raise RowInvalid(problems)
        req = IntakeRequest(
            summary=summary or "",
            customer=customer or None,
            phone=phone or None,
            email=email or None,
            address=address or None,
            city=city or "",
            state=state or "",
            zip=zip_code or "",
            description=description or None,
            priority=priority or "normal",
            skill=skill or None,
            window_start=start,
            window_end=end,
            est_minutes=minutes,
            source=source or self.default_source,
            kind=kind or "repair",
            external_ref=ref or None,
            match_existing=self.match_existing,
        )
        return req, pk, ek


_WHOLE = re.compile(r"^\d{1,5}(\.0*)?$")
_MINUTES: dict[str, int] = {}  # a file repeats a handful of spellings ("60", "90")


def _minutes(text: str) -> int:
    found = _MINUTES.get(text)
    if found is not None:
        return found
    if not _WHOLE.match(text):
        raise InvalidInput(f"est_minutes: {text!r} is not a whole number of minutes")
    if len(_MINUTES) < 1000:
        _MINUTES[text] = int(float(text))
    return int(float(text))
