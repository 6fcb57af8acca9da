"""Typed user-facing errors. Each carries a one-line message; the CLI prints it and exits 1,
the TUI shows it as a notification. Anything else is a bug and keeps its traceback."""


class SvcDeskError(Exception):
    """Base class for errors a user can cause and fix."""

    title = "Error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(SvcDeskError):
    title = "Not found"


class InvalidInput(SvcDeskError):
    title = "Invalid input"


class InvalidTransition(SvcDeskError):
    title = "Not allowed"

    def __init__(self, message: str, allowed: tuple[str, ...] = ()):
        super().__init__(message)
        self.allowed = allowed


class Conflict(SvcDeskError):
    title = "Changed by someone else"


class Busy(SvcDeskError):
    """The database stayed locked by another writer for too long."""

    title = "Database busy"


class BookingRefused(SvcDeskError):
    """A visit cannot be booked; `reasons` lists every failed rule (force overrides)."""

    title = "Booking refused"

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class BatchRejected(SvcDeskError):
    """A batch had bad rows; nothing was written. `lines` holds one message per bad row."""

    title = "Batch rejected"

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines
