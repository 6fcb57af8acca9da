"""Binding ids and the user's keymap file.

Every key binding of the console has an id ("board.assign", "screen.schedule",
"app.help"): `with_ids` gives a class's `BINDINGS` ids made from the screen's name and
the action, so the ids stay the same as long as the action does. A user keymap file
(`$XDG_CONFIG_HOME/svcdesk/keymap.toml`, else `~/.config/svcdesk/keymap.toml`) maps ids to
keys and is applied with Textual's `App.set_keymap`::

    "board.assign" = "ctrl+a"
    "screen.agreements" = "M,f9"

`?` help lists every binding with its id."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from textual.binding import Binding

from svcdesk.errors import InvalidInput

KEYMAP_ENV = "SVCDESK_KEYMAP"  # a keymap file elsewhere (tests, shared shop setups)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def binding_prefix(cls: type) -> str:
    """`BoardScreen` -> "board", `AssignModal` -> "assign-modal" (or `keymap_name`)."""
    name = cls.__dict__.get("keymap_name") or cls.__name__.removesuffix("Screen")
    return slug(re.sub(r"(?<!^)(?=[A-Z])", "-", name))


def with_ids(prefix: str, bindings: Iterable) -> list[Binding]:
    """`bindings` (Binding or tuples) as Bindings that all have an id."""
    out = []
    for b in bindings:
        binding = b if isinstance(b, Binding) else Binding(*b)
        if binding.id is None:
            action = binding.action.removeprefix("app.").removeprefix("screen.")
            binding = replace(binding, id=f"{prefix}.{slug(action)}")
        out.append(binding)
    return out


class KeyedBindings:
    """Mixin for screens and dialogs: the class's own `BINDINGS` get ids (before Textual
    merges them, which it does as the class is created)."""

    def __init_subclass__(cls, **kwargs) -> None:
        if "BINDINGS" in cls.__dict__:
            cls.BINDINGS = with_ids(binding_prefix(cls), cls.__dict__["BINDINGS"])
        super().__init_subclass__(**kwargs)


def keymap_path() -> Path:
    if os.environ.get(KEYMAP_ENV):
        return Path(os.environ[KEYMAP_ENV])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "svcdesk" / "keymap.toml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The user's keymap (binding id -> keys); {} without a file. A file that is not a
    table of "id" = "keys" strings is refused with one line naming the file and entry."""
    path = path or keymap_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path}: not a keymap file ({exc})") from None
    keymap: dict[str, str] = {}
    for binding_id, keys in data.items():
        if not isinstance(keys, str) or not keys.strip():
            raise InvalidInput(
                f'{path}: {binding_id}: expected keys as text, e.g. "{binding_id}" = "ctrl+a"'
            )
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    return keymap


def known_ids(root: type = KeyedBindings) -> set[str]:
    """Every binding id of the classes built on `root` (imported so far)."""
    ids: set[str] = set()
    todo = [root]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        for b in cls.__dict__.get("BINDINGS", []):
            if isinstance(b, Binding) and b.id:
                ids.add(b.id)
    return ids
