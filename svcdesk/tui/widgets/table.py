"""A DataTable with vim keys whose contents can be replaced without losing the cursor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


class KeyTable(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("home", "scroll_top", "Top", show=False),
        Binding("end", "scroll_bottom", "Bottom", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(*args, **kwargs)

    @property
    def current_key(self) -> str | None:
        """Row key under the cursor (None when empty)."""
        if not self.row_count:
            return None
        try:
            key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return key.value

    def add_rows_keyed(self, rows: Iterable[tuple[str, Sequence]]) -> None:
        """Append rows (key, cells) at the end; the cursor and scroll stay where they are."""
        for key, cells in rows:
            self.add_row(*cells, key=key)

    def replace_rows(self, rows: Iterable[tuple[str, Sequence]]) -> None:
        """Swap in new rows; the cursor stays on the same key (or the same index)."""
        old_key, old_index = self.current_key, self.cursor_row
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if not self.row_count:
            return
        target = min(old_index, self.row_count - 1)
        if old_key is not None:
            try:
                target = self.get_row_index(old_key)
            except RowDoesNotExist:
                pass
        self.move_cursor(row=target, animate=False, scroll=True)
