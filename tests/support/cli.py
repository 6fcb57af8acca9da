"""Run the CLI in-process against a test database (`cli`), or require success (`ok`)."""

from __future__ import annotations

from typer.testing import CliRunner

runner = CliRunner()


def cli(db_path, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args])


def ok(db_path, *args):
    r = cli(db_path, *args)
    assert r.exit_code == 0, r.stdout + r.stderr
    return r
