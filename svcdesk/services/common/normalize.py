"""Keys used to match an incoming caller to an existing customer and site, and the one
validation of phone numbers, e-mail addresses and names every face uses.

Phones are parsed with `phonenumbers` (region US): stored as E.164 with the extension kept
apart, matched by `key` (the national number: 10 digits for US numbers). Plain 10-digit US
numbers take a regex fast path that gives the same answer (batch intake parses one per
row; phonenumbers costs ~80 µs a number). Addresses are keyed with the USPS abbreviations
`usaddress-scourgify` ships; a one-line address with its ZIP in it is split by scourgify
itself (falling back to the words as typed when it cannot parse them)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import methodcaller
from typing import TYPE_CHECKING

from sqlalchemy import event

from svcdesk.errors import InvalidInput

if TYPE_CHECKING:
    from sqlmodel import Session

# -- phones --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str  # "+15125550101"
    ext: str | None  # "23", or None
    key: str  # matching key: the national number ("5125550101")

    @property
    def display(self) -> str:
        """How a dispatcher reads it: (512) 555-0101 x23."""
        return display_phone(self.e164, self.ext) or self.e164


def display_phone(stored: str | None, ext: str | None = None) -> str | None:
    """A stored phone as a dispatcher reads it, without parsing: "+15125550101" ->
    "(512) 555-0101" (other countries stay E.164; text stored before E.164 as typed)."""
    if not stored:
        return stored
    if len(stored) == 12 and stored.startswith("+1") and stored[2:].isdigit():
        n = stored[2:]
        stored = f"({n[:3]}) {n[3:6]}-{n[6:]}"
    return f"{stored} x{ext}" if ext else stored


_FAST_PHONE = re.compile(
    r"\s*(?:\+?1[\s.\-]?)?\(?([2-9]\d\d)\)?[\s.\-]?([2-9]\d\d)[\s.\-]?(\d{4})"
    r"\s*(?:(?:x|ext\.?|extension|#)\s*(\d{1,7}))?\s*",
    re.IGNORECASE,
)
_PHONE_CACHE: dict[str, Phone] = {}
PHONE_EXPECTED = "expected a phone number with area code, like 512-555-0101 (x23 for an extension)"


def _slow_phone(text: str) -> Phone | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != (
        phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    key = str(number.national_number) if number.country_code == 1 else e164[1:]
    # North American numbers: area code and exchange start with 2-9 (as the fast path)
    if number.country_code == 1 and (
        number.italian_leading_zero or len(key) != 10 or key[0] in "01" or key[3] in "01"
    ):
        return None
    return Phone(e164, number.extension or None, key)


def parse_phone(text: str | None, field: str = "phone") -> Phone | None:
    """The phone in `text` (None when blank); InvalidInput naming `field` when it is not a
    phone number. "512-555-0101 x23" is 512-555-0101 with extension 23."""
    if text is None or not text.strip():
        return None
    found = _PHONE_CACHE.get(text)
    if found is not None:
        return found
    m = _FAST_PHONE.fullmatch(text)
    if m:
        area, exchange, line, ext = m.groups()
        key = area + exchange + line
        found = Phone("+1" + key, ext, key)
    else:
        found = _slow_phone(text) if len(text) <= 40 else None
        if found is None:
            raise InvalidInput(f"{field}: {text!r} is not a phone number; {PHONE_EXPECTED}")
    if len(_PHONE_CACHE) > 100_000:
        _PHONE_CACHE.clear()
    _PHONE_CACHE[text] = found
    return found


def phone_key(phone: str | None) -> str | None:
    """The matching key of a phone number, or None when it is blank or not a number."""
    try:
        parsed = parse_phone(phone)
    except InvalidInput:
        return None
    return parsed.key if parsed else None


# -- e-mail --------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email_key(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.strip().lower()


def check_email(email: str | None, field: str = "email") -> str | None:
    """The e-mail address trimmed (None when blank); InvalidInput when it is not one."""
    if email is None or not email.strip():
        return None
    text = email.strip()
    if not _EMAIL.fullmatch(text):
        raise InvalidInput(
            f"{field}: {email!r} is not an e-mail address; expected name@example.com"
        )
    return text


# -- names ---------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[^\w\s]+")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "jr", "sr", "ii", "iii", "inc", "llc", "co"})


@lru_cache(maxsize=65536)
def name_words(name: str | None) -> tuple[str, ...]:
    """Lower-case words of a person's or company's name, "Last, First" turned around,
    accents and punctuation dropped, titles (Mr, Dr, Jr, Inc, LLC) left out."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    if text.count(",") == 1:
        last, first = text.split(",")
        if first.strip() and first.strip().split()[0].rstrip(".") not in _TITLES:
            text = f"{first} {last}"
    words = _NOT_WORD.sub(" ", text.replace("'", "")).split()
    return tuple([w for w in words if w not in _TITLES] or words)


def _word_agrees(a: str, b: str) -> bool:
    if a == b:
        return True
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def names_agree(a: str | None, b: str | None) -> bool:
    """Whether two spellings name the same person: case, punctuation and word order
    ("Porter, Jane") ignored, initials tolerated ("J. Porter", "Jane Q Porter"). A blank
    name, or one without letters (a customer filed under its phone number), agrees with
    anything. At least one full word must be shared."""
    wa, wb = name_words(a), name_words(b)
    if wa == wb:
        return True
    if not any(w.isalpha() for w in wa) or not any(w.isalpha() for w in wb):
        return True
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    left = list(long_)
    full_match = False
    # full words first, so an initial does not take the word a full name needs
    for word in sorted(short, key=len, reverse=True):
        hit = next((w for w in left if w == word), None)
        if hit is None:
            hit = next((w for w in left if _word_agrees(word, w)), None)
        if hit is None:
            return False
        full_match |= hit == word and len(word) > 1
        left.remove(hit)
    return full_match and all(len(w) == 1 for w in left)


# -- addresses -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _street_words() -> dict[str, str]:
    """USPS street words (on first use: importing scourgify loads its address parser and
    YAML settings, which a command that only shows addresses does not need)."""
    from scourgify.address_constants import (
        DIRECTIONAL_REPLACEMENTS,
        STREET_TYPE_ABBREVIATIONS,
    )

    words = {k.lower(): v.lower() for k, v in STREET_TYPE_ABBREVIATIONS.items()}
    words.update({k.lower(): v.lower() for k, v in DIRECTIONAL_REPLACEMENTS.items()})
    for short in ("n", "s", "e", "w", "ne", "nw", "se", "sw"):
        words[short] = short
    return words


# Unit designators: "Apt 2", "Unit 2", "Suite 2", "#2" and "No. 2" are the same door.
_UNIT_WORDS = frozenset(
    {
        "#",
        "apt",
        "apartment",
        "unit",
        "ste",
        "suite",
        "no",
        "number",
        "rm",
        "room",
        "spc",
        "space",
        "lot",
        "trlr",
        "trailer",
        "ofc",
        "office",
        "dept",
        "department",
    }
)
_ONE_LINE_ZIP = re.compile(r"[\s,]\d{5}(?:-\d{4})?\s*$")


@lru_cache(maxsize=4096)
def _scourgify(address: str) -> tuple[str, str] | None:
    """(street line with unit, ZIP) from a one-line address, or None when unparseable."""
    try:
        from scourgify import normalize_address_record
        from scourgify.exceptions import AddressNormalizationError

        try:
            parts = normalize_address_record(address)
        except (AddressNormalizationError, ValueError, TypeError):
            return None
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    line = " ".join(p for p in (parts.get("address_line_1"), parts.get("address_line_2")) if p)
    return line, (parts.get("postal_code") or "")[:5]


_NO_DOTS = methodcaller("rstrip", ".")


def _street_key(address: str) -> str:
    spelled = address.lower().replace(",", " ").replace("#", " # ").split()
    get = _street_words().get  # (one pass: batch intake keys every row's address)
    words = [get(w, w) for w in map(_NO_DOTS, spelled) if w]
    # "<designator> <id>" at the end: one spelling
    if len(words) >= 4 and words[-3] in _UNIT_WORDS and words[-2] == "#":
        words[-3:-1] = ["#"]  # "Apt #2"
    elif len(words) >= 3 and words[-2] in _UNIT_WORDS:
        words[-2] = "#"
    return " ".join(words)


def address_key(address: str, zip_code: str = "", city: str = "") -> str:
    """Lower-case, punctuation-free, USPS street words abbreviated, unit designators made
    one ("Unit 2" = "Apt 2" = "#2"), plus ZIP (or city). A one-line address with the ZIP
    in it ("12 Oak St Apt 2, Austin TX 78701") is split by scourgify first."""
    zip5 = (zip_code or "").strip()[:5]
    if not zip5 and _ONE_LINE_ZIP.search(address or ""):
        parsed = _scourgify(address.strip())
        if parsed is not None:
            address, zip5 = parsed
    place = zip5 or (city or "").strip().lower()
    return f"{_street_key(address or '')}|{place}"


# -- lengths -------------------------------------------------------------------------

# Longest text accepted per column people type, whatever the table (intake files have their
# own, tighter MAX_LENGTH): a pasted essay or a 100 kB argument is refused with the field
# and the limit before it reaches the database. Columns svcdesk writes itself (event data,
# paths, hashes) are not listed.
TEXT_LIMITS: dict[str, int] = {
    **dict.fromkeys(("name", "signer_name", "title", "summary", "label"), 200),
    **dict.fromkeys(("address", "home_address", "reference", "external_ref"), 200),
    **dict.fromkeys(("make", "model", "serial", "city", "role"), 100),
    **dict.fromkeys(("phone", "state"), 40),
    "zip": 12,
    "email": 254,
    "billing_address": 500,
    **dict.fromkeys(("caption", "cancel_reason", "hold_reason", "void_reason"), 1000),
    **dict.fromkeys(("decline_reason", "retired_reason", "reason", "coverage_note"), 1000),
    "description": 4000,
    **dict.fromkeys(("notes", "note", "text", "memo", "access_notes", "work_performed"), 10_000),
}


def check_length(field: str, value: object, limit: int) -> None:
    """InvalidInput naming `field` when `value` is text longer than `limit` characters or
    holds a NUL character (PostgreSQL cannot store one; a SQLite shop could not move)."""
    if isinstance(value, str):
        if len(value) > limit:
            raise InvalidInput(
                f"{field}: {len(value):,} characters; at most {limit:,} are accepted"
            )
        if "\x00" in value:
            raise InvalidInput(f"{field}: holds a NUL (\\x00) character; remove it")


_BOUNDED: dict[type, tuple[tuple[str, str, int], ...]] = {}


def _bounded_columns(cls: type) -> tuple[tuple[str, str, int], ...]:
    found = _BOUNDED.get(cls)
    if found is None:
        table = getattr(cls, "__tablename__", cls.__name__.lower())
        columns = getattr(getattr(cls, "__table__", None), "columns", ())
        found = tuple(
            (c.key, f"{c.name} ({table})", TEXT_LIMITS[c.name])
            for c in columns
            if c.name in TEXT_LIMITS
        )
        _BOUNDED[cls] = found
    return found


def check_text_lengths(session: Session, _context: object = None, _instances: object = None):
    """Every new or changed row's typed text within TEXT_LIMITS (runs before each flush, so
    the CLI, the console, the web app and every file import share it)."""
    for obj in (*session.new, *session.dirty):
        values = vars(obj)
        for key, field, limit in _bounded_columns(type(obj)):
            check_length(field, values.get(key), limit)


def install_flush_check(session_class: type) -> None:
    """`check_text_lengths` before every flush of every session: svcdesk/services/__init__.py
    installs it when the first session is made (`db.when_sessions`)."""
    if not event.contains(session_class, "before_flush", check_text_lengths):
        event.listen(session_class, "before_flush", check_text_lengths)
