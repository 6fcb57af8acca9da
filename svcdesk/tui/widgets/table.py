"""A DataTable with vim keys whose contents can be replaced without losing the cursor."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
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
        # the styles plain cells are drawn in, by place (`_plain_styles`), kept across
        # changes of the table's contents; the rows' zebra styles; both dropped when the
        # table's styles change (`notify_style_update`)
        self._cell_styles: dict[tuple, tuple[Style, Style]] = {}
        self._row_styles: dict[tuple, Style] = {}

    def notify_style_update(self) -> None:
        self._row_styles.clear()
        self._cell_styles.clear()
        super().notify_style_update()

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        """DataTable works out the zebra style (a walk of the ancestors' backgrounds) for
        every line it draws; it only changes with the table's styles and focus state."""
        if row_index < max(self.fixed_rows, 0) or not self.zebra_stripes:
            return super()._get_row_style(row_index, base_style)
        key = (row_index % 2, self._pseudo_class_state)
        style = self._row_styles.get(key)
        if style is None:
            style = self._row_styles[key] = super()._get_row_style(row_index, base_style)
        return style

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
        self._set_virtual_size(
            Size(width + self._row_label_column_width, self._total_row_height + header)
        )

    def _set_virtual_size(self, size: Size) -> None:
        """`virtual_size` asks for a layout of the whole screen when it changes (~60 ms
        CPU on the board: a filter key that changes how many rows match). A table whose
        own size doesn't depend on its rows (no auto height or width) only needs its
        scrollbars and scroll position updated (`_scroll_update`, what the layout would
        do for it); showing or hiding a scrollbar still lays the screen out (those are
        layout reactives). Private Textual method: see `_update_dimensions`."""
        height, width = self.styles.height, self.styles.width
        fixed = height is not None and not height.is_auto and not (width and width.is_auto)
        if size == self.virtual_size or not fixed or not self.is_mounted:
            self.virtual_size = size
            return
        self.set_reactive(KeyTable.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list, list]:
        """DataTable's, for a body row with a row cursor and no labels or fixed columns:
        the same cells and filler, without working out the header's and the background's
        styles (walks of the ancestors' styles) for every line drawn, and with plain cells
        (`_plain_cell`) drawn here directly: a padded, cropped run of characters in the
        styles of their place (`_plain_styles`, kept across changes of the contents), not
        through Rich (markup parsing, Padding, Styled, line splitting: ~0.1 ms a cell,
        redrawn for every visible cell whenever the table changed). Private Textual
        method and caches: see `_render_cell`; the same test compares whole tables."""
        row_index = self._row_locations.get(row_key)
        if (
            row_index is None
            or self.cursor_type != "row"
            or self.fixed_columns
            or self.fixed_rows
            or (self._labelled_row_exists and self.show_row_labels)
        ):
            return super()._render_line_in_row(
                row_key, line_no, base_style, cursor_location, hover_location
            )
        cache_key = (row_key, line_no, base_style, cursor_location, hover_location,
                     self.cursor_type, self.show_cursor, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)  # fmt: skip
        cached = self._row_render_cache.get(cache_key)
        if cached is not None:
            return cached
        row_style = self._get_row_style(row_index, base_style)
        cursor, hover = cursor_location.row == row_index, hover_location.row == row_index
        row = self.rows.get(row_key)
        one_line = row is not None and row.height == 1
        data = self._data.get(row_key, {})
        pad = self.cell_padding
        cells: list = []
        table_width = self._row_label_column_width
        for column_index, column in enumerate(self.ordered_columns):
            width = column.get_render_width(self)
            table_width += width
            plain, text_style = _plain_cell(data.get(column.key))
            if plain is None or not one_line or width < 2 * pad:
                cells.append(
                    self._render_cell(row_index, column_index, row_style, width, cursor, hover)[
                        line_no
                    ]
                )
                continue
            around, body = self._plain_styles(
                row_index, column_index, row_style, cursor, hover, text_style
            )
            cells.append(_draw_plain(plain, around, body, width - 2 * pad, pad))
        extend_style, _ = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            False, False,
        )  # fmt: skip
        extend_style = row_style + extend_style
        extend_style += Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        cells.append([Segment(" " * max(0, self.size.width - table_width), extend_style)])
        pair: tuple[list, list] = ([], cells)
        self._row_render_cache[cache_key] = pair
        return pair

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """DataTable renders every cell through Rich (markup parsing, Padding, Styled,
        line splitting: ~0.1 ms a cell). A one-line cell holding plain text (a str
        without markup, or a Text with one style) is a padded, cropped run of characters:
        built here directly, with the same characters in the same styles
        (tests/tui/test_table_internals.py compares both over generated cells); anything
        else goes through DataTable.

        Overrides a private method and reads `_row_locations`, `_column_locations`,
        `_data`, `_cell_render_cache`, `_update_count` and `_pseudo_class_state`: pyproject
        pins the tested Textual range and the same test fails if they change."""
        if row_index < 0 or column_index < 0 or row_index < self.fixed_rows:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)  # fmt: skip
        lines = self._cell_render_cache.get(cache_key)
        if lines is not None:
            return lines
        row = self.rows.get(row_key) if row_key is not None else None
        plain, text_style = _plain_cell(self._data.get(row_key, {}).get(column_key))
        pad = self.cell_padding
        inner = width - 2 * pad
        if (
            row is None
            or row.height != 1
            or plain is None
            or inner < 0
            or column_index < self.fixed_columns
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        around, body = self._plain_styles(
            row_index, column_index, base_style, cursor, hover, text_style
        )
        lines = [_draw_plain(plain, around, body, inner, pad)]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _plain_styles(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        cursor: bool,
        hover: bool,
        text_style: str | Style | None,
    ) -> tuple[Style, Style]:
        """(padding style, text style) of a plain cell at this place: what DataTable
        combines for each cell it draws (the row's style, the cell's place as mouse meta,
        the cursor's and hover's component styles, the text's own style). Kept until the
        table's styles change (`notify_style_update`)."""
        key = (row_index, column_index, base_style, cursor, hover, text_style,
               self.show_cursor, self._show_hover_cursor, self._pseudo_class_state,
               self.cursor_foreground_priority, self.cursor_background_priority)  # fmt: skip
        styles = self._cell_styles.get(key)
        if styles is not None:
            return styles
        component, post = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )  # fmt: skip
        pre = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre += component
        around = pre + post if post else pre
        if text_style is not None:
            body = pre + self.app.console.get_style(text_style)
            body = body + post if post else body
        else:
            body = around
        if len(self._cell_styles) > 20_000:
            self._cell_styles.clear()
        styles = self._cell_styles[key] = (around, body)
        return styles

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


def _draw_plain(plain: str, around: Style, body: Style, inner: int, pad: int) -> list[Segment]:
    """One line of a plain cell: `plain` padded by `pad` each side and cropped to or
    filled up to `inner` characters (terminal cells)."""
    size = cell_len(plain)
    if size > inner:
        plain, size = set_cell_size(plain, inner), inner
    line = [Segment(" " * pad, around), Segment(plain, body),
            Segment(" " * (inner - size + pad), around)]  # fmt: skip
    return [segment for segment in line if segment.text]


def same_cell(a, b) -> bool:
    """Equal cell contents (rich's Text compares text and spans, not the style)."""
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    return type(a) is type(b) and a == b


def _plain_cell(value) -> tuple[str | None, str | Style | None]:
    """(text, style) of a cell that renders as plain characters in one style: a str
    without markup or emoji codes, a Text without spans or its own justify/overflow
    (`(None, None)` for anything else: DataTable renders it)."""
    if value is None:
        return "", None
    if isinstance(value, str):
        if "[" in value or value.count(":") > 1 or not value.isprintable():
            return None, None
        return value, None
    if isinstance(value, Text) and type(value) is Text:
        plain = value.plain
        if value.spans or value.justify or value.overflow or value.no_wrap is False:
            return None, None
        if not plain.isprintable():
            return None, None
        return plain, (value.style or None)
    return None, None
