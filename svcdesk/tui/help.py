"""`?`: every key binding of the screen underneath (with its id, for the keymap file),
plus the console-wide screens."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from svcdesk.tui import registry
from svcdesk.tui.keymap import KeyedBindings

GENERIC_ACTIONS = {"app.focus_next", "app.focus_previous", "screen.copy_text"}


@dataclass(frozen=True)
class ActiveKey:
    keys: str  # as displayed
    description: str
    binding: Binding
    node: DOMNode  # where the action runs
    where: str  # "screen", "widget" or "app"


def active_keys(screen: Screen) -> list[ActiveKey]:
    """Every binding active on `screen`: the screen's own first, then the focused
    widget's (table, field), then the app's; generic focus moves last."""
    rank = {"screen": 0, "widget": 1, "app": 2}
    found: list[tuple[int, ActiveKey]] = []
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
        found.append(
            (3 if generic else rank[where], ActiveKey(display, desc, binding, active.node, where))
        )
    found.sort(key=lambda item: item[0])
    return [key for _, key in found]


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every binding active on `screen` (see `active_keys`)."""
    return [(k.keys, k.description) for k in active_keys(screen)]


class HelpScreen(KeyedBindings, ModalScreen):
    BINDINGS = [
        ("escape", "app.pop_screen", "Close"),
        ("question_mark", "app.pop_screen", "Close"),
        ("q", "app.pop_screen", "Close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        app = self.under.app
        text = Text()
        title = getattr(self.under, "help_title", None) or type(self.under).__name__
        text.append(f"{title}\n\n", style="bold")
        for key in active_keys(self.under):
            text.append(f"{key.keys:>14}  ", style="bold")
            text.append(key.description)
            if key.binding.id:
                text.append(f"  {key.binding.id}", style="dim")
            text.append("\n")
        text.append("\nScreens and commands\n\n", style="bold")
        for entry in registry.screens():
            keys = app.key_for(registry.screen_binding_id(entry.name), entry.key)
            text.append(f"{keys:>14}  ", style="bold")
            text.append(f"{entry.title}" + (f" — {entry.help}" if entry.help else "") + "\n")
        for cmd in registry.commands():
            keys = app.key_for(registry.command_binding_id(cmd.name), cmd.key or "ctrl+p")
            text.append(f"{keys:>14}  ", style="bold")
            text.append(f"{cmd.title}" + (f" — {cmd.help}" if cmd.help else "") + "\n")
        text.append(f"{'ctrl+p':>14}  ", style="bold")
        text.append("Command palette: find any order, customer, technician or command\n")
        text.append(
            "\nKeys can be changed in ~/.config/svcdesk/keymap.toml: "
            '"<id>" = "<keys>" (ids shown dim above; docs/console.md)\n',
            style="dim",
        )
        with VerticalScroll(id="help-box"):
            yield Static(text, id="help-text")
