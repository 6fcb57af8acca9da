"""Shop settings stored in the database, with defaults from config.

Every key has a spec (`SPECS`): its kind (whole number, number, yes/no, time zone, hours,
choice, text...), the allowed range or values, the default (config.DEFAULT_SETTINGS) and a
one-line meaning. `set_setting` refuses an unknown key or a bad value with one line naming
what is allowed, and audits the change (before/after, actor)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, select

from svcdesk.config import DEFAULT_SETTINGS
from svcdesk.errors import InvalidInput
from svcdesk.models.core import setting as setting_view

if TYPE_CHECKING:
    from sqlmodel import Session

    from svcdesk.db import Reader

T = TypeVar("T")

_CACHE = "svcdesk.settings"  # session.info key while `settings_cached` is active
_DERIVED = "svcdesk.settings.derived"  # values built from settings (see `derived`)


def get_setting(session: Reader, key: str) -> str | None:
    """The stored value, else the default. A Core connection (a lean read, db.Reader)
    reads the row; a session looks in its identity map first."""
    cached = session.info.get(_CACHE)
    if cached is not None:
        return cached.get(key)
    if isinstance(session, Connection):
        stmt = select(setting_view.c.value).where(setting_view.c.key == key)
        value = session.execute(stmt).scalar()
    else:
        from svcdesk.models import Setting

        row = session.get(Setting, key)
        value = row.value if row else None
    return value if value is not None else DEFAULT_SETTINGS.get(key)


@contextmanager
def settings_cached(session: Session) -> Iterator[None]:
    """Read every setting once for a bulk operation (batch intake, invoicing): without it
    a setting that is not stored (a default) costs a query on every lookup. `set_setting`
    keeps the cache in step. Nested use shares the outer block's cache."""
    if session.info.get(_CACHE) is not None:
        yield
        return
    session.info[_CACHE] = all_settings(session)
    try:
        yield
    finally:
        session.info.pop(_CACHE, None)
        session.info.pop(_DERIVED, None)


def derived(session: Session, name: str, build: Callable[[], T]) -> T:
    """`build()` once per `settings_cached` block for objects made from settings (the work
    calendar, SLA clocks): rebuilt after `set_setting`; built every call outside a block."""
    if session.info.get(_CACHE) is None:
        return build()
    values = session.info.setdefault(_DERIVED, {})
    if name not in values:
        values[name] = build()
    return values[name]


def all_settings(session: Reader) -> dict[str, str]:
    values = dict(DEFAULT_SETTINGS)
    rows = session.execute(select(setting_view.c.key, setting_view.c.value))
    values.update({key: value for key, value in rows})
    return values


def set_setting(session: Session, key: str, value: str, *, actor: str = "system") -> str:
    """Validate and store one setting (the canonical text is returned and stored); the
    change is audited with its actor. Unknown keys and bad values are refused."""
    from svcdesk.models import Setting

    spec = spec_for(key)
    value = spec.check(value, session)
    row = session.get(Setting, key)
    before = row.value if row else DEFAULT_SETTINGS.get(key)
    if row:
        row.value = value
    else:
        session.add(Setting(key=key, value=value))
    if before != value:
        from svcdesk.services.common.events import record_change

        shown_before, shown_after = (
            (_masked(before), _masked(value)) if spec.secret else (before, value)
        )
        record_change(
            session, "setting", key, "edited", f"{key}: {shown_before!r} -> {shown_after!r}",
            actor=actor, before={"value": shown_before}, after={"value": shown_after},
        )  # fmt: skip
    session.flush()
    if session.info.get(_CACHE) is not None:
        session.info[_CACHE][key] = value
    session.info.pop(_DERIVED, None)
    return value


def _masked(value: str | None) -> str:
    """What is shown of a secret: whether it is set, never its text."""
    return "********" if value else ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"shop.timezone: unknown time zone {name!r}") from None


def shop_zone(session: Reader) -> ZoneInfo:
    """The shop's time zone: times are stored UTC and shown in this zone."""
    return _zone(get_setting(session, "shop.timezone") or "UTC")


# ---- the schema ----------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One setting: `kind` names the type shown to users; `check(text, session)` returns
    the canonical text or raises InvalidInput naming what is allowed."""

    key: str
    kind: str
    meaning: str
    checker: Callable[[str, str, Session | None], str]
    allowed: str  # the allowed values or range, in words
    secret: bool = False  # never shown (`settings list` masks it) nor written to the audit

    @property
    def default(self) -> str:
        return DEFAULT_SETTINGS.get(self.key, "")

    def check(self, value: str, session: Session | None = None) -> str:
        return self.checker(self.key, (value or "").strip(), session)


def _bad(key: str, value: str, allowed: str) -> InvalidInput:
    return InvalidInput(f"{key}: {value!r} is not allowed; expected {allowed}")


def _number(lo: Decimal, hi: Decimal, *, whole: bool, lo_open: bool, unit: str):
    low = f"more than {lo}" if lo_open else f"{lo}"
    allowed = f"{'a whole number' if whole else 'a number'} from {low} to {hi} {unit}".strip()

    def check(key: str, text: str, _session) -> str:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _bad(key, text, allowed) from None
        if not number.is_finite() or (whole and number != number.to_integral_value()):
            raise _bad(key, text, allowed)
        if number > hi or number < lo or (lo_open and number == lo):
            raise InvalidInput(f"{key}: {text} is out of range; expected {allowed}")
        return str(int(number)) if whole else text

    return check, allowed


def _whole(lo: int, hi: int, unit: str = ""):
    return _number(Decimal(lo), Decimal(hi), whole=True, lo_open=False, unit=unit)


def _positive(hi: float, unit: str, lo: float = 0):
    return _number(Decimal(str(lo)), Decimal(str(hi)), whole=False, lo_open=True, unit=unit)


def _choice(*values: str):
    allowed = "one of " + ", ".join(values)

    def check(key: str, text: str, _session) -> str:
        if text.lower() not in values:
            raise _bad(key, text, allowed)
        return text.lower()

    return check, allowed


def _text(max_len: int, *, required: bool = False):
    allowed = f"text of up to {max_len} characters" + (" (not empty)" if required else "")

    def check(key: str, text: str, _session) -> str:
        if (required and not text) or len(text) > max_len or "\n" in text:
            raise _bad(key, text, allowed)
        return text

    return check, allowed


def _parsed(parse: Callable[[str], object], allowed: str):
    """A value that a service parser reads (its message names the format)."""

    def check(key: str, text: str, _session) -> str:
        try:
            parse(text)
        except InvalidInput as exc:
            message = str(exc)
            message = message.removeprefix("setting ").removeprefix(f"{key}: ")
            raise InvalidInput(f"{key}: {message}; expected {allowed}") from None
        return text

    return check, allowed


def _timezone_check(key: str, text: str, _session) -> str:
    if not text or text != text.strip():
        raise _bad(key, text, "an IANA time zone like America/Chicago")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{key}: unknown time zone {text!r}; expected an IANA time zone like America/Chicago"
        ) from None
    return text


def _email_check(key: str, text: str, _session) -> str:
    from svcdesk.services.common.normalize import email_key

    if text and not email_key(text):
        raise _bad(key, text, "an e-mail address (or empty)")
    return text


def _public_url_check(key: str, text: str, _session) -> str:
    """The web app's address as customers reach it: http(s)://host[:port][/path], no query."""
    from urllib.parse import urlsplit

    allowed = "an address like https://desk.example.com (http or https; or empty)"
    if not text:
        return text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        raise _bad(key, text, allowed) from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username is not None
        or any(c.isspace() for c in text)
    ):
        raise _bad(key, text, allowed)
    return text.rstrip("/")


# Checks that need another area's rules (tax zones, working hours, lunch, follow-up plans)
# are registered by those areas (`svcdesk/services/__init__.py`), so this module, which every
# area uses, imports none of them. What is registered is a loader giving the rule: the
# area's module is imported when a setting first needs it, not on every start.
_AREA_RULES: dict[str, Callable[[], Callable]] = {}


def register_rule(name: str, load: Callable[[], Callable]) -> None:
    """Install the loader of another area's parser or check for the settings naming it."""
    _AREA_RULES[name] = load


def _area_rule(name: str) -> Callable:
    try:
        return _AREA_RULES[name]()
    except KeyError:
        raise RuntimeError(
            f"settings rule {name!r} not registered: import svcdesk.services"
        ) from None


def _tax_zone_check(key: str, text: str, session: Session | None) -> str:
    if not text or session is None:
        return text
    return _area_rule("tax_zone")(key, text, session)


def _hours_parse(text: str) -> object:
    return _area_rule("hours")(text)


def _holidays_parse(text: str) -> object:
    return _area_rule("holidays")(text)


def _lunch_parse(text: str) -> object:
    return _area_rule("lunch")(text)


def _plan_parse(text: str) -> object:
    return _area_rule("followup_plan")(text)


def _quiet_parse(text: str) -> object:
    return _area_rule("quiet_hours")(text)


_PRIORITIES = ("emergency", "high", "normal", "low")
_STATUSES = ("new", "scheduled", "dispatched", "en_route", "on_site", "on_hold", "completed")
_INCREMENTS = ("6", "12", "15", "30", "60")  # = billing.labor.INCREMENTS
_HOURS_A_YEAR = 8760
# Customer messages, each on or off (= services/messages/templates.TRIGGERS)
MESSAGE_TRIGGERS = {
    "booking": "a booking confirmation with the promised window",
    "reminder": "a reminder the day before a visit",
    "on_my_way": '"on my way" with the ETA when a visit goes en route',
    "quote": "the quote PDF when a quote is sent",
    "invoice": "the invoice PDF with the balance when an invoice is sent",
    "receipt": "a receipt when a payment is recorded",
    "review": "a review request after a job (the review_request follow-up)",
}


def _specs() -> dict[str, Spec]:
    rows: list[tuple[str, str, str, tuple]] = [
        ("shop.timezone", "time zone", "the shop's time zone: times are shown in it",
         (_timezone_check, "an IANA time zone like America/Chicago")),
        ("shop.hours", "hours", "business hours (the business-hours SLA clock, dispatch)",
         _parsed(_hours_parse, "days and times like mon-fri 08:00-17:00; sat 09:00-12:00")),
        ("shop.holidays", "dates", "days the shop is closed (ISO dates, commas)",
         _parsed(_holidays_parse, "ISO dates like 2026-12-25, separated by commas")),
        ("company.name", "text", "company name on invoices and quotes", _text(120, required=True)),
        ("company.address", "text", "company address on documents; its ZIP is the depot",
         _text(200)),
        ("company.phone", "text", "company phone on documents", _text(40)),
        ("company.email", "e-mail", "company e-mail on documents",
         (_email_check, "an e-mail address (or empty)")),
        ("backup.keep_days", "whole number", "daily backups kept (0 = daily backups off)",
         _whole(0, 3650, "days")),
        ("backup.dir", "folder", "where daily backups go (empty = next to the database)",
         _text(500)),
        ("files.mode", "choice",
         "mode of exports, calendars, PDFs and reject files (0640 lets the group read them)",
         _choice("0600", "0640")),
        ("tax.default_zone", "tax zone",
         "tax zone of sites without their own (empty = no tax); rates live on tax zones",
         (_tax_zone_check, "the name of an active tax zone (svcdesk tax zones list)")),
        ("billing.terms_days", "whole number", "days from invoice to due date",
         _whole(0, 365, "days")),
        ("billing.quote_valid_days", "whole number", "days a quote stays valid",
         _whole(1, 365, "days")),
        ("billing.trip_fee_code", "text", "price-book code billed as the trip fee",
         _text(40, required=True)),
        ("billing.labor_increment_minutes", "choice", "labour is billed in steps of this many minutes",
         _choice(*_INCREMENTS)),
        ("payroll.overtime.daily_hours", "number", "hours a day before overtime (0 = no daily rule)",
         _number(Decimal(0), Decimal(24), whole=False, lo_open=False, unit="hours")),
        ("payroll.overtime.weekly_hours", "number", "hours a week before overtime (0 = no weekly rule)",
         _number(Decimal(0), Decimal(168), whole=False, lo_open=False, unit="hours")),
        ("sla.at_risk_percent", "number", "an SLA is at risk with less than this % of its time left",
         _positive(99, "percent")),
        ("recall.window_days", "whole number", "a job within this many days of a completed one is a possible recall",
         _whole(0, 365, "days")),
        ("followup.plan", "plan", "follow-ups made when an order completes (kind:days)",
         _parsed(_plan_parse, "kind:days items like callback:2,review_request:5 (or empty)")),
        ("dispatch.lunch", "lunch", "technicians' lunch: start window/minutes (empty = none)",
         _parsed(_lunch_parse, "a start window and minutes like 12:00-13:00/30 (or empty)")),
        ("dispatch.road_factor", "number", "road distance = straight line x this",
         _number(Decimal(1), Decimal(3), whole=False, lo_open=False, unit="")),
        ("dispatch.speed_kmh", "number", "average driving speed for travel times",
         _number(Decimal(5), Decimal(130), whole=False, lo_open=False, unit="km/h")),
        ("dispatch.time_limit", "number", "seconds the day planner searches",
         _number(Decimal("0.1"), Decimal(600), whole=False, lo_open=False, unit="seconds")),
        ("messages.email.sender", "choice", "how e-mail is sent: smtp, file (written to a folder) or off",
         _choice("off", "smtp", "file")),
        ("messages.sms.sender", "choice", "how text messages are sent: apprise, file or off",
         _choice("off", "apprise", "file")),
        ("messages.from", "e-mail", "the From of customer e-mail (empty = company.email)",
         (_email_check, "an e-mail address (or empty)")),
        ("messages.smtp.host", "text", "the SMTP server's host name", _text(200)),
        ("messages.smtp.port", "whole number", "the SMTP server's port", _whole(1, 65535)),
        ("messages.smtp.security", "choice", "SMTP encryption: starttls, ssl or none",
         _choice("starttls", "ssl", "none")),
        ("messages.smtp.username", "text", "SMTP login name (empty = no login)", _text(200)),
        ("messages.smtp.password", "secret", "SMTP password (never shown)", _text(500)),
        ("messages.sms.url", "secret", "the SMS provider as an Apprise URL (never shown)",
         _text(1000)),
        ("messages.file.dir", "folder",
         "where the file sender writes messages (empty = outbox/ next to the database)", _text(500)),
        ("messages.quiet_hours", "hours",
         "no reminders or review requests go out between these local times (empty = none)",
         _parsed(_quiet_parse, "local times like 21:00-08:00 (or empty)")),
        ("web.public_url", "address",
         "the web app's address as customers reach it: quote and invoice e-mails carry links "
         "to it (empty = no links; they say to reply or call)",
         (_public_url_check, "an address like https://desk.example.com (http or https; or empty)")),
        ("messages.max_attempts", "whole number", "tries before a message shows as failed",
         _whole(1, 20, "tries")),
        ("messages.retry_minutes", "whole number", "wait before the first retry (doubles each try)",
         _whole(1, 1440, "minutes")),
    ]  # fmt: skip
    for trigger, words in MESSAGE_TRIGGERS.items():
        rows.append((f"messages.on.{trigger}", "choice", f"send {words}", _choice("on", "off")))
    for p in _PRIORITIES:
        rows += [
            (f"sla.hours.{p}", "hours", f"respond to a {p}-priority order within (hours)",
             _positive(_HOURS_A_YEAR, "hours")),
            (f"sla.resolve_hours.{p}", "hours", f"resolve a {p}-priority order within (hours)",
             _positive(_HOURS_A_YEAR, "hours")),
            (f"sla.clock.{p}", "choice",
             f"which clock {p}-priority targets count on (business hours or around the clock)",
             _choice("business", "calendar")),
        ]  # fmt: skip
    for st in _STATUSES:
        words = st.replace("_", " ")
        rows.append(
            (f"stale.hours.{st}", "hours", f"alert when an order stays {words} longer than (hours)",
             _positive(_HOURS_A_YEAR, "hours"))
        )  # fmt: skip
    return {
        key: Spec(key, kind, meaning, checker, allowed, secret=kind == "secret")
        for key, kind, meaning, (checker, allowed) in rows
    }


SPECS: dict[str, Spec] = _specs()

# Keys people reach for that are not settings: where that value lives instead.
_ELSEWHERE = {
    "tax": "tax rates live on tax zones (`svcdesk tax zones add|edit`); "
    "tax.default_zone names the zone of sites without their own",
}


def spec_for(key: str) -> Spec:
    spec = SPECS.get(key)
    if spec is not None:
        return spec
    hint = _ELSEWHERE.get(key.split(".")[0])
    if hint is None:
        close = difflib.get_close_matches(key, list(SPECS), n=3, cutoff=0.6)
        hint = (
            f"did you mean {', '.join(close)}?" if close else "`svcdesk settings list` shows them"
        )
    raise InvalidInput(f"unknown setting {key!r}; {hint}")


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: str
    default: str
    kind: str
    allowed: str
    meaning: str


def setting_rows(session: Session) -> list[SettingRow]:
    """Every known setting: its value, default, kind, allowed values and meaning."""
    values = all_settings(session)
    return [
        SettingRow(key, _shown(spec, values.get(key, spec.default)), _shown(spec, spec.default),
                   spec.kind, spec.allowed, spec.meaning)
        for key, spec in sorted(SPECS.items())
    ]  # fmt: skip


def _shown(spec: Spec, value: str) -> str:
    return _masked(value) if spec.secret else value


def shown_value(key: str, value: str) -> str:
    """A setting's value as it may be shown (a secret masked)."""
    return _shown(spec_for(key), value)
