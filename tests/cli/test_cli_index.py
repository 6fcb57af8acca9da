"""The CLI's command index (cli/main.py COMMAND_MODULES) matches what the modules register,
so a script's `svcdesk <group>` can import only that group's module."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

from svcdesk.cli import commands
from svcdesk.cli.main import COMMAND_MODULES

ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    def __init__(self):
        self.names: list[str] = []

    def add_typer(self, sub, *, name, **kwargs):
        self.names.append(name)

    def command(self, name, **kwargs):
        self.names.append(name)
        return lambda fn: fn


def test_every_registered_name_is_indexed_to_its_module():
    seen = {}
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        recorder = Recorder()
        module.register(recorder)
        for name in recorder.names:
            seen[name] = info.name
    assert set(seen) == set(COMMAND_MODULES)
    for name, module_name in seen.items():
        assert COMMAND_MODULES[name][0] == module_name, name


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "svcdesk", *args], capture_output=True, text=True, env=env
    )


def test_a_group_loaded_alone_is_complete():
    # `export timecards` is added by the time module: loading `export` alone must bring it
    r = run("export", "--help")
    assert r.returncode == 0, r.stderr
    assert "timecards" in r.stdout and "orders" in r.stdout
    r = run("intake", "--help")
    assert r.returncode == 0 and "--file" in r.stdout
    r = run("nosuchcommand")
    assert r.returncode == 2 and "No such command" in r.stderr


def test_the_help_index_matches_what_the_modules_register():
    from svcdesk.cli.index import HIDDEN, SHORT_HELP
    from svcdesk.cli.main import _build

    shown, hidden = {}, set()
    for name in COMMAND_MODULES:
        cmd = _build(name)
        if cmd.hidden:
            hidden.add(name)
        else:
            shown[name] = cmd.get_short_help_str(200)
    assert hidden == HIDDEN
    assert shown == SHORT_HELP, "regenerate svcdesk/cli/index.py SHORT_HELP from: " + repr(shown)


def imported_by(*args: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "svcdesk", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in r.stderr.splitlines() if "|" in line}


def test_help_imports_no_command_module_nor_the_database_layer():
    modules = imported_by("--help")
    assert not [m for m in modules if m.startswith("svcdesk.cli.commands.")]
    assert not {"sqlalchemy", "sqlmodel", "rich", "fpdf", "numpy"} & modules


def test_db_path_imports_neither_sqlalchemy_nor_the_models(tmp_path):
    modules = imported_by("--db", str(tmp_path / "x.db"), "db", "path")
    assert not {"sqlalchemy", "sqlmodel", "svcdesk.models"} & modules
