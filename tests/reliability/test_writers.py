"""File writers (issue 15, items 3, 4, 7, 10; brief item 2) and restore with the database
open elsewhere (item 2 of the issue). Special files are made in tmp_path only: a FIFO
(os.mkfifo), symlinks and directories; no real device node is touched."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from svcdesk.db import make_engine, read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models import Setting, WorkOrder
from svcdesk.services.common.settings import set_setting

runner = CliRunner()


def cli(db, *args, **kw):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db), *args], **kw)


def one_error_line(r, code=1, *needles):
    assert r.exit_code == code, (r.exit_code, r.output)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def specials(tmp_path):
    """name -> (path, what the error says, check it is untouched)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    real = tmp_path / "real.txt"
    real.write_text("keep me\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere" / "x")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {
        "fifo": (fifo, "FIFO", lambda: stat.S_ISFIFO(os.lstat(fifo).st_mode)),
        "symlink": (
            link,
            "symbolic link",
            lambda: os.path.islink(link) and real.read_text() == "keep me\n",
        ),
        "dangling symlink": (dangling, "symbolic link", lambda: os.path.islink(dangling)),
        "directory": (folder, "directory", lambda: folder.is_dir() and not any(folder.iterdir())),
    }


def no_parts(folder) -> bool:
    return not list(folder.glob(".*.part")) and not list(folder.glob("*.part"))


SPECIAL_NAMES = ["fifo", "symlink", "dangling symlink", "directory"]


@pytest.mark.parametrize("which", SPECIAL_NAMES)
def test_export_refuses_a_special_target(db_path, shop, tmp_path, which):
    path, kind, untouched = specials(tmp_path)[which]
    r = cli(db_path, "export", "orders", "--out", str(path), "--incremental", "n")
    one_error_line(r, 1, kind, str(path))
    assert untouched() and no_parts(tmp_path)
    with read_session(make_engine(str(db_path))) as s:  # the watermark did not move
        from svcdesk.services.reporting.exports import list_watermarks

        assert list_watermarks(s) == []


@pytest.mark.parametrize("which", SPECIAL_NAMES)
def test_other_writers_refuse_a_special_target(db_path, shop, tmp_path, which):
    path, kind, untouched = specials(tmp_path)[which]
    for args in (
        ["export", "ics", "--tech", "Alice", "--out", str(path)],
        ["pricebook", "export", "--out", str(path)],
        ["export", "timecards", "--week", "2026-11-23", "--out", str(path)],
    ):
        r = cli(db_path, *args)
        one_error_line(r, 1, str(path))
        assert untouched() and no_parts(tmp_path), args


@pytest.mark.sqlite_only
@pytest.mark.parametrize("which", SPECIAL_NAMES)
def test_backup_refuses_a_special_target(db_path, shop, tmp_path, which):
    path, _kind, untouched = specials(tmp_path)[which]
    one_error_line(cli(db_path, "db", "backup", str(path)), 1, str(path))
    assert untouched() and no_parts(tmp_path) and no_parts(path.parent)


@pytest.mark.sqlite_only
def test_backup_to_an_empty_name_is_refused(db_path, shop, tmp_path):
    one_error_line(cli(db_path, "db", "backup", ""), 1, "file name")
    assert no_parts(tmp_path) and no_parts(db_path.parent)


def test_dash_is_standard_output(db_path, shop, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli(db_path, "export", "orders", "--format", "jsonl", "--out", "-")
    assert r.exit_code == 0, r.output
    assert [json.loads(x)["number"] for x in r.stdout.splitlines()] == [
        shop["o1"],
        shop["o2"],
        shop["o3"],
    ]
    assert "exported 3 rows" in r.stderr  # the summary stays out of the data
    assert not (tmp_path / "-").exists()


def test_outputs_are_0600_and_a_setting_gives_0640(db_path, engine, shop, tmp_path):
    out = tmp_path / "o.csv"
    out.write_text("old")
    os.chmod(out, 0o644)
    assert cli(db_path, "export", "orders", "--out", str(out)).exit_code == 0
    assert mode(out) == 0o600  # a re-export no longer leaves (or resets to) 0644
    with write_session(engine) as s:
        set_setting(s, "files.mode", "0640")
    assert cli(db_path, "export", "orders", "--out", str(out)).exit_code == 0
    assert mode(out) == 0o640
    with write_session(engine) as s, pytest.raises(InvalidInput, match="files.mode"):
        set_setting(s, "files.mode", "0777")  # the settings schema refuses it up front
    with write_session(engine) as s:  # a bad value stored before the schema existed
        s.get(Setting, "files.mode").value = "0777"
    one_error_line(cli(db_path, "export", "orders", "--out", str(out)), 1, "files.mode")


def test_stale_temp_files_of_any_name_are_swept(db_path, shop, tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    stale = tmp_path / f".other-name.csv.{pid}.part"
    stale.write_text("half")
    mine_alive = tmp_path / f".busy.csv.{os.getppid()}.part"  # a live process's: kept
    mine_alive.write_text("writing")
    assert cli(db_path, "export", "orders", "--out", str(tmp_path / "x.csv")).exit_code == 0
    assert not stale.exists() and mine_alive.exists()


def test_reject_file_is_checked_before_anything_is_written(db_path, engine, shop, tmp_path):
    data = tmp_path / "in.csv"
    data.write_text(
        "external_ref,customer,phone,address,summary,priority\n"
        "R-1,Good Row,512-555-0111,1 Main St,Leak,normal\n"
        "R-2,Bad Row,512-555-0112,2 Main St,Leak,urgentish\n"
    )

    def orders():
        with read_session(engine) as s:
            return s.exec(select(func.count()).select_from(WorkOrder)).one()

    before = orders()
    fifo = tmp_path / "rejects.fifo"
    os.mkfifo(fifo)
    for target, needle in (
        (fifo, "FIFO"),
        (data / "r.csv", "Not a directory"),  # (a file where its folder should be)
        (tmp_path, "directory"),
    ):
        r = cli(db_path, "intake", "--file", str(data), "--reject-file", str(target))
        one_error_line(r, 1, needle)
        assert orders() == before  # the good row was not committed either
    good = tmp_path / "r.csv"
    r = cli(db_path, "intake", "--file", str(data), "--reject-file", str(good))
    assert r.exit_code in (0, 1) and orders() == before + 1
    assert "urgentish" in good.read_text() and mode(good) == 0o600 and no_parts(tmp_path)


@pytest.mark.sqlite_only
def test_an_existing_0644_database_is_tightened(db_path, shop):
    os.chmod(db_path, 0o644)
    make_engine(str(db_path)).dispose()
    assert mode(db_path) == 0o600


@pytest.mark.sqlite_only
def test_attachments_never_follow_a_link_and_are_private(db_path, shop, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root-only key")
    os.chmod(secret, 0o600)
    link = tmp_path / "photo.jpg"
    link.symlink_to(secret)
    r = cli(db_path, "attach", "add", shop["o1"], str(link))
    one_error_line(r, 1, "symbolic link")
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    one_error_line(cli(db_path, "attach", "add", shop["o1"], str(fifo)), 1, "not a regular file")
    real = tmp_path / "real.jpg"
    real.write_bytes(b"\xff\xd8 jpeg bytes")
    os.chmod(real, 0o644)
    r = cli(db_path, "attach", "add", shop["o1"], str(real))
    assert r.exit_code == 0, r.output
    store = db_path.parent / "svcdesk-files" / "attachments"
    blobs = [p for p in store.rglob("*") if p.is_file()]
    assert len(blobs) == 1 and mode(blobs[0]) == 0o600
    assert mode(store) == 0o700 and mode(blobs[0].parent) == 0o700
    assert mode(store.parent) == 0o700


HOLDER = textwrap.dedent(
    """
    import sys
    from svcdesk.db import make_engine, read_session
    from sqlalchemy import text
    eng = make_engine(sys.argv[1])
    with read_session(eng) as s:
        s.execute(text("SELECT count(*) FROM work_order")).scalar()
    print("open", flush=True)
    sys.stdin.readline()
    """
)


@pytest.mark.sqlite_only
def test_restore_is_refused_while_another_process_has_the_database_open(db_path, shop, tmp_path):
    backup = tmp_path / "b.db"
    assert cli(db_path, "db", "backup", str(backup)).exit_code == 0
    cli(db_path, "orders", "status", shop["o1"], "cancelled", "--note", "oops")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert holder.stdout.readline().strip() == "open"  # (a console would hold it too)
        r = cli(db_path, "db", "restore", str(backup), "--yes")
        line = one_error_line(r, 1, "another process has", f"pid {holder.pid}")
        assert "restore" in line
        data = json.loads(cli(db_path, "orders", "show", shop["o1"], "--json").stdout)
        assert data["status"] == "cancelled"  # nothing was swapped
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(60)
    r = cli(db_path, "db", "restore", str(backup), "--yes")
    assert r.exit_code == 0, r.output
    data = json.loads(cli(db_path, "orders", "show", shop["o1"], "--json").stdout)
    assert data["status"] == "new"
