"""A small form dialog: labelled one-line fields, saved by one service call in a worker.

`FormModal(title, fields, make_fn)`: `fields` are (id, label, value, placeholder);
`make_fn(values)` returns the `fn(session)` to run in one write transaction (the rules and
their one-line messages stay in the services). `enter` in the last field or `ctrl+s`
saves; a refusal shows under the form and keeps what was typed; `escape` cancels."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from svcdesk.tui.base import DataModal

Field = tuple[str, str, str, str]  # (id, label, value, placeholder)


class FormModal(DataModal):
    DEFAULT_CSS = """
    FormModal .form-row { height: auto; }
    FormModal .form-row Label { width: 14; padding: 0 1 0 0; }
    FormModal .form-row Input { width: 1fr; }
    """
    BINDINGS = [Binding("ctrl+s", "save", "Save")]

    def __init__(
        self,
        title: str,
        fields: list[Field],
        make_fn: Callable[[dict[str, str]], Callable],
        hint: str = "enter in the last field or ctrl+s saves · escape cancels",
    ) -> None:
        super().__init__()
        self.title_text, self.fields, self.make_fn, self.hint = title, fields, make_fn, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            for fid, label, value, placeholder in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(label)
                    yield Input(value, placeholder=placeholder, id=f"f-{fid}", compact=True)
            yield Static(id="error", classes="field-error")
            yield Static(self.hint, classes="hint")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#f-{self.fields[0][0]}", Input).focus()

    def values(self) -> dict[str, str]:
        return {fid: self.query_one(f"#f-{fid}", Input).value for fid, *_ in self.fields}

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ids = [f"f-{fid}" for fid, *_ in self.fields]
        if event.input.id == ids[-1]:
            self.action_save()
        else:
            self.query_one(f"#{ids[ids.index(event.input.id) + 1]}", Input).focus()

    def action_save(self) -> None:
        self.query_one("#error", Static).update("")
        self.submit(self.make_fn(self.values()))
