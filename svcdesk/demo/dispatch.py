"""Demo step 50: calls taken this morning for the next working day (tomorrow, or the day after
a shop holiday), with the customers' arrival windows.

The core step leaves new orders without windows (the backlog); a believable day plan for
tomorrow also needs promised windows ("between 8 and 12", "after 1 pm"), so this step
takes a dozen such calls through intake, at existing sites, timed earlier today.
`svcdesk dispatch plan` (default: the next working day) then has windows, a backlog and booked visits
to work with."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session

from svcdesk import clock
from svcdesk.demo import DemoContext
from svcdesk.demo.core import _load, _pick
from svcdesk.models import Site
from svcdesk.services.dispatch.holidays import next_plan_day
from svcdesk.services.orders import intake

ORDER = 50
CALLS = 12
WINDOWS = [((8, 0), (12, 0)), ((12, 0), (17, 0)), ((8, 0), (10, 0)), ((10, 0), (12, 0)),
           ((13, 0), (15, 0)), ((15, 0), (17, 0))]  # fmt: skip
PRIORITIES = [("high", 25), ("normal", 60), ("low", 15)]


def run(session: Session, ctx: DemoContext) -> None:
    rng = ctx.rng
    _, _, jobs = _load()
    local_now = ctx.now.astimezone(ctx.zone)
    tomorrow = next_plan_day(session, local_now.date())
    for i in range(CALLS):
        site = session.get(Site, rng.choice(ctx.sites))
        job = rng.choice(jobs)
        (h1, m1), (h2, m2) = rng.choice(WINDOWS)
        start = datetime.combine(tomorrow, time(h1, m1), tzinfo=ctx.zone)
        end = datetime.combine(tomorrow, time(h2, m2), tzinfo=ctx.zone)
        with clock.at(ctx.now - timedelta(minutes=20 * (CALLS - i))):
            order, _ = intake.create_order(
                session,
                intake.IntakeRequest(
                    summary=job["summary"],
                    customer_id=site.customer_id,
                    site_id=site.id,
                    priority=_pick(rng, PRIORITIES),
                    skill=job["skill"],
                    kind=job["kind"],
                    est_minutes=int(job["est_minutes"]),
                    window_start=start,
                    window_end=end,
                    source="phone",
                ),
                actor=rng.choice(["dana", "lee"]),
            )
        ctx.order_numbers.append(order.number)
