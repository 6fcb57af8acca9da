"""How values look in tables: SLA time left coloured by the SLA state, priority.

Whether an order is at risk, late or paused is decided in one place only,
`services/agreements/sla_state.py` (business hours, holds, the at-risk setting); the
console maps that state to a colour here, the same for the board and the order screen."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text

from svcdesk.clock import now
from svcdesk.services.agreements.sla_state import AT_RISK, BREACHED, MISSED, PAUSED, SlaState

PRIORITY_STYLE = {"emergency": "bold red", "high": "bold dark_orange", "low": "dim"}
LATE_STYLE = "bold red"
SOON_STYLE = "bold dark_orange"
SLA_STYLE = {BREACHED: LATE_STYLE, MISSED: LATE_STYLE, AT_RISK: SOON_STYLE, PAUSED: "dim"}


def span(delta: timedelta) -> str:
    """'2d 4h', '3h 05m', '12m' for a positive duration."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def sla_cell(state: SlaState | None) -> Text:
    """Calendar time to the SLA target now running ('3h 05m', 'late 1h 10m', 'hold 2h'),
    coloured by the SLA state: breached/missed red, at risk amber, paused on hold dim."""
    if state is None:
        return Text("")
    left = state.due - now()
    text = f"late {span(-left)}" if left <= timedelta(0) else span(left)
    if state.state == PAUSED:
        text = f"hold {text}"
    return Text(text, style=SLA_STYLE.get(state.state, ""))


def priority_cell(priority: str) -> Text:
    return Text(priority, style=PRIORITY_STYLE.get(priority, ""))


def clip(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
