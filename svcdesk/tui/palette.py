"""Command palette (`ctrl+p`): find orders, customers and technicians by any text and jump
to them; the actions of the screen in view (its keys, "board: Assign (a)") and every
registered screen and command are listed too ("area: verb" titles)."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from svcdesk.db import read_session
from svcdesk.services.common.normalize import display_phone
from svcdesk.services.common.words import status_words
from svcdesk.services.crm import customers as customer_svc
from svcdesk.services.crm import technicians as tech_svc
from svcdesk.services.orders import queries
from svcdesk.tui import registry
from svcdesk.tui.help import GENERIC_ACTIONS, active_keys


def find_everything(engine, text: str, limit: int = 8) -> list[tuple[str, str, str, int]]:
    """(kind, label, help, id) for orders, customers and technicians matching `text`."""
    out: list[tuple[str, str, str, int]] = []
    with read_session(engine) as s:
        for row in queries.list_orders(s, text=text, open_only=False, limit=limit):
            out.append(
                (
                    "order",
                    f"order: {row.number} {row.customer}",
                    f"{status_words(row.status)} · {row.summary}",
                    row.id,
                )
            )
        for c in customer_svc.search_customers(s, text, limit=limit):
            out.append(
                (
                    "customer",
                    f"customer: {c.name}",
                    display_phone(c.phone, c.phone_ext) or c.email or "",
                    c.id,
                )
            )
        for t in tech_svc.search_technicians(s, text, limit=limit):
            out.append(("technician", f"technician: {t.name}", t.phone or "", t.id))
    return out


class SvcDeskCommands(Provider):
    def _static(self) -> list[tuple[str, object, str]]:
        app = self.app
        items: list[tuple[str, object, str]] = self._screen_actions()
        for entry in registry.screens():
            items.append(
                (
                    f"go: {entry.title}",
                    partial(app.action_goto, entry.name),
                    entry.help or entry.key,
                )
            )
        for cmd in registry.commands():
            items.append((f"do: {cmd.title}", partial(cmd.run, app), cmd.help))
        return items

    def _screen_actions(self) -> list[tuple[str, object, str]]:
        """The screen in view's own keys (not the app's: those are the "go:"/"do:" items)."""
        screen = self.screen
        title = getattr(screen, "help_title", None) or type(screen).__name__
        items: list[tuple[str, object, str]] = []
        for key in active_keys(screen):
            if key.where == "app" or key.binding.action in GENERIC_ACTIONS:
                continue
            run = partial(screen.app.run_action, key.binding.action, key.node)
            items.append((f"{title}: {key.description}", run, f"key {key.keys}"))
        return items

    async def discover(self) -> Hits:
        for title, run, help_text in self._static():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._static():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
        if len(query.strip()) < 2:
            return
        found = await asyncio.to_thread(find_everything, self.app.engine, query.strip())
        for kind, label, help_text, item_id in found:
            if kind == "order":
                run = partial(self.app.open_order, label.split()[1])
            else:
                name = label.split(": ", 1)[1]
                run = partial(self.app.open_item, kind, item_id, name)
            yield Hit(max(matcher.match(label), 0.5), matcher.highlight(label), run, help=help_text)
