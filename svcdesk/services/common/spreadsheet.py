"""Text cells a spreadsheet would run as a formula (CSV injection), for every CSV the shop
writes: exports, reports and the price book."""

from __future__ import annotations

# A spreadsheet treats a cell starting with one of these as a formula (or as the start of
# one: tab and CR can hide a leading '=' from a naive check). OWASP: prefix with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value
