"""A worker process for the concurrency test: a bounded run of mixed writes."""

from __future__ import annotations

import random
from datetime import timedelta

from svcdesk.db import make_engine, write_session
from svcdesk.errors import BookingRefused, Conflict, InvalidInput, InvalidTransition
from svcdesk.models import Technician
from svcdesk.services.execution import order_progress
from svcdesk.services.orders import intake, lifecycle, notes, scheduling


def work(db: str, worker: int, rounds: int, queue) -> None:
    engine = make_engine(db)
    rng = random.Random(worker)
    outcome = {
        "created": 0,
        "notes": 0,
        "moves": 0,
        "booked": 0,
        "conflicts": 0,
        "refused": 0,
        "errors": [],
    }
    for n in range(rounds):
        try:
            with write_session(engine) as s:
                order, created = intake.create_order(
                    s,
                    intake.IntakeRequest(
                        summary=f"w{worker} job {n}",
                        customer=f"Worker {worker}",
                        phone=f"512-555-{worker:02d}{n % 100:02d}",
                        address=f"{n} Main St",
                        external_ref=f"w{worker}-{n}",
                    ),
                    actor=f"w{worker}",
                )
                outcome["created"] += created
            with write_session(engine) as s:
                target = lifecycle.get_order(s, str(rng.randint(1, order.id)))
                notes.add_note(s, target, f"note from w{worker}", author=f"w{worker}")
                outcome["notes"] += 1
            with write_session(engine) as s:
                target = lifecycle.get_order(s, str(rng.randint(1, order.id)))
                move = rng.choice(["on_hold", "new", "cancelled"])
                order_progress.change_order_status(
                    s, target, move, reason="hammer", actor=f"w{worker}"
                )  # as the faces move orders: the visits follow
                outcome["moves"] += 1
            with write_session(engine) as s:
                target = lifecycle.get_order(s, order.number)
                tech = s.get(Technician, rng.randint(1, 3))
                start = target.created_at.replace(
                    hour=15, minute=0, second=0, microsecond=0
                ) + timedelta(days=rng.randint(0, 2), minutes=30 * rng.randint(0, 10))
                scheduling.book_visit(s, target, [tech], start, 30, actor=f"w{worker}")
                outcome["booked"] += 1
        except Conflict:
            outcome["conflicts"] += 1
        except (BookingRefused, InvalidTransition, InvalidInput):
            outcome["refused"] += 1
        except Exception as exc:  # anything else is a failure the test reports
            outcome["errors"].append(f"{type(exc).__name__}: {exc}")
    engine.dispose()
    queue.put(outcome)
