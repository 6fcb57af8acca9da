"""docs/exports.md lists each export kind's columns exactly as the code writes them."""

from __future__ import annotations

import re
from pathlib import Path

from svcdesk.services.reporting import exports

DOC = Path(__file__).parents[3] / "docs" / "exports.md"
OURS = ("orders", "visits", "customers", "invoices", "payments", "timecards", "parts-usage")


def test_columns_in_docs_match_the_code():
    text = DOC.read_text(encoding="utf-8")
    for name in OURS:
        section = text.split(f"### `{name}`", 1)[1].split("###", 1)[0]
        listed = re.findall(r"`([^`]+)`", section.split("Columns:", 1)[1].split("\n\n", 1)[0])
        assert listed == [c.key for c in exports.get_kind(name).build().selected_columns], name
