"""`KeyTable` skips DataTable's per-cell measuring by overriding a private Textual method
(`_update_dimensions`, reading `_row_label_column_width` and `_total_row_height`) and renders
plain cells itself (`_render_cell`). No public API does this, so pyproject pins the tested
Textual range; these tests fail first when a new Textual changes those internals: the
shortcuts must size and draw the table exactly as DataTable does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable

from svcdesk.tui.widgets.table import KeyTable

ROWS = [(f"k{n}", (f"SO-{n:06d}", "emergency" if n % 3 else "low", f"row {n}")) for n in range(40)]


class Tables(App):
    def compose(self) -> ComposeResult:
        yield KeyTable(id="ours")
        yield DataTable(id="theirs")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            for name, width in (("Order", 10), ("Priority", 9), ("Summary", 30)):
                table.add_column(name, width=width, key=name.lower())


async def test_fixed_width_rows_size_the_table_as_datatable_does():
    assert callable(getattr(DataTable, "_update_dimensions", None))
    app = Tables()
    async with app.run_test() as pilot:
        ours, theirs = app.query_one("#ours", KeyTable), app.query_one("#theirs", DataTable)
        ours.replace_rows(ROWS)
        for key, cells in ROWS:
            theirs.add_row(*cells, key=key)
        await pilot.pause()
        assert ours.virtual_size == theirs.virtual_size
        assert ours.row_count == theirs.row_count == 40


async def test_replacing_rows_with_the_same_keys_updates_only_changed_cells():
    app = Tables()
    async with app.run_test() as pilot:
        table = app.query_one("#ours", KeyTable)
        table.replace_rows(ROWS)
        table.move_cursor(row=5)
        await pilot.pause()
        changed = [(k, (c[0], "high", c[2]) if k == "k5" else c) for k, c in ROWS]
        table.replace_rows(changed)
        await pilot.pause()
        assert table.get_row("k5") == ["SO-000005", "high", "row 5"]
        assert table.get_row("k6") == list(ROWS[6][1])
        assert table.current_key == "k5"  # not cleared: the cursor stayed
        table.replace_rows(ROWS[::-1])  # other order: rebuilt, cursor follows its key
        await pilot.pause()
        assert table.current_key == "k5"
        assert table.ordered_rows[0].key.value == "k39"


# what board cells hold: names, times, words, clipped text, wide characters; and what must
# go through DataTable (markup, emoji codes, control characters, styled spans)
CHARS = st.sampled_from(list("ab Zé0:[]…漢字\t\n") + ["😀", "\x1b"])
PLAIN = st.text(CHARS, max_size=24)
CELLS = st.one_of(
    PLAIN,
    st.builds(Text, PLAIN, style=st.sampled_from(["", "bold red", "dim", "bold dark_orange"])),
    st.builds(lambda t: Text.assemble(("x", "bold"), t), PLAIN),
    st.builds(lambda t: Text(t, no_wrap=False), PLAIN),
    st.just(None),
    st.integers(),
)


async def test_plain_cells_are_drawn_as_datatable_draws_them():
    assert callable(getattr(DataTable, "_render_cell", None))
    app = Tables()
    async with app.run_test() as pilot:
        table = app.query_one("#ours", KeyTable)
        await pilot.pause()

        @settings(max_examples=400, deadline=None)
        @given(CELLS, st.integers(0, 30), st.booleans(), st.booleans(), st.integers(0, 2),
               st.sampled_from([Style(), Style(bgcolor="grey11"), Style(color="red")]))  # fmt: skip
        def same(cell, width, cursor, hover, padding, base):
            table.clear(columns=True)
            table.cell_padding = padding
            table.add_column("C", width=width, key="c")
            table.add_row(cell, key="r")
            table.add_row("other", key="s")
            render_width = table.ordered_columns[0].get_render_width(table)
            args = (0, 0, base, render_width, cursor, hover)
            ours = table._render_cell(*args)
            table._cell_render_cache.clear()
            theirs = DataTable._render_cell(table, *args)
            table._cell_render_cache.clear()
            assert len(ours) == len(theirs) == 1
            assert drawn(ours[0]) == drawn(theirs[0])

        same()


def drawn(line) -> list:
    """The characters and their styles (runs of one style merged; empty segments draw
    nothing)."""
    return [segment for segment in Strip(line).simplify() if segment.text]


async def test_the_table_draws_as_datatable_draws_it():
    """Whole lines (zebra rows, the cursor row, styled and clipped cells), before and
    after the contents change."""
    from textual.geometry import Region

    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        ours, theirs = app.query_one("#ours", KeyTable), app.query_one("#theirs", DataTable)
        theirs.cursor_type, theirs.zebra_stripes = "row", True  # as KeyTable
        styled = [(k, (c[0], Text(c[1], style="bold red"), c[2] * 4)) for k, c in ROWS]
        for rows in (ROWS, styled, ROWS[5:]):
            ours.replace_rows(rows)
            theirs.clear()
            for key, cells in rows:
                theirs.add_row(*cells, key=key)
            for table in (ours, theirs):
                table.move_cursor(row=3)
            assert ours.size == theirs.size
            region = Region(0, 0, ours.size.width, ours.size.height)
            for focus in (None, "both"):  # unfocused, then each focused in turn
                pictures = []
                for table in (ours, theirs):
                    app.set_focus(table if focus else None)
                    await pilot.pause()
                    pictures.append([drawn(line) for line in table.render_lines(region)])
                assert pictures[0] == pictures[1]


async def test_a_new_row_count_resizes_the_scroll_without_laying_out_the_screen():
    """Fewer or more rows than before: the virtual size, scroll range and scrollbar follow
    (as a layout would set them) without a layout pass of the whole screen. (A table of
    auto height, DataTable's default, is laid out: its size follows its rows.)"""

    class FixedTables(Tables):
        CSS = "DataTable { height: 1fr; }"  # as svcdesk.tcss

    app = FixedTables()
    async with app.run_test(size=(60, 20)) as pilot:
        app.query_one("#theirs", DataTable).display = False
        ours = app.query_one("#ours", KeyTable)
        for rows in (ROWS, ROWS[:35]):  # (its scrollbar's styles are applied once)
            ours.replace_rows(rows)
            await pilot.pause()
        layouts = []
        original = app.screen._refresh_layout

        def counting(*args, **kwargs):
            layouts.append(1)
            return original(*args, **kwargs)

        app.screen._refresh_layout = counting
        for rows in (ROWS[:30], ROWS, ROWS[5:]):
            ours.replace_rows(rows)
            await pilot.pause()
            assert layouts == []
            assert ours.show_vertical_scrollbar
            assert (
                ours.max_scroll_y
                == ours.virtual_size.height - ours.scrollable_content_region.height
            )
            ours.scroll_end(animate=False)
            await pilot.pause()
            assert ours.scroll_y == ours.max_scroll_y
            assert ours.virtual_size.height == len(rows) + 1  # and the header
        ours.replace_rows(ROWS[:2])  # fits: the scrollbar goes (that does lay out)
        await pilot.pause()
        assert not ours.show_vertical_scrollbar and ours.scroll_y == 0
