"""`KeyTable` skips DataTable's per-cell measuring by overriding a private Textual method
(`_update_dimensions`, reading `_row_label_column_width` and `_total_row_height`). No public
API does this, so pyproject pins the tested Textual range; these tests fail first when a new
Textual changes those internals: the shortcut must size the table exactly as DataTable does."""

from __future__ import annotations

from textual.app import App, ComposeResult
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
