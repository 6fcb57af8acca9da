"""VROOM (through ``pyvroom``) on the field-service model, for the portfolio and the bench.

VROOM has the day's rules natively: skills (a job's skills plus one private skill per
technician for a locked visit), service-start windows, shifts, a break with a start window,
priorities. Priorities are lexicographic in VROOM (it serves the most priority first,
then minimises cost), so the shop's prizes go in as integers in [0, 100]: locked and
emergency 100, high 20, normal 4, low 1 (the fsday instances' own ``vroom_priority``;
high/normal/low in the prizes' ratios). Times are the routing layer's integer minutes
sent as seconds (x 60), so VROOM plans on exactly the matrix everyone else uses.

``pyvroom`` publishes wheels for Linux x86_64 glibc >= 2.34 and macOS only; it is the
optional extra ``svcdesk[vroom]``. Without it ``available()`` is False and the portfolio
runs its other members (docs/dependencies.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from svcdesk.routing.model import Job, Problem, Tech
from svcdesk.routing.schedule import Legs

VROOM_PRIORITY: dict[str, int] = {"emergency": 100, "high": 20, "normal": 4, "low": 1}


def available() -> bool:
    """pyvroom is installed. Found without importing it: importing it loads pandas (0.4 s
    of CPU, up to 1.7 s of wall on a loaded machine), which a plan that then does not
    call VROOM should not pay. A broken install fails in ``solve_vroom`` (ImportError)."""
    import importlib.util

    try:
        return importlib.util.find_spec("vroom") is not None
    except (ImportError, ValueError):
        return False


def solve_vroom(
    problem: Problem,
    legs: Legs,
    time_limit_s: float | None,
    *,
    exploration: int = 5,
    priorities: Mapping[str, int] | None = None,
) -> dict[str, list[Job]]:
    """Sequences per technician from VROOM (one thread). Timing is left to the caller."""
    import vroom

    prio = dict(VROOM_PRIORITY if priorities is None else priorities)
    techs: Sequence[Tech] = list(problem.techs)
    jobs: Sequence[Job] = list(problem.jobs)
    skill_ids: dict[str, int] = {}
    for t in techs:
        for s in sorted(t.skills):
            skill_ids.setdefault(s, len(skill_ids) + 1)
    for j in jobs:
        for s in sorted(j.skills):
            skill_ids.setdefault(s, len(skill_ids) + 1)
    private = {t.id: 10_000 + v for v, t in enumerate(techs)}

    inp = vroom.Input()
    inp.set_durations_matrix("car", (legs.minutes_array.astype("int64") * 60).tolist())
    for v, t in enumerate(techs):
        bw = t.break_window()
        breaks = []
        if bw is not None:
            breaks = [
                vroom.Break(id=v + 1, time_windows=[vroom.TimeWindow(bw[0] * 60, bw[1] * 60)],
                            service=bw[2] * 60)
            ]  # fmt: skip
        inp.add_vehicle(
            vroom.Vehicle(
                id=v,
                start=legs.idx[t.start_location],
                end=legs.idx[t.home_end],
                skills={*(skill_ids[s] for s in t.skills), private[t.id]},
                time_window=vroom.TimeWindow(t.shift_start * 60, t.shift_end * 60),
                breaks=breaks,
            )
        )
    for k, j in enumerate(jobs):
        if j.locked_tech is not None:
            if j.locked_tech not in private:
                continue
            skills = {private[j.locked_tech]}
            pr = 100
        else:
            skills = {skill_ids[s] for s in j.skills}
            pr = prio[j.priority]
        if j.locked_start is not None:
            lo = hi = j.locked_start
        else:
            lo = j.window_start if j.window_start is not None else 0
            hi = j.window_end if j.window_end is not None else 2 * 24 * 60
        inp.add_job(
            vroom.Job(
                id=k,
                location=legs.idx[j.location],
                default_service=j.service_minutes * 60,
                skills=skills,
                priority=pr,
                time_windows=[vroom.TimeWindow(lo * 60, hi * 60)],
            )
        )
    timeout = None if time_limit_s is None else timedelta(seconds=max(0.05, time_limit_s))
    sol = inp.solve(exploration_level=exploration, nb_threads=1, timeout=timeout)
    try:
        arr = sol._routes_numpy()
        rows = zip(
            arr["vehicle_id"],
            (x.decode() if isinstance(x, bytes) else str(x) for x in arr["type"]),
            arr["id"],
            strict=True,
        )
    except Exception:  # pragma: no cover - private API moved: use the public frame
        fr = sol.routes
        rows = zip(fr["vehicle_id"], fr["type"].astype(str), fr["id"], strict=True)
    seq: dict[str, list[Job]] = {t.id: [] for t in techs}
    for v, typ, jid in rows:
        if typ == "job":
            seq[techs[int(v)].id].append(jobs[int(jid)])
    return seq
