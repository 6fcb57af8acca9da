"""Shell completion, run as the shells run it: the program with `_SVCDESK_COMPLETE` and the
words typed (bash: COMP_WORDS/COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from svcdesk import lookup
from svcdesk.models import OrderStatus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path):
    return tmp_path / "config"


def run(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(home), **env)
    return subprocess.run(
        [sys.executable, "-m", "svcdesk", *args], capture_output=True, text=True, env=full
    )


def bash(home: Path, line: str) -> list[str]:
    """Completions for `line` (the last word is the one being typed; '' after a space)."""
    words = line.split(" ")
    r = run(
        home,
        {
            "_SVCDESK_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
        },
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout.splitlines()


def test_bash_completes_commands_subcommands_and_options(home, db_path):
    assert bash(home, "svcdesk or") == ["orders"]
    assert "invoices" in bash(home, "svcdesk inv")
    assert "invoice" not in bash(home, "svcdesk inv")  # (hidden alias)
    assert bash(home, "svcdesk orders li") == ["list"]
    opts = bash(home, "svcdesk orders list --")
    assert {"--status", "--tech", "--priority", "--json", "--help"} <= set(opts)
    assert bash(home, "svcdesk --d") == ["--db"]


def test_bash_completes_order_numbers_techs_and_statuses_from_the_database(home, db_path, shop):
    numbers = bash(home, "svcdesk orders show ")
    assert set(numbers) == {shop["o1"], shop["o2"], shop["o3"]}
    assert bash(home, f"svcdesk orders show {shop['o2'].lower()}") == [shop["o2"]]
    # an option's value, after other options and an explicit --db
    assert bash(home, f"svcdesk --db {db_path} orders list --all --tech b") == ["Bob\\ Ruiz"]
    assert bash(home, "svcdesk orders list --status on") == ["on-site", "on-hold"]
    # the order argument of `invoices create`
    assert set(bash(home, "svcdesk invoices create SO")) == set(numbers)
    # invoice numbers are not order numbers: nothing offered
    assert bash(home, "svcdesk invoices show ") == []


def test_zsh_and_fish(home, db_path, shop):
    zsh = run(
        home,
        {
            "_SVCDESK_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": "svcdesk orders list --tech a",
        },
    )
    assert zsh.returncode == 0, zsh.stderr
    assert zsh.stdout.startswith("_arguments") and '"Alice Ng"' in zsh.stdout
    fish = run(
        home,
        {
            "_SVCDESK_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "svcdesk orders list --status on-h",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        },
    )
    assert fish.returncode == 0, fish.stderr
    assert fish.stdout.splitlines() == ["on-hold\ton hold"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_for_each_shell(home, shell):
    # (Typer's switch for tests: the shell is named, not detected from the parent process)
    r = run(home, {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}, "--show-completion", shell)
    assert r.returncode == 0, r.stderr
    assert f"_SVCDESK_COMPLETE=complete_{shell}" in r.stdout
    assert "svcdesk" in r.stdout


def test_no_database_means_no_suggestions_not_an_error(home, tmp_path):
    missing = tmp_path / "none.db"
    r = run(
        home,
        {
            "_SVCDESK_COMPLETE": "complete_bash",
            "COMP_WORDS": f"svcdesk --db {missing} orders show SO",
            "COMP_CWORD": "5",
        },
    )
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    assert not missing.exists()  # (read-only: completion never creates a database)


def test_the_tree_cache_is_private_and_rebuilt_when_damaged(home, db_path):
    assert bash(home, "svcdesk orders li") == ["list"]
    cache = home / "svcdesk" / "completion-tree.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert "orders" in json.loads(cache.read_text())["tree"]["commands"]
    cache.write_text("{not json")
    assert bash(home, "svcdesk orders li") == ["list"]
    assert json.loads(cache.read_text())["tree"]["commands"]["orders"]


@pytest.mark.skipif(
    os.environ.get("SVCDESK_TEST_BACKEND") == "postgresql",
    reason="PostgreSQL look-ups go through SQLAlchemy",
)
def test_the_completion_path_imports_no_command_module_nor_sqlalchemy(home, db_path, shop):
    bash(home, "svcdesk orders show ")  # (builds the cache)
    # (-X importtime lists every module imported, on stderr)
    full = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(home),
        _SVCDESK_COMPLETE="complete_bash",
        COMP_WORDS="svcdesk orders show SO",
        COMP_CWORD="3",
    )
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "svcdesk"],
        capture_output=True,
        text=True,
        env=full,
    )
    modules = {ln.rsplit("|", 1)[1].strip() for ln in r.stderr.splitlines() if "|" in ln}
    assert not {"sqlalchemy", "sqlmodel", "svcdesk.models", "svcdesk.services"} & modules
    assert not [m for m in modules if m.startswith("svcdesk.cli.commands.")]
    assert set(r.stdout.split()) == {shop["o1"], shop["o2"], shop["o3"]}


def test_status_words_follow_the_model():
    assert [k.replace("-", "_") for k in lookup.ORDER_STATUSES] == [s.value for s in OrderStatus]
    assert all(w == k.replace("-", " ") for k, w in lookup.ORDER_STATUSES.items())
