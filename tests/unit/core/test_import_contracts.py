"""The layer rules hold: the import contracts in pyproject.toml (faces -> services -> db ->
models -> clock/errors/config, the areas' order, no cycles inside services, no UI library
below the faces, routing on its own), at run time too, and the orders area's hooks are
connected however a service is first imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240
    )


def test_lint_imports_keeps_every_contract():
    run = _python(
        "import sys; from importlinter.cli import lint_imports;"
        "sys.exit(lint_imports(no_cache=True, no_logo=True))"
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_no_ui_library_is_loaded_by_any_service_module():
    run = _python(
        "import importlib, pkgutil, sys, svcdesk.services as s\n"
        "for m in pkgutil.walk_packages(s.__path__, s.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "import svcdesk.models, svcdesk.db, svcdesk.routing\n"
        "print(sorted(n for n in ('textual', 'typer', 'rich', 'click') if n in sys.modules))"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"


def test_the_order_hooks_are_registered_whichever_module_comes_first():
    for module in ("svcdesk.services.orders.intake", "svcdesk.services.orders.lifecycle"):
        run = _python(
            f"import {module}\n"
            "from svcdesk.services.orders.hooks import hooks\n"
            "print(hooks().created.__module__)"
        )
        assert run.returncode == 0, run.stderr[-2000:]
        assert run.stdout.strip() == "svcdesk.services.agreements.order_hooks"
