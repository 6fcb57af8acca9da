"""Shell completion of values: order numbers, technician names and order statuses.

Typer's completion (bash, zsh, fish: `svcdesk --install-completion`) runs the program with
`_SVCDESK_COMPLETE` set. Commands, sub-commands and options complete from the command tree
(the root from svcdesk/cli/index.py, without importing command modules); values of the
parameters named below complete from the database through svcdesk/lookup.py (stdlib
sqlite3, no models). The completers are attached when a group is built for completion
(main._build), by parameter name, so every command that takes an order number gets them
without each module declaring it."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any

from typer.core import CompletionItem

COMPLETE_VAR = "_SVCDESK_COMPLETE"

# Groups whose `number` argument is a work order's (invoices, quotes and agreements have
# their own numbers and are not completed).
ORDER_NUMBER_GROUPS = frozenset(
    {
        "orders",
        "attach",
        "audit",
        "checklist",
        "dispatch",
        "followups",
        "recalls",
        "stock",
        "visits",
    }
)


def completing() -> bool:
    return COMPLETE_VAR in os.environ


def _shell_value(value: str) -> str:
    # bash inserts the word as given: a name with a space must arrive escaped
    if os.environ.get(COMPLETE_VAR, "").endswith("bash"):
        return value.replace(" ", "\\ ")
    return value


def _db(ctx: Any) -> str | None:
    root = ctx.find_root()
    return root.params.get("db") if root.params else None


def _orders(ctx: Any, incomplete: str) -> list[CompletionItem]:
    from svcdesk import lookup

    return [CompletionItem(n, help=s) for n, s in lookup.order_numbers(_db(ctx), incomplete)]


def _techs(ctx: Any, incomplete: str) -> list[CompletionItem]:
    from svcdesk import lookup

    text = incomplete.replace("\\ ", " ")
    return [CompletionItem(_shell_value(n)) for n in lookup.technician_names(_db(ctx), text)]


def _statuses(ctx: Any, incomplete: str) -> list[CompletionItem]:
    from svcdesk import lookup

    return [CompletionItem(k, help=words) for k, words in lookup.order_statuses(incomplete)]


def _completer(group: str, param_name: str | None) -> Callable[[Any, str], list] | None:
    if param_name == "tech":
        return _techs
    if param_name == "order" or (param_name == "number" and group in ORDER_NUMBER_GROUPS):
        return _orders
    if param_name == "status" and group == "orders":
        return _statuses
    return None


def attach_completers(group: str, command: Any) -> None:
    """Give the parameters of `command` (and its sub-commands) their value completion."""
    for param in command.params:
        complete = _completer(group, param.name)
        if complete is not None:
            param.shell_complete = complete
    for sub in getattr(command, "commands", {}).values():
        attach_completers(group, sub)


# --- The fast path: the command tree from a cache, no command module imported ----------
#
# Completing inside a group needs that group's parameters, and building them imports the
# group's module (services, SQLAlchemy, every model: ~1 s). So the whole tree (names,
# options, arguments, which values complete from the database) is kept in a cache file
# in the app folder, rebuilt when any command module or Typer changes (a stat of each
# module file; the first Tab press after an upgrade pays the full build once).

TREE_FILE = "completion-tree.json"
KINDS: dict[str, Callable[[Any, str], list]] = {
    "orders": _orders,
    "techs": _techs,
    "statuses": _statuses,
}


def _kind_of(group: str, param_name: str | None) -> str | None:
    complete = _completer(group, param_name)
    return next((k for k, f in KINDS.items() if f is complete), None)


def _node(group: str, command: Any) -> dict[str, Any]:
    params = []
    for p in command.params:
        if getattr(p, "hidden", False):
            continue
        desc = getattr(p, "type_descriptor", None)
        choices = getattr(desc, "choices", None) if getattr(desc, "is_choice", False) else None
        params.append(
            {
                "name": p.name,
                "opts": [*p.opts, *p.secondary_opts],
                "argument": p.param_type_name == "argument",
                "flag": bool(getattr(p, "is_flag", False)) or bool(getattr(p, "count", False)),
                "nargs": p.nargs,
                "kind": _kind_of(group, p.name),
                "choices": [str(getattr(c, "value", c)) for c in choices] if choices else None,
            }
        )
    subs = {
        name: _node(group, sub)
        for name, sub in sorted(getattr(command, "commands", {}).items())
        if not sub.hidden
    }
    return {
        "help": command.get_short_help_str(80),
        "params": params,
        "commands": subs,
        "group": getattr(command, "commands", None) is not None,
    }


def _key() -> str:
    import typer

    from svcdesk.cli import commands

    parts = [typer.__version__]
    folder = os.path.dirname(commands.__file__)
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            st = entry.stat()
            parts.append(f"{entry.name}:{st.st_mtime_ns}:{st.st_size}")
    here = os.path.dirname(__file__)
    for name in ("main.py", "completion.py", "index.py"):
        st = os.stat(os.path.join(here, name))
        parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
    return "|".join(parts)


def _cache_path() -> str:
    from svcdesk.config import app_dir

    return os.path.join(app_dir(), TREE_FILE)


def command_tree(build_root: Callable[[], Any]) -> dict[str, Any]:
    """The tree under the root group (`build_root()`, a CheckedGroup), from the cache when
    it is current, else built from every command module and written back (0600,
    atomically)."""
    import json

    key = _key()
    path = _cache_path()
    try:
        with open(path, encoding="utf-8") as fh:
            cached = json.load(fh)
        if cached.get("key") == key:
            return cached["tree"]
    except (OSError, ValueError):
        pass
    root = build_root()
    ctx = root.make_context("svcdesk", [], resilient_parsing=True)
    tree = _node("", root)
    tree["commands"] = {}
    for name in root.list_commands(ctx):
        cmd = root.get_command(ctx, name)
        if cmd is not None and not cmd.hidden:
            tree["commands"][name] = _node(name, cmd)
    try:
        from svcdesk.atomicfile import atomic_write

        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        atomic_write(path, lambda fh: json.dump({"key": key, "tree": tree}, fh), what="cache")
    except Exception:  # noqa: BLE001 - no cache: the next Tab press builds it again
        pass
    return tree


def _values(param: dict[str, Any], db: str | None, incomplete: str) -> list[CompletionItem]:
    if param.get("kind") in KINDS:
        return KINDS[param["kind"]](_DbCtx(db), incomplete)
    if param.get("choices"):
        return [CompletionItem(c) for c in param["choices"] if c.startswith(incomplete)]
    return []


class _DbCtx:
    """What the value completers read from a click context: the root's `--db`."""

    def __init__(self, db: str | None):
        self.params = {"db": db}

    def find_root(self) -> _DbCtx:
        return self


def tree_completions(tree: dict[str, Any], args: list[str], incomplete: str) -> list:
    """Completions for the words `args` typed so far (after the program name) and the
    word being typed, walking `tree` as click would parse the line."""
    node, position, waiting, db = tree, 0, None, None
    for word in args:
        if waiting is not None:
            if waiting["name"] == "db" and node is tree:
                db = word
            waiting = None
            continue
        if word.startswith("-") and word != "-":
            opt = word.split("=", 1)[0]
            param = next((p for p in node["params"] if opt in p["opts"]), None)
            if param is not None and not param["flag"] and "=" not in word:
                waiting = param
            continue
        if node["commands"] and word in node["commands"]:
            node, position = node["commands"][word], 0
            continue
        position += 1
    if waiting is not None:
        return _values(waiting, db, incomplete)
    if incomplete.startswith("-"):
        opts = [o for p in node["params"] for o in p["opts"] if o.startswith(incomplete)]
        return [CompletionItem(o) for o in [*opts, "--help"] if o.startswith(incomplete)]
    if node["commands"]:
        return [
            CompletionItem(name, help=sub["help"])
            for name, sub in node["commands"].items()
            if name.startswith(incomplete)
        ]
    arguments = [p for p in node["params"] if p["argument"]]
    for p in arguments:
        if p["nargs"] == -1 or position == 0:
            return _values(p, db, incomplete)
        position -= 1
    return []


def fast_complete(build_root: Callable[[], Any], instruction: str) -> bool:
    """Answer a `complete_<shell>` request from the cached tree (prints, returns True);
    False for anything else (Typer's own handling then runs: `source_<shell>`, ...)."""
    if not instruction.startswith("complete_"):
        return False
    from typer._click.shell_completion import get_completion_class  # (Typer < 0.30)
    from typer._completion_classes import completion_init

    completion_init()
    base = get_completion_class(instruction.removeprefix("complete_"))
    if base is None:
        return False
    tree = command_tree(build_root)

    class FromTree(base):  # type: ignore[misc,valid-type]
        def get_completions(self, args: list[str], incomplete: str) -> list:
            return tree_completions(tree, args, incomplete)

    out = FromTree(None, {}, "svcdesk", COMPLETE_VAR).complete()
    if out:
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.write(out + "\n")
            sys.stdout.flush()
    return True
