"""Progress shows on a terminal only: never in a pipe (CliRunner is not a terminal), never
under --json or --quiet (issue 20)."""

from __future__ import annotations

import json

import pytest

from svcdesk.cli import progress
from tests.support.cli import cli


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(progress, "_terminal", lambda: True)


def test_piped_output_has_nothing_extra(db_path, shop):
    r = cli(db_path, "db", "check")
    assert r.exit_code == 0, r.output
    assert r.stderr == "" and "\x1b" not in r.stdout
    r = cli(db_path, "export", "orders", "--out", "-")
    assert r.stdout.startswith("id,number,") and "\x1b" not in r.stdout + r.stderr


def test_a_terminal_gets_a_transient_progress_line_on_stderr(db_path, shop, terminal):
    r = cli(db_path, "db", "check")
    assert r.exit_code == 0, r.output
    assert "db check" in r.stderr and "\x1b" in r.stderr  # (drawn, then erased)
    assert "\x1b" not in r.stdout and "ok   storage" in r.stdout
    r = cli(db_path, "export", "orders", "--out", "-")
    assert "export orders" in r.stderr and r.stdout.startswith("id,number,")


def test_json_and_quiet_silence_it_on_a_terminal(db_path, shop, terminal):
    r = cli(db_path, "db", "check", "--json")
    assert r.exit_code == 0 and r.stderr == ""
    assert json.loads(r.stdout)
    r = cli(db_path, "--quiet", "db", "check")
    assert r.exit_code == 0 and r.stderr == ""
    r = cli(db_path, "-q", "pm", "generate", "--through", "2026-12-31")
    assert r.exit_code == 0 and r.stderr == ""


def test_the_demo_counts_its_steps(tmp_path, terminal, monkeypatch):
    from svcdesk.cli.main import app
    from svcdesk.demo import steps
    from tests.support.cli import runner

    seen = []
    real = progress.progress

    def spy(label, *, total=None):
        seen.append((label, total))
        return real(label, total=total)

    monkeypatch.setattr("svcdesk.cli.commands.demo.progress", spy)
    r = runner.invoke(app, ["--db", str(tmp_path / "demo.db"), "demo", "--orders", "10"])
    assert r.exit_code == 0, r.output
    assert seen == [("demo: building the shop", len(steps()))]
    assert f"{len(steps())}/{len(steps())}" in r.stderr
