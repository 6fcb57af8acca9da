"""How values look in tables: SLA time left (red overdue, amber under 2 h), priority."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text

from svcdesk.clock import now

AMBER_WITHIN = timedelta(hours=2)
PRIORITY_STYLE = {"emergency": "bold red", "high": "bold dark_orange", "low": "dim"}
LATE_STYLE = "bold red"
SOON_STYLE = "bold dark_orange"


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


def sla_state(due: datetime | None, at: datetime | None = None) -> str:
    """'late', 'soon' (due within 2 h), 'ok' or 'none'."""
    if due is None:
        return "none"
    left = due - (at or now())
    if left <= timedelta(0):
        return "late"
    return "soon" if left <= AMBER_WITHIN else "ok"


def sla_cell(due: datetime | None, at: datetime | None = None) -> Text:
    state = sla_state(due, at)
    if state == "none":
        return Text("")
    left = due - (at or now())
    if state == "late":
        return Text(f"late {span(-left)}", style=LATE_STYLE)
    return Text(span(left), style=SOON_STYLE if state == "soon" else "")


def priority_cell(priority: str) -> Text:
    return Text(priority, style=PRIORITY_STYLE.get(priority, ""))


def clip(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
