"""Keys used to match an incoming caller to an existing customer and site."""

from __future__ import annotations

import re
from itertools import repeat

_STREET_WORDS = {
    "street": "st",
    "st.": "st",
    "avenue": "ave",
    "av": "ave",
    "ave.": "ave",
    "road": "rd",
    "rd.": "rd",
    "drive": "dr",
    "dr.": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "circle": "cir",
    "terrace": "ter",
    "trail": "trl",
    "suite": "ste",
    "apartment": "apt",
    "#": "apt",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "n.": "n",
    "s.": "s",
    "e.": "e",
    "w.": "w",
}


_NOT_DIGIT = re.compile(r"\D")


def phone_key(phone: str | None) -> str | None:
    """Last 10 digits of a phone number, or None when it has fewer than 7 digits."""
    if not phone:
        return None
    digits = _NOT_DIGIT.sub("", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits[-10:] if len(digits) >= 7 else None


def email_key(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.strip().lower()


def address_key(address: str, zip_code: str = "", city: str = "") -> str:
    """Lower-case, punctuation-free, common street words abbreviated, plus ZIP (or city)."""
    words = address.lower().replace(",", " ").replace("#", " # ").split()
    # each word abbreviated, its trailing dots dropped, empty words skipped: C-level steps
    # (batch intake computes one key per row)
    short = map(str.rstrip, map(_STREET_WORDS.get, words, words), repeat("."))
    street = " ".join(filter(None, short))
    place = (zip_code or "").strip()[:5] or city.strip().lower()
    return f"{street}|{place}"
