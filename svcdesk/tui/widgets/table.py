"""A DataTable with vim keys whose contents can be replaced without losing the cursor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist, RowKey

from svcdesk.tui.keymap import KeyedBindings


class KeyTable(KeyedBindings, DataTable):
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

    def _update_dimensions(self, new_rows: Iterable) -> None:
        """DataTable measures every cell of every new row to size auto-width columns and
        auto-height rows (10 `measure` calls per row: most of what swapping in 500 board
        rows cost). With fixed widths, one-line rows and no labels nothing depends on the
        measures, so only the virtual size is set (what the full method ends with).

        Textual has no public hook for this: it overrides a private method and reads
        `_row_label_column_width`/`_total_row_height`, so pyproject pins the tested Textual
        range and tests/tui/test_table_internals.py fails if Textual changes them."""
        if any(c.auto_width for c in self.columns.values()) or any(
            (row := self.rows.get(key)) is not None and (row.auto_height or row.label)
            for key in new_rows
        ):
            super()._update_dimensions(new_rows)
            return
        width = sum(c.get_render_width(self) for c in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            width + self._row_label_column_width, self._total_row_height + header
        )

    def set_columns(
        self, columns: Sequence[tuple[str, str, int]], rows: Iterable[tuple[str, Sequence]]
    ) -> None:
        """(key, label, width) columns; when they differ from the shown ones the table is
        rebuilt with `rows` (cells for the new columns), the cursor on the same key."""
        shown = [(c.key.value, c.label.plain, c.width) for c in self.ordered_columns]
        if shown == list(columns):
            return
        old_key, old_index = self.current_key, self.cursor_row
        self.clear(columns=True)
        for key, label, width in columns:
            self.add_column(label, width=width, key=key)
        self.add_rows_keyed(rows)
        self._restore_cursor(old_key, old_index)

    def add_rows_keyed(self, rows: Iterable[tuple[str, Sequence]]) -> None:
        """Append rows (key, cells) at the end; the cursor and scroll stay where they are."""
        for key, cells in rows:
            self.add_row(*cells, key=key)

    def replace_rows(self, rows: Iterable[tuple[str, Sequence]]) -> None:
        """Swap in new rows; the cursor stays on the same key (or the same index).

        When the keys are the same, in the same order (a refresh, a filter key that didn't
        change the result), only the cells that changed are updated: the table isn't
        cleared, so nothing is re-measured and, if nothing changed, nothing is redrawn."""
        rows = [(key, cells) for key, cells in rows]
        if self._same_keys(rows):
            columns = [c.key for c in self.ordered_columns]
            for key, cells in rows:
                old = self.get_row(key)
                for column, was, value in zip(columns, old, cells, strict=False):
                    if not same_cell(was, value):
                        self.update_cell(key, column, value)
            return
        old_key, old_index = self.current_key, self.cursor_row
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        self._restore_cursor(old_key, old_index)

    def _restore_cursor(self, old_key: str | None, old_index: int) -> None:
        if not self.row_count:
            return
        target = min(old_index, self.row_count - 1)
        if old_key is not None:
            try:
                target = self.get_row_index(old_key)
            except RowDoesNotExist:
                pass
        self.move_cursor(row=target, animate=False, scroll=True)

    def _same_keys(self, rows: list[tuple[str, Sequence]]) -> bool:
        if len(rows) != self.row_count or not rows:
            return False
        return all(
            row.key == RowKey(key) for row, (key, _) in zip(self.ordered_rows, rows, strict=True)
        )


def same_cell(a, b) -> bool:
    """Equal cell contents (rich's Text compares text and spans, not the style)."""
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    return type(a) is type(b) and a == b
