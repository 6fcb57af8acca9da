"""Engine and sessions. SQLite: WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for
write transactions so two writers queue instead of failing with "database is locked".

SQLModel (with pydantic and the ORM) is imported by the first session, not here: a lean
read (`read_connection`, SQLAlchemy Core: `orders list`) never loads it."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from svcdesk.config import resolve_db_url
from svcdesk.errors import Busy, InvalidInput, SvcDeskError

if TYPE_CHECKING:
    from sqlmodel import Session

# What a read query runs on: an ORM session (the console, the web app, services that
# also write) or a Core connection (`read_connection`: a short command's lean read).
# Both have `.execute(statement)` and `.info`; `dialect_name` tells their database.
Reader: TypeAlias = "Session | Connection"

BUSY_TIMEOUT_MS = 15000


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


# Settings of every PostgreSQL session (measured on 1M orders, docs/performance.md):
# - custom plans always: a search's selectivity depends on its term (a phone vs a common
#   surname); after psycopg's fifth execution the generic plan for `name ILIKE $1` ran
#   4x slower (name search 67 -> 16 ms);
# - no parallel workers for the console's short queries: starting them cost more than
#   they saved, and parallel plans picked seq scans (a company-name search 92 -> 17 ms);
#   reports turn them back on (`parallel_report`);
# - no JIT: compiling took 1.4 s of a 4 s KPI report and never paid back here;
# - random_page_cost for SSD storage: with the default 4.0 small look-up tables were
#   scanned per row (KPI report, 30 days: 800 -> 440 ms; a year: 5.7 -> 3.7 s).
PG_SESSION = {
    "plan_cache_mode": "force_custom_plan",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
    "random_page_cost": "1.1",
}


class NoShop(SvcDeskError):
    """`--db` names a path or URL without a svcdesk database (see `open_engine`)."""

    title = "No svcdesk database"


def make_engine(db: str | None = None, *, create: bool = True) -> Engine:
    """Engine for `--db` (URL or path); creates the file and the schema on first use.
    Commands open databases with `open_engine`, which never creates one; this is for
    `svcdesk init`, the demo and tests."""
    url = resolve_db_url(db)
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    elif not url.startswith("postgresql"):
        scheme = url.split("://", 1)[0]
        raise InvalidInput(
            f"--db: {scheme}:// databases are not supported; give a SQLite file path or a "
            "postgresql://user@host:port/dbname URL"
        )
    else:
        options = " ".join(f"-c {name}={value}" for name, value in PG_SESSION.items())
        engine = create_engine(url, pool_pre_ping=True, connect_args={"options": options})
    if create:
        init_schema(engine)
    return engine


def shown_name(url: str) -> str:
    """The path (SQLite) or the URL without its password, for messages."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: show it without anything after '@'s user part
        return url.split("@")[-1]


def _refuse(url: str, why: str, *, new_file: bool = False) -> NoShop:
    name = shown_name(url)
    if new_file:
        return NoShop(
            f"{name}: {why}; svcdesk leaves it alone: start a shop in a new file with "
            "`svcdesk init --db FILE`"
        )
    return NoShop(f"{name}: {why}; start a shop there with `svcdesk init --db {name}`")


def open_engine(db: str | None = None) -> Engine:
    """Engine for an existing svcdesk database (upgraded if older). A path or URL without
    one is refused with one line naming it and `svcdesk init`; nothing is created or
    changed (no file, no folder, no -wal file next to someone else's database). An
    in-memory SQLite database is always new and is built in memory."""
    url = resolve_db_url(db)
    if url in ("sqlite://", "sqlite:///:memory:"):
        return make_engine(url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise _refuse(url, "is not a regular file", new_file=True)
        if not path.exists():
            raise _refuse(url, "no svcdesk database here")
        _probe_sqlite(url, path)  # (read-only: a foreign file is not touched)
    engine = make_engine(url, create=False)
    if is_sqlite(engine):  # (the probe above checked its tables)
        init_schema(engine)
        return engine
    try:
        known = is_shop(engine)
    except SvcDeskError:
        engine.dispose()
        raise
    except Exception as exc:  # server unreachable, no such database, no permission
        engine.dispose()
        raise NoShop(
            f"{shown_name(url)}: cannot open it ({_reason(exc)}); check the URL and the "
            "server (a new shop is made with `svcdesk init --db URL`)"
        ) from None
    if not known:
        engine.dispose()
        raise _refuse(url, "not a svcdesk database", new_file=True)
    init_schema(engine)
    return engine


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _probe_sqlite(url: str, path: Path) -> None:
    """Refuse a file that is not a SQLite database, or one without svcdesk's tables."""
    if path.stat().st_size == 0:
        raise _refuse(url, "is an empty file, not a svcdesk database", new_file=True)
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _refuse(url, f"not a svcdesk database ({_reason(exc)})", new_file=True) from None
    if not _svcdesk_tables(names):
        raise _refuse(url, "not a svcdesk database", new_file=True)


def _svcdesk_tables(names: set[str]) -> bool:
    return ("alembic_version" in names and "setting" in names) or "work_order" in names


_MARKERS = ("alembic_version", "setting", "work_order")


def is_shop(engine: Engine) -> bool:
    """Whether the database holds a svcdesk schema (stamped, or from before migrations).
    One catalog query (SQLAlchemy's inspector cost ~30 ms on every start)."""
    if is_sqlite(engine):
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({})"
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name IN ({})"
        )
    params = {f"t{i}": name for i, name in enumerate(_MARKERS)}
    with engine.connect() as conn:
        rows = conn.execute(text(sql.format(", ".join(f":{k}" for k in params))), params)
        return _svcdesk_tables({r[0] for r in rows})


def parallel_report(session: Session, workers: int = 2) -> None:
    """Let this transaction's big scans (a KPI report) use parallel workers on PostgreSQL
    (sessions start without them, see make_engine); nothing on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL max_parallel_workers_per_gather = {int(workers)}"))


def _sqlite_engine(url: str) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if not memory:
        path = Path(url.removeprefix("sqlite:///"))
        create_private_file(path)
        hold_open_lock(path)
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}}
    if memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        immediate = conn.get_execution_options().get("svcdesk_write", False)
        if immediate:
            begin_immediate(conn)
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


LOCK_WAIT_S = 300.0  # give up (with a clear message) after 5 minutes of waiting


def begin_immediate(conn) -> None:
    """Take SQLite's write lock, waiting with backoff while another writer (a nightly import,
    a second console) holds it. Retrying BEGIN is always safe: nothing has run yet in this
    transaction. This is the one place that sees "database is locked"; users don't."""
    deadline = time.monotonic() + LOCK_WAIT_S
    delay = 0.05
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                raise
            if time.monotonic() > deadline:
                raise Busy(
                    "the database is busy (another process has been writing for over "
                    f"{int(LOCK_WAIT_S)} s); try again shortly"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only (0600) before SQLite opens it;
    SQLite gives its -wal and -shm files the same permissions. An existing database that
    others can read (0644, made by an older release or by hand) is tightened to 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return
    from svcdesk.atomicfile import tighten

    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        tighten(file)


# Every process that opens a SQLite database file holds a shared flock() on it for as long
# as it runs (one descriptor per file and process, shared by its engines). `db restore`
# converts its own to exclusive without waiting: that fails exactly when ANOTHER process
# (a console, a cron export) has the file open, and the restore is refused instead of
# swapping the file under it (its later writes would go to the deleted file). flock locks
# are independent of SQLite's own POSIX locks.
_OPEN_LOCKS: dict[str, int] = {}


def hold_open_lock(path: Path) -> None:
    import fcntl

    key = str(path.resolve())
    if key in _OPEN_LOCKS:
        return
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return  # (SQLite reports an unusable file itself)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return
    _OPEN_LOCKS[key] = fd


@contextmanager
def sole_user(path: Path, what: str) -> Iterator[None]:
    """Run the block only if no other process has `path` open (see `_OPEN_LOCKS`); the
    lock is dropped afterwards (the block replaced the file; the next open locks the new
    one)."""
    import fcntl

    key = str(path.resolve())
    fd = _OPEN_LOCKS.pop(key, None)
    if fd is None:
        if not path.exists():
            yield
            return
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InvalidInput(
                f"{what}: another process has {path} open ({_holders(path)}); close it "
                "(quit the console, wait for running commands) and try again"
            ) from None
        yield
    finally:
        os.close(fd)


def _holders(path: Path) -> str:
    """Who else has `path` open, from /proc (Linux; best effort): 'pid 123: svcdesk tui'."""
    found = []
    target = str(path.resolve())
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            fds = list((entry / "fd").iterdir())
            if not any(os.readlink(fd) == target for fd in fds):
                continue
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            words = [w.decode(errors="replace") for w in cmd if w]
            shown = " ".join(Path(w).name if i == 0 else w for i, w in enumerate(words))
            shown = " ".join(shown.split())[:60]
            found.append(f"pid {entry.name}: {shown}")
        except OSError:
            continue
    return "; ".join(found[:3]) if found else "a console or a running command"


def drop_schema(engine: Engine) -> None:
    """Drop every table and the migration stamp (the demo's --force on a server database)."""
    from sqlmodel import SQLModel

    from svcdesk.models import all_models

    all_models()
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def init_schema(engine: Engine) -> None:
    """Create or upgrade the schema (svcdesk/schema.py), then PostgreSQL's extras."""
    from svcdesk.db_extras import PG_SETUP_LOCK, install_extras
    from svcdesk.schema import ensure_schema

    if engine.dialect.name != "postgresql":
        ensure_schema(engine)  # (SQLite serialises writers itself)
        install_extras(engine)
        return
    # Two processes opening a new or older PostgreSQL database at once must not both
    # create or upgrade it: one does, under a session advisory lock; the other waits.
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_SETUP_LOCK})
        lock.commit()
        try:
            ensure_schema(engine)
            install_extras(engine)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_SETUP_LOCK})
            lock.commit()


_SESSION_SETUP: list[Callable[[type], None]] = []
_SESSION_CLASS: list[type[Session]] = []


def when_sessions(setup: Callable[[type], None]) -> None:
    """Run `setup(Session)` once the ORM's session class is loaded (at once if it is): for
    session-wide listeners (svcdesk/services/__init__.py adds the text-length check
    before every flush) without importing SQLModel in a process that never makes one."""
    if _SESSION_CLASS:
        setup(_SESSION_CLASS[0])
    else:
        _SESSION_SETUP.append(setup)


def _session_class() -> type[Session]:
    if not _SESSION_CLASS:
        from sqlmodel import Session

        _SESSION_CLASS.append(Session)
        for setup in _SESSION_SETUP:
            setup(Session)
        _SESSION_SETUP.clear()
    return _SESSION_CLASS[0]


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with _session_class()(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A read on SQLAlchemy Core, for a short command that only lists (`orders list`):
    no SQLModel, no ORM, no table class (~0.4 s of a start). Same deferred transaction
    as `read_session`; the services it calls take either (`Reader`)."""
    with engine.connect() as conn:
        yield conn


def dialect_name(db: Reader) -> str:
    """ "sqlite" or "postgresql": the database a session or connection reads."""
    if isinstance(db, Connection):
        return db.dialect.name
    return db.get_bind().dialect.name


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error (no partial writes)."""
    bind = engine.execution_options(svcdesk_write=True) if is_sqlite(engine) else engine
    with _session_class()(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def sqlite_path(engine: Engine) -> Path | None:
    db = engine.url.database
    if not is_sqlite(engine) or not db or db == ":memory:":
        return None
    return Path(db)


def backup(engine: Engine, target: Path) -> Path:
    """Consistent online copy (SQLite backup API), safe while the console is open."""
    from svcdesk.atomicfile import check_target

    src_path = sqlite_path(engine)
    if src_path is None:
        raise InvalidInput("db backup: only file SQLite databases can be backed up this way")
    if str(target).strip() in ("", "."):  # (typer turns '' into Path('.'))
        raise InvalidInput("db backup: needs the backup's file name (got an empty path)")
    if Path(str(target)).expanduser().is_dir():
        raise InvalidInput(f"db backup: {target} is a directory; give the backup's file name")
    target = check_target(target, "db backup", make_parent=True)
    target = target.parent.resolve() / target.name
    if target == src_path.resolve():
        raise InvalidInput(f"db backup: {target} is the live database; choose another file")
    copy_sqlite(src_path, target, verify=True)
    return target


def copy_sqlite(src_path: Path, target: Path, *, verify: bool = False) -> None:
    """Online-backup `src_path` into `target` via a temp name (never half a file), 0600;
    a special file or symlink at `target` is refused (svcdesk/atomicfile.py)."""
    from svcdesk.atomicfile import check_target, create_temp, finish_temp, sweep_stale_parts

    check_target(target, "copy")
    sweep_stale_parts(target)
    tmp = create_temp(target)
    try:
        src = sqlite3.connect(src_path, timeout=BUSY_TIMEOUT_MS / 1000)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            if verify:  # a damaged database's copy is no backup: say so, write nothing
                found = [r[0] for r in dst.execute("PRAGMA quick_check(5)")]
                if found != ["ok"]:
                    raise InvalidInput(
                        f"database file {src_path} is damaged: "
                        f"{' '.join('; '.join(found).split())[:200]}; no "
                        "backup written (restore a backup with `svcdesk db restore`)"
                    )
        except sqlite3.DatabaseError as exc:
            raise InvalidInput(
                f"database file {src_path} is damaged: {exc}; no backup written (restore a "
                "backup with `svcdesk db restore`)"
            ) from None
        finally:
            dst.close()
            src.close()
        finish_temp(tmp, target, "copy")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
