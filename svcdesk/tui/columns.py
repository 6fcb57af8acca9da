"""Building a screen's KeyTable from (label, width) columns, keyed by the lower-cased label."""

from __future__ import annotations

from svcdesk.tui.widgets.table import KeyTable


def key_table(table_id: str, *columns: tuple[str, int]) -> KeyTable:
    table = KeyTable(id=table_id)
    for label, width in columns:
        table.add_column(label, width=width, key=label.lower())
    return table
