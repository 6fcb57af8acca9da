"""A Footer that is rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.widgets import Footer


class SteadyFooter(Footer):
    """Textual's Footer removes and mounts all its key widgets (CSS applied to each) on
    every focus change and every screen switch, even when the same keys come back: a
    third of a board <-> grid switch's CPU. This one keeps its widgets when the keys it
    would show (key, label, enabled, tooltip, group) are the ones already shown."""

    _shown: tuple | None = None

    def bindings_changed(self, screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = shown_keys(self, screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)


def shown_keys(footer: Footer, screen) -> tuple:
    """What `Footer.compose` draws from the screen's active bindings."""
    app = screen.app
    return tuple(
        (b.key, app.get_key_display(b), b.description, b.action, enabled, tooltip, b.group)
        for key, (_node, b, enabled, tooltip) in screen.active_bindings.items()
        if b.show or key == app.COMMAND_PALETTE_BINDING
    ) + (footer.show_command_palette, footer.compact)
