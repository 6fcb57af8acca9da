"""`?`: every key binding of the screen underneath, plus the console-wide screens."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from svcdesk.tui import registry

GENERIC_ACTIONS = {"app.focus_next", "app.focus_previous", "screen.copy_text"}


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every binding active on `screen`: the screen's own first,
    then the focused widget's (table, field), then the app's."""
    rank = {"screen": 0, "widget": 1, "app": 2}
    found: list[tuple[int, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        desc = binding.description or binding.action.replace("_", " ")
        display = screen.app.get_key_display(binding) or key
        if (display, desc) in seen:
            continue
        seen.add((display, desc))
        where = (
            "screen" if active.node is screen else "app" if active.node is screen.app else "widget"
        )
        generic = binding.action in GENERIC_ACTIONS
        found.append((3 if generic else rank[where], display, desc))
    found.sort(key=lambda item: item[0])
    return [(display, desc) for _, display, desc in found]


class HelpScreen(ModalScreen):
    BINDINGS = [
        ("escape", "app.pop_screen", "Close"),
        ("question_mark", "app.pop_screen", "Close"),
        ("q", "app.pop_screen", "Close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        text = Text()
        title = getattr(self.under, "help_title", None) or type(self.under).__name__
        text.append(f"{title}\n\n", style="bold")
        for keys, desc in binding_rows(self.under):
            text.append(f"{keys:>14}  ", style="bold")
            text.append(f"{desc}\n")
        text.append("\nScreens and commands\n\n", style="bold")
        for entry in registry.screens():
            text.append(f"{entry.key:>14}  ", style="bold")
            text.append(f"{entry.title}" + (f" — {entry.help}" if entry.help else "") + "\n")
        for cmd in registry.commands():
            text.append(f"{cmd.key or 'ctrl+p':>14}  ", style="bold")
            text.append(f"{cmd.title}" + (f" — {cmd.help}" if cmd.help else "") + "\n")
        text.append(f"{'ctrl+p':>14}  ", style="bold")
        text.append("Command palette: find any order, customer, technician or command\n")
        with VerticalScroll(id="help-box"):
            yield Static(text, id="help-text")
