"""A yes/no question before anything that cannot be taken back with one key (sending an
invoice, invoicing every ready order, posting stock moves, leaving unsaved input).
Dismisses with True (`y`/`enter` on Yes) or False (`n`/`escape`); the question names the
count ("Send 3 invoices?") so the user sees what a yes does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from svcdesk.tui.keymap import KeyedBindings


class ConfirmModal(KeyedBindings, ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmModal .dialog { width: auto; min-width: 40; max-width: 80; }
    ConfirmModal #confirm-buttons { height: auto; margin-top: 1; }
    ConfirmModal Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes") -> None:
        super().__init__()
        self.question, self.detail, self.yes = question, detail, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="title", id="confirm-question")
            if self.detail:
                yield Static(self.detail, id="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="primary")
                yield Button("No (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def plural(count: int, word: str) -> str:
    """ "1 transfer", "3 transfers"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def confirm(app, question: str, then, detail: str = "", yes: str = "Yes") -> None:
    """Ask `question`; run `then()` only on yes."""

    def answered(ok: bool | None) -> None:
        if ok:
            then()

    app.push_screen(ConfirmModal(question, detail, yes), answered)
