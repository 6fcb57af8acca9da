"""Table columns: a KeyTable from (label, width) columns, and columns chosen by priority
for the terminal's width (`fit`): the narrowest terminal (100 columns) keeps what a
dispatcher needs, a wider one shows more columns and gives the spare width to the ones
that read better wider (customer, summary), so no column is cut and no space is left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from svcdesk.tui.widgets.table import KeyTable

PADDING = 2  # DataTable's cell padding: one cell each side
SCROLLBAR = 2  # the vertical scrollbar a long list shows


def key_table(table_id: str, *columns: tuple[str, int]) -> KeyTable:
    table = KeyTable(id=table_id)
    for label, width in columns:
        table.add_column(label, width=width, key=label.lower())
    return table


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # the narrowest it is shown at
    rank: int  # lower ranks are kept first when the width is short
    grow: int = 0  # its share of the spare width
    most: int = 0  # the widest it grows to (0: it does not grow)

    @property
    def key(self) -> str:
        return self.label.lower()


def fit(columns: Sequence[Column], width: int) -> list[tuple[Column, int]]:
    """The columns a table `width` cells wide shows, in display order, with their widths:
    by rank while they fit (the first always), then the spare width shared among the
    growing ones by their `grow` (up to `most`)."""
    room = width - SCROLLBAR
    chosen: dict[str, int] = {}
    used = 0
    for column in sorted(columns, key=lambda c: c.rank):
        need = column.width + PADDING
        if used + need <= room or not chosen:
            chosen[column.key] = column.width
            used += need
    spare = room - used
    while spare > 0:
        growing = [c for c in columns if c.key in chosen and chosen[c.key] < c.most and c.grow]
        if not growing:
            break
        shares = sum(c.grow for c in growing)
        given = 0
        for column in growing:
            add = min(max(1, spare * column.grow // shares), column.most - chosen[column.key])
            add = min(add, spare - given)
            chosen[column.key] += add
            given += add
        if not given:
            break
        spare -= given
    return [(c, chosen[c.key]) for c in columns if c.key in chosen]
