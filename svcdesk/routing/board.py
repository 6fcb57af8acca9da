"""A fast working board for construction and repair: O(1) insertion checks per position.

``simulate`` (schedule.py) times a whole route and tries the lunch break on every leg, so
checking one insertion costs O(n^2); a priority construction on a 1,500-job day would take
minutes. ``Board`` keeps, per route, forward *earliest* end times and backward *latest*
start times in two states (lunch already taken / still to take), the classic
Savelsbergh/Kindervater push-forward bounds extended by the location-less break of
``schedule.py`` (taken on one leg: it starts at max(previous end, window opens), and the
next stop is ready no earlier than break end and previous end + drive + break). With
them, inserting a job between two stops, or removing one, is checked in O(1).

The rules are the same as ``simulate``'s (tests/unit/dispatch/test_dispatch_board.py
compares the two on random routes); plans leave the board through ``simulate`` and
``build_route`` anyway, so the checker sees ordinary routes.

Objective (what the shop pays): drive minutes + the prize of every job left out
(``DEFAULT_PRIZES``). Every move here is judged on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from svcdesk.routing.model import Job, Problem, Tech
from svcdesk.routing.schedule import Legs

INF = 10**9
NEG = -(10**9)


class _Route:
    __slots__ = ("E0", "E1", "S0", "S1", "bw", "drive", "hi", "jobs", "lo", "loc", "svc", "tech")

    def __init__(self, tech: Tech, jobs: list[Job]) -> None:
        self.tech = tech
        self.jobs = jobs
        self.bw = tech.break_window()


class Board:
    """Sequences per technician with their time bounds; jobs are inserted, removed,
    swapped by priority prize."""

    def __init__(
        self,
        problem: Problem,
        legs: Legs,
        prizes: Mapping[str, int],
        *,
        locked_prize: int = 10_000_000,
        insert_by: str = "drive",
    ) -> None:
        self.insert_by = insert_by
        self.push_share = 0.0  # share of ruin-and-recreate moves that re-insert by push
        self.problem = problem
        self.legs = legs
        self.M = legs.minutes_array.tolist()
        self.idx = legs.idx
        self.prizes = prizes
        self.locked_prize = locked_prize
        self.techs = {t.id: t for t in problem.techs}
        self.routes: dict[str, _Route] = {}
        self.where: dict[str, str] = {}  # job id -> tech id
        self.jidx = {j.id: self.idx[j.location] for j in problem.jobs}
        self.eligible: dict[str, list[Tech]] = {
            j.id: [t for t in problem.techs if t.can_do(j) and j.earliest(t) <= j.latest(t)]
            for j in problem.jobs
        }
        for t in problem.techs:
            self._set(t.id, [])

    # -- value ------------------------------------------------------------------

    def prize(self, job: Job) -> int:
        return self.locked_prize if job.locked else self.prizes[job.priority]

    def drive(self) -> int:
        return sum(r.drive for r in self.routes.values())

    def objective(self) -> int:
        """Drive minutes + prizes of the jobs left out."""
        left = sum(self.prize(j) for j in self.problem.jobs if j.id not in self.where)
        return self.drive() + left

    def unserved(self) -> list[Job]:
        return [j for j in self.problem.jobs if j.id not in self.where]

    def sequences(self) -> dict[str, list[Job]]:
        return {tid: list(r.jobs) for tid, r in self.routes.items()}

    # -- bounds -----------------------------------------------------------------

    def _bounds(self, tech: Tech, jobs: Sequence[Job]):
        n = len(jobs)
        loc = [self.idx[tech.start_location], *(self.jidx[j.id] for j in jobs)]
        loc.append(self.idx[tech.home_end])
        lo = [tech.shift_start, *(j.earliest(tech) for j in jobs), NEG]
        hi = [tech.shift_start, *(j.latest(tech) for j in jobs), tech.shift_end]
        svc = [0, *(j.service_minutes for j in jobs), 0]
        return n, loc, lo, hi, svc

    def _set(self, tid: str, jobs: list[Job]) -> bool:
        """Replace a route; False (and nothing changed) when it is infeasible."""
        tech = self.techs[tid]
        n, loc, lo, hi, svc = self._bounds(tech, jobs)
        M = self.M
        bw = tech.break_window()
        e = lat = dur = 0
        if bw is not None:
            e, lat, dur = bw
        E0 = [INF] * (n + 2)
        E1 = [INF] * (n + 2)
        if bw is None:
            E1[0] = tech.shift_start
        else:
            E0[0] = tech.shift_start
        for k in range(1, n + 2):
            tr = M[loc[k - 1]][loc[k]]
            lk, hk, sk = lo[k], hi[k], svc[k]
            t0, t1 = E0[k - 1], E1[k - 1]
            if t0 < INF:
                s = max(t0 + tr, lk)
                if s <= hk:
                    E0[k] = s + sk
                bs = t0 if t0 > e else e
                if bs <= lat:
                    r = bs + dur
                    if t0 + tr + dur > r:
                        r = t0 + tr + dur
                    s = r if r > lk else lk
                    if s <= hk:
                        E1[k] = s + sk
            if t1 < INF:
                s = max(t1 + tr, lk)
                if s <= hk and s + sk < E1[k]:
                    E1[k] = s + sk
        if n and E1[n + 1] >= INF:
            return False
        S0 = [NEG] * (n + 2)
        S1 = [NEG] * (n + 2)
        S0[n + 1] = tech.shift_end
        for k in range(n, -1, -1):
            tr = M[loc[k]][loc[k + 1]]
            nxt0, nxt1, lo1 = S0[k + 1], S1[k + 1], lo[k + 1]
            sk = svc[k]
            best0 = NEG
            if nxt0 > NEG and lo1 <= nxt0:
                best0 = nxt0 - tr - sk
            best1 = NEG
            if nxt1 > NEG and lo1 <= nxt1:
                best1 = nxt1 - tr - sk
            if bw is not None and nxt0 > NEG and lo1 <= nxt0 and e + dur <= nxt0:
                end = min(lat, nxt0 - dur - tr)
                if end - sk > best1:
                    best1 = end - sk
            h = hi[k]
            v0 = min(h, best0)
            v1 = min(h, best1)
            S0[k] = v0 if v0 >= lo[k] and best0 > NEG else NEG
            S1[k] = v1 if v1 >= lo[k] and best1 > NEG else NEG
        r = self.routes.get(tid)
        if r is None:
            r = _Route(tech, jobs)
            self.routes[tid] = r
        r.jobs = jobs
        r.loc, r.lo, r.hi, r.svc = loc, lo, hi, svc
        r.E0, r.E1, r.S0, r.S1 = E0, E1, S0, S1
        r.drive = sum(M[loc[k]][loc[k + 1]] for k in range(n + 1)) if n else 0
        return True

    # -- moves ------------------------------------------------------------------

    def _fits_between(self, r: _Route, k: int, jloc: int, jlo: int, jhi: int, jsvc: int):
        """Can a job go between node k and k+1 of route r? (added drive or None)"""
        got = self._insertion_cost(r, k, jloc, jlo, jhi, jsvc)
        return None if got is None else got[1]

    def _insertion_cost(self, r: _Route, k: int, jloc: int, jlo: int, jhi: int, jsvc: int):
        """(push, added drive) of a job between node k and k+1 of route r, or None.

        ``push`` is how much later the next stop (or the return home) can start than
        before: the time the job really costs the day (service, detour, new waiting)."""
        M = self.M
        a, b = r.loc[k], r.loc[k + 1]
        ta, tb = M[a][jloc], M[jloc][b]
        lob, svb = r.lo[k + 1], r.svc[k + 1]
        t0, t1 = r.E0[k], r.E1[k]
        S0b, S1b = r.S0[k + 1], r.S1[k + 1]
        old0 = r.E0[k + 1] - svb
        old1 = r.E1[k + 1] - svb if r.E1[k + 1] < INF else old0
        push = INF
        if t1 < INF and S0b > NEG:
            s = t1 + ta
            if s < jlo:
                s = jlo
            if s <= jhi:
                sb = s + jsvc + tb
                if sb < lob:
                    sb = lob
                if sb <= S0b:
                    push = sb - old1
        if t0 < INF:
            bw = r.bw
            s = t0 + ta
            if s < jlo:
                s = jlo
            if s <= jhi:
                end = s + jsvc
                if S1b > NEG:
                    sb = end + tb
                    if sb < lob:
                        sb = lob
                    if sb <= S1b and sb - old0 < push:
                        push = sb - old0
                if bw is not None and S0b > NEG:
                    e, lat, dur = bw
                    bs = end if end > e else e
                    if bs <= lat:
                        rd = max(bs + dur, end + tb + dur, lob)
                        if rd <= S0b and rd - old1 < push:
                            push = rd - old1
            if bw is not None and S0b > NEG:
                e, lat, dur = bw
                bs = t0 if t0 > e else e
                if bs <= lat:
                    rd = max(bs + dur, t0 + ta + dur, jlo)
                    if rd <= jhi:
                        sb = max(rd + jsvc + tb, lob)
                        if sb <= S0b and sb - old1 < push:
                            push = sb - old1
        if push >= INF:
            return None
        return push, ta + tb - M[a][b]

    def best_insertion(
        self, job: Job, techs: Iterable[Tech] | None = None, by: str | None = None
    ) -> tuple[int, str, int] | None:
        """(cost, tech id, position) of the cheapest feasible insertion, or None. The cost
        is the added drive (``by="drive"``) or the time the day loses (``"push"``, drive
        breaking ties); default: the board's ``insert_by``."""
        jloc = self.jidx[job.id]
        push = (by or self.insert_by) == "push"
        if not push:
            return self._cheapest(job, jloc, self.eligible[job.id] if techs is None else techs)
        best = None
        for tech in self.eligible[job.id] if techs is None else techs:
            if tech.id not in self.routes:
                continue
            r = self.routes[tech.id]
            jlo, jhi = job.earliest(tech), job.latest(tech)
            loc, E0, E1 = r.loc, r.E0, r.E1
            Mj = self.M[jloc]
            for k in range(len(r.jobs) + 1):
                t = E0[k] if E0[k] < E1[k] else E1[k]
                if t + self.M[loc[k]][jloc] > jhi:
                    continue
                if not push:
                    a = loc[k]
                    detour = self.M[a][jloc] + Mj[loc[k + 1]] - self.M[a][loc[k + 1]]
                    if best is not None and detour >= best[0]:
                        continue
                c = self._insertion_cost(r, k, jloc, jlo, jhi, job.service_minutes)
                if c is None:
                    continue
                key = (c[0] * 1000 + c[1]) if push else c[1]
                if best is None or key < best[0]:
                    best = (key, tech.id, k)
        return best

    def _cheapest(self, job: Job, jloc: int, techs: Iterable[Tech]):
        """Least added drive: every position's detour first (cheap), then the feasibility
        test in detour order until one passes."""
        M = self.M
        Mj = M[jloc]
        svc = job.service_minutes
        cands = []
        for tech in techs:
            r = self.routes.get(tech.id)
            if r is None:
                continue
            jlo, jhi = job.earliest(tech), job.latest(tech)
            loc, E0, E1, S0, S1 = r.loc, r.E0, r.E1, r.S0, r.S1
            for k in range(len(loc) - 1):
                a = loc[k]
                Ma = M[a]
                t = E0[k] if E0[k] < E1[k] else E1[k]
                s = t + Ma[jloc]
                if s > jhi:
                    continue
                b = loc[k + 1]
                # necessary (lunch only adds): the next stop still starts in time
                if (s if s > jlo else jlo) + svc + Mj[b] > (
                    S0[k + 1] if S0[k + 1] > S1[k + 1] else S1[k + 1]
                ):
                    continue
                cands.append((Ma[jloc] + Mj[b] - Ma[b], k, tech))
        cands.sort(key=lambda c: (c[0], c[1]))
        for detour, k, tech in cands:
            r = self.routes[tech.id]
            if self._insertion_cost(r, k, jloc, job.earliest(tech), job.latest(tech), svc):
                return detour, tech.id, k
        return None

    def insert_at(self, job: Job, tid: str, pos: int) -> bool:
        r = self.routes[tid]
        if not self._set(tid, [*r.jobs[:pos], job, *r.jobs[pos:]]):
            return False
        self.where[job.id] = tid
        return True

    def insert(self, job: Job) -> bool:
        found = self.best_insertion(job)
        if found is None:
            return False
        return self.insert_at(job, found[1], found[2])

    def remove(self, job: Job) -> None:
        tid = self.where.pop(job.id)
        r = self.routes[tid]
        rest = [j for j in r.jobs if j.id != job.id]
        if not self._set(tid, rest):  # pragma: no cover - removal never hurts on metric travel
            self.where[job.id] = tid
            raise RuntimeError(f"removing {job.id} broke {tid}'s route")

    def set_route(self, tid: str, jobs: list[Job]) -> bool:
        old = self.routes[tid].jobs
        if not self._set(tid, jobs):
            return False
        for j in old:
            self.where.pop(j.id, None)
        for j in jobs:
            self.where[j.id] = tid
        return True

    # -- construction and repair ------------------------------------------------

    def construct(self, order: Sequence[Job]) -> None:
        """Cheapest feasible insertion of each job in ``order`` (locked ones first)."""
        for j in order:
            if j.id not in self.where:
                self.insert(j)

    def construct_ratio(self, jobs: Sequence[Job], deadline: float | None = None) -> None:
        """Prize per minute of the day: repeatedly insert the left-out job with the highest
        prize / time it costs (``push``) at that position (less drive on ties). The best
        position per job and route is cached; only the changed route is re-evaluated."""
        import time

        pending = {j.id: j for j in jobs if j.id not in self.where}
        # job id -> tech id -> (push, detour, pos)
        cache: dict[str, dict[str, tuple[int, int, int]]] = {}
        by_tech: dict[str, list[str]] = {t: [] for t in self.routes}

        def evaluate(job: Job, tech: Tech) -> tuple[int, int, int] | None:
            r = self.routes[tech.id]
            jloc, jlo, jhi = self.jidx[job.id], job.earliest(tech), job.latest(tech)
            best = None
            for k in range(len(r.jobs) + 1):
                c = self._insertion_cost(r, k, jloc, jlo, jhi, job.service_minutes)
                if c is not None and (best is None or c < best[:2]):
                    best = (c[0], c[1], k)
            return best

        for jid, job in pending.items():
            cache[jid] = {}
            for tech in self.eligible[jid]:
                by_tech[tech.id].append(jid)
                c = evaluate(job, tech)
                if c is not None:
                    cache[jid][tech.id] = c
        techs = self.techs
        while pending:
            if deadline is not None and time.perf_counter() > deadline:
                break
            pick = None
            for jid, opts in cache.items():
                if not opts:
                    continue
                tid, c = min(opts.items(), key=lambda kv: kv[1])
                score = (-self.prize(pending[jid]) / max(1, c[0]), c[1], jid)
                if pick is None or score < pick[0]:
                    pick = (score, jid, tid, c[2])
            if pick is None:
                break
            _, jid, tid, pos = pick
            job = pending.pop(jid)
            del cache[jid]
            if not self.insert_at(job, tid, pos):  # pragma: no cover - the check is exact
                continue
            tech = techs[tid]
            for other in by_tech[tid]:
                if other in cache:
                    c = evaluate(pending[other], tech)
                    if c is None:
                        cache[other].pop(tid, None)
                    else:
                        cache[other][tid] = c

    def swap_repair(self, rounds: int = 2, deadline: float | None = None) -> int:
        """Trade served lower-prize jobs for left-out higher-prize ones.

        For each left-out job, most valuable first: insert it if it fits; else, on every
        qualified route, eject the one lower-prize job (not locked) whose removal lets it in
        at the best net gain (prize in - prize out - extra drive), then try to re-insert the
        ejected job elsewhere. Returns the number of improving moves."""
        import time

        moves = 0
        for _ in range(rounds):
            changed = False
            for job in sorted(self.unserved(), key=lambda j: (-self.prize(j), j.id)):
                if deadline is not None and time.perf_counter() > deadline:
                    return moves
                if job.id in self.where:
                    continue
                if self.insert(job):
                    moves += 1
                    changed = True
                    continue
                gain_in = self.prize(job)
                best = None
                for tech in self.eligible[job.id]:
                    r = self.routes[tech.id]
                    base_drive = r.drive
                    for i, v in enumerate(r.jobs):
                        pv = self.prize(v)
                        if v.locked or pv >= gain_in:
                            continue
                        rest = [*r.jobs[:i], *r.jobs[i + 1 :]]
                        trial = _Route(tech, rest)
                        if not self._fill(trial, tech, rest):
                            continue
                        jlo, jhi = job.earliest(tech), job.latest(tech)
                        jloc = self.jidx[job.id]
                        for k in range(len(rest) + 1):
                            c = self._fits_between(trial, k, jloc, jlo, jhi, job.service_minutes)
                            if c is None:
                                continue
                            net = gain_in - pv - (trial.drive + c - base_drive)
                            if net > 0 and (best is None or net > best[0]):
                                best = (net, tech.id, v, rest, k)
                if best is None:
                    best = self._multi_eject(job)
                    if best is None:
                        continue
                    _, tid, victims, seq = best
                else:
                    _, tid, victim, rest, k = best
                    victims, seq = [victim], [*rest[:k], job, *rest[k:]]
                for v in victims:
                    self.where.pop(v.id, None)
                self.set_route(tid, seq)
                for v in sorted(victims, key=lambda v: -self.prize(v)):
                    self.insert(v)
                moves += 1
                changed = True
            if not changed:
                break
        return moves

    def lns(self, deadline: float, seed: int = 1, ruin: int = 12) -> int:
        """Ruin and recreate until ``deadline``: take out a served job and its ``ruin``
        nearest served neighbours, put back those and the nearest left-out jobs by prize
        (shortest service first, with a little noise) at their cheapest positions, fill,
        and keep the result when the objective is no worse. Returns improving moves."""
        import random
        import time

        rng = random.Random(seed)
        M = self.M
        jobs = list(self.problem.jobs)
        by_id = {j.id: j for j in jobs}
        cur = self.objective()
        improved = 0
        while time.perf_counter() < deadline:
            served = [jid for jid, _ in self.where.items() if not by_id[jid].locked]
            if not served:
                break
            left_out = [j for j in jobs if j.id not in self.where]
            left_urgent = [j for j in left_out if j.rank <= 1]
            if not left_urgent and len(left_out) <= 0.1 * len(jobs):
                # (nearly) everything fits: packing the last few jobs in is what pays
                left_urgent = left_out
            pool = served
            if left_urgent and rng.random() < 0.3:
                # ruin around a left-out emergency/high job (it is put back first); half of
                # the time on the routes of one or two technicians who could take it, which
                # may be far from it (the edge of the area, a rare skill)
                seed_job = rng.choice(left_urgent)
                elig = self.eligible[seed_job.id]
                if elig and rng.random() < 0.5:
                    pick = {t.id for t in rng.sample(elig, min(len(elig), rng.randint(1, 2)))}
                    pool = [jid for jid in served if self.where[jid] in pick] or served
            else:
                seed_job = by_id[rng.choice(served)]
            sl = self.jidx[seed_job.id]
            row = M[sl]
            k = rng.randint(max(2, ruin // 2), ruin + ruin // 2)
            near = sorted(pool, key=lambda jid: row[self.jidx[jid]])[:k]
            left = [j for j in jobs if j.id not in self.where]
            near_left = sorted(left, key=lambda j: row[self.jidx[j.id]])[: k + 4]
            before = {tid: list(r.jobs) for tid, r in self.routes.items()}
            touched: dict[str, list[Job]] = {}
            for jid in near:
                tid = self.where[jid]
                touched.setdefault(tid, before[tid])
                self.remove(by_id[jid])
            cand = [by_id[jid] for jid in near] + near_left
            noise = {j.id: rng.random() * 30 for j in cand}
            cand.sort(key=lambda j: (-self.prize(j), j.service_minutes + noise[j.id]))
            by = "push" if rng.random() < self.push_share else "drive"
            for j in cand:
                if j.id in self.where:
                    continue
                found = self.best_insertion(j, by=by)
                if found is not None:
                    touched.setdefault(found[1], before[found[1]])
                    self.insert_at(j, found[1], found[2])
            new = self.objective()
            # never trade urgent work (emergency, high) for a pile of lower jobs, even when
            # the prizes would allow it: what dispatchers expect and the target
            urgent_out = sum(by_id[jid].rank <= 1 for jid in near)
            urgent_in = sum(j.rank <= 1 and j.id in self.where for j in cand)
            if new <= cur and urgent_in >= urgent_out:
                if new < cur:
                    improved += 1
                cur = new
            else:
                self._restore(touched)
        return improved

    def _restore(self, saved: Mapping[str, list[Job]]) -> None:
        """Put routes back as they were (``saved``: tech id -> sequence)."""
        for tid in saved:
            for j in self.routes[tid].jobs:
                self.where.pop(j.id, None)
        for tid, seq in saved.items():
            self._set(tid, seq)
            for j in seq:
                self.where[j.id] = tid

    def relocate_repair(self, jobs: Sequence[Job] | None = None, deadline: float | None = None):
        """Make room for left-out jobs by moving one served job elsewhere: for a left-out
        job (most valuable first; ``jobs`` restricts which), on each qualified route, take
        out one stop that can go to another technician's route, if the left-out job then
        fits in its place. Nothing is left out that was in, so every move gains the job's
        prize (less a little drive). Returns the number of jobs brought in."""
        import time

        gained = 0
        todo = self.unserved() if jobs is None else [j for j in jobs if j.id not in self.where]
        for job in sorted(todo, key=lambda j: (-self.prize(j), j.id)):
            if deadline is not None and time.perf_counter() > deadline:
                break
            if job.id in self.where or self.insert(job):
                gained += job.id in self.where
                continue
            done = False
            for tech in self.eligible[job.id]:
                for v, seq in self._in_place_of(job, tech):
                    others = [t for t in self.eligible[v.id] if t.id != tech.id]
                    moved = self.best_insertion(v, others)
                    if moved is None:
                        # one step further: v into a third route by moving one of its stops
                        if deadline is not None and time.perf_counter() > deadline:
                            break
                        done = self._chain(job, tech.id, seq, v, deadline)
                        gained += done
                        if done:
                            break
                        continue
                    self.where.pop(v.id, None)
                    self.set_route(tech.id, seq)
                    self.insert_at(v, moved[1], moved[2])
                    gained += 1
                    done = True
                    break
                if done:
                    break
        return gained

    def _in_place_of(self, job: Job, tech: Tech):
        """(stop taken out, new sequence) for each stop of ``tech``'s route (not locked)
        whose removal lets ``job`` in, at its cheapest position there."""
        r = self.routes[tech.id]
        for i, v in enumerate(r.jobs):
            if v.locked:
                continue
            rest = [*r.jobs[:i], *r.jobs[i + 1 :]]
            fit = self._fit_into(tech, rest, job)
            if fit is not None:
                yield v, [*rest[: fit[1]], job, *rest[fit[1] :]]

    def _fit_into(self, tech: Tech, jobs: list[Job], job: Job) -> tuple[int, int, int] | None:
        """(added drive, position, drive without ``job``) of ``job``'s cheapest feasible
        position in ``tech``'s route made of ``jobs`` (the board is untouched), or None."""
        trial = _Route(tech, jobs)
        if not self._fill(trial, tech, jobs):
            return None
        jloc, jlo, jhi = self.jidx[job.id], job.earliest(tech), job.latest(tech)
        fit = None
        for k in range(len(jobs) + 1):
            c = self._fits_between(trial, k, jloc, jlo, jhi, job.service_minutes)
            if c is not None and (fit is None or c < fit[0]):
                fit = (c, k)
        return None if fit is None else (fit[0], fit[1], trial.drive)

    def _chain(self, job: Job, tid: str, seq: list[Job], v: Job, deadline: float | None):
        """Bring ``job`` in as ``seq`` on ``tid``'s route, which takes ``v`` out: ``v`` goes to
        a second qualified route in place of one of its stops, which goes to a third
        route where it fits. Done (True) only when the objective improves."""
        import time

        for t2 in self.eligible[v.id]:
            if t2.id == tid:
                continue
            if deadline is not None and time.perf_counter() > deadline:
                return False
            for w, seq2 in self._in_place_of(v, t2):
                third = [t for t in self.eligible[w.id] if t.id not in (tid, t2.id)]
                dest = self.best_insertion(w, third)
                if dest is None:
                    continue
                before = self.objective()
                saved = {x: list(self.routes[x].jobs) for x in (tid, t2.id, dest[1])}
                self.where.pop(v.id, None)
                self.where.pop(w.id, None)
                self.set_route(tid, seq)
                self.set_route(t2.id, seq2)
                self.insert_at(w, dest[1], dest[2])
                if self.objective() < before:
                    return True
                self._restore(saved)
        return False

    def _multi_eject(self, job: Job):
        """Eject several lower-prize jobs from one route (cheapest prize first, longest
        service first) until ``job`` fits; the best net gain over the qualified routes as
        (net, tech id, ejected, new sequence), or None when no such trade pays."""
        gain_in = self.prize(job)
        best = None
        for tech in self.eligible[job.id]:
            r = self.routes[tech.id]
            lower = sorted(
                (v for v in r.jobs if not v.locked and self.prize(v) < gain_in),
                key=lambda v: (self.prize(v), -v.service_minutes),
            )
            if len(lower) < 2:
                continue
            kept = list(r.jobs)
            out: list[Job] = []
            lost = 0
            for v in lower:
                kept.remove(v)
                out.append(v)
                lost += self.prize(v)
                if lost >= gain_in:
                    break
                fit = self._fit_into(tech, kept, job)
                if fit is None:
                    continue
                net = gain_in - lost - (fit[2] + fit[0] - r.drive)
                if net > 0 and (best is None or net > best[0]):
                    best = (net, tech.id, list(out), [*kept[: fit[1]], job, *kept[fit[1] :]])
                break
        return best

    def _fill(self, trial: _Route, tech: Tech, jobs: list[Job]) -> bool:
        """Bounds of a hypothetical route into ``trial`` (the board is untouched)."""
        tid = tech.id
        saved = self.routes[tid]
        self.routes[tid] = trial
        try:
            ok = self._set(tid, jobs)
        finally:
            self.routes[tid] = saved
        return ok
