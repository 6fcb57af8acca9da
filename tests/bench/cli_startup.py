"""CLI start-up benchmark: CPU time of short `svcdesk` commands, paired in one run with
`python -c pass` and a bare Typer app doing the equivalent work.

    .venv/bin/python tests/bench/cli_startup.py [--runs 7] [--db FILE]

Each round runs every case once, in turn (baselines and svcdesk interleaved, so load
changes hit all of them alike); the figure is the median CPU time (user + system of the
child, from wait4) over `--runs` rounds. Targets (issue 20): a small command <= 2.5x the
bare Typer app, `--help` <= 2x. The bare apps are set up the way a Typer user would write
them: `typer.Typer()` with defaults (Rich installed), the stdlib `sqlite3` module for the
query and a Rich table for the same columns; the `--help` app has as many top-level
commands as svcdesk, each with a one-line help.

Also a Tab press completing an order number (bash protocol), target < 150 ms.

Without `--db` the bench builds `svcdesk demo --orders 300` in a temp dir first (~30 s).
Not collected by pytest."""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BARE_HELP = '''
import typer

app = typer.Typer(help="Service order console for field-service shops.")
for _i in range({n}):
    def _cmd() -> None:
        """Does one thing of the shop."""
    app.command(f"group{{_i:02d}}")(_cmd)
app()
'''

BARE_DB_PATH = """
import os
import typer

app = typer.Typer()
db = typer.Typer()
app.add_typer(db, name="db")


@app.callback()
def root(database: str = typer.Option(None, "--db")) -> None:
    os.environ.setdefault("X_DB", database or os.environ.get("SVCDESK_DB", "svcdesk.db"))


@db.command("path")
def path() -> None:
    print(os.path.abspath(os.environ["X_DB"]))


app()
"""

BARE_ORDERS_LIST = """
import os
import sqlite3
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()
orders = typer.Typer()
app.add_typer(orders, name="orders")


@app.callback()
def root() -> None:
    pass


@orders.command("list")
def list_cmd(limit: int = 200) -> None:
    con = sqlite3.connect(os.environ["SVCDESK_DB"])
    rows = con.execute(
        "SELECT o.number, o.priority, o.status, c.name, s.city, o.summary, o.sla_due "
        "FROM work_order o JOIN customer c ON c.id = o.customer_id "
        "JOIN site s ON s.id = o.site_id "
        "WHERE o.status NOT IN ('closed', 'cancelled', 'completed', 'invoiced') "
        "ORDER BY o.priority_rank, o.sla_due LIMIT ?",
        (limit,),
    ).fetchall()
    t = Table(title=f"{{len(rows)}} orders")
    for c in ("Number", "Pri", "Status", "Customer", "City", "Summary", "SLA due"):
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    Console(width=160).print(t)


app()
"""


def cpu_of(argv: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one run of `argv` (its output discarded)."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.stderr:
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode()[-500:]}")
    return usage.ru_utime + usage.ru_stime


def count_commands() -> int:
    sys.path.insert(0, str(ROOT))
    from svcdesk.cli.main import COMMAND_MODULES

    return len(COMMAND_MODULES)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--db", help="a svcdesk SQLite database (default: build the demo)")
    args = ap.parse_args()
    py = sys.executable
    # bytecode as an installed copy has it (pip compiles on install; a checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every changed module on each start)
    compileall.compile_dir(ROOT / "svcdesk", quiet=1)
    tmp = Path(tempfile.mkdtemp(prefix="cli-startup-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="160")
    env.pop("SVCDESK_DB", None)
    db = args.db
    if db is None:
        db = str(tmp / "demo.db")
        print(f"building the demo shop in {db} ...", flush=True)
        subprocess.run(
            [py, "-m", "svcdesk", "--db", db, "demo", "--orders", "300"],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
    env["SVCDESK_DB"] = db
    scripts = {
        "help": BARE_HELP.format(n=count_commands()),
        "db_path": BARE_DB_PATH,
        "orders_list": BARE_ORDERS_LIST,
        # the same app that also imports SQLModel: the floor of any command using the ORM
        "orders_list_sqlmodel": "import sqlmodel  # noqa: F401\n" + BARE_ORDERS_LIST,
    }
    for name, text in scripts.items():
        (tmp / f"bare_{name}.py").write_text(textwrap.dedent(text))
    sv = [py, "-m", "svcdesk"]
    cases = [
        ("--help", sv + ["--help"], [py, str(tmp / "bare_help.py"), "--help"]),
        ("db path", sv + ["db", "path"], [py, str(tmp / "bare_db_path.py"), "db", "path"]),
        (
            "orders list",
            sv + ["orders", "list"],
            [py, str(tmp / "bare_orders_list.py"), "orders", "list"],
        ),
    ]
    targets = {"--help": 2.0, "db path": 2.5, "orders list": 2.5}
    # a Tab press completing an order number (bash protocol; the tree cache built first)
    tab = dict(
        env,
        XDG_CONFIG_HOME=str(tmp / "config"),
        _SVCDESK_COMPLETE="complete_bash",
        COMP_WORDS="svcdesk orders show SO-0001",
        COMP_CWORD="3",
    )
    cpu_of(sv, tab)
    samples: dict[str, list[float]] = {"pass": [], "tab": [], "floor": []}
    floor = [py, str(tmp / "bare_orders_list_sqlmodel.py"), "orders", "list"]
    for label, _, _ in cases:
        samples[f"svcdesk {label}"] = []
        samples[f"bare {label}"] = []
    for _ in range(args.runs):
        samples["pass"].append(cpu_of([py, "-c", "pass"], env))
        samples["tab"].append(cpu_of(sv, tab))
        samples["floor"].append(cpu_of(floor, env))
        for label, ours, bare in cases:
            samples[f"bare {label}"].append(cpu_of(bare, env))
            samples[f"svcdesk {label}"].append(cpu_of(ours, env))
    med = {k: statistics.median(v) for k, v in samples.items()}
    load = os.getloadavg()
    print(f"CPU medians of {args.runs} runs; load average {load[0]:.2f} {load[1]:.2f}")
    print(f"python -c pass: {med['pass'] * 1000:.0f} ms")
    print("| command | svcdesk | bare Typer app | ratio | target | `python -c pass` × |")
    print("|---|---|---|---|---|---|")
    for label, _, _ in cases:
        ours, bare = med[f"svcdesk {label}"], med[f"bare {label}"]
        ratio = ours / bare
        verdict = "met" if ratio <= targets[label] else "NOT met"
        print(
            f"| `{label}` | {ours * 1000:.0f} ms | {bare * 1000:.0f} ms | {ratio:.2f}× "
            f"| ≤ {targets[label]}× {verdict} | {ours / med['pass']:.0f}× |"
        )
    print(
        f"the bare `orders list` app plus `import sqlmodel`: {med['floor'] * 1000:.0f} ms "
        f"({med['floor'] / med['bare orders list']:.2f}x the bare app: the floor of an ORM command)"
    )
    tab_ms = med["tab"] * 1000
    print(
        f"completion (Tab on `svcdesk orders show SO-0001`): {tab_ms:.0f} ms CPU "
        f"(target < 150 ms: {'met' if tab_ms < 150 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
