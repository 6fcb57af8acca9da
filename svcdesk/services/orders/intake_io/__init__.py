"""Scripted intake: files (CSV, JSON, JSON Lines, stdin) turned into work orders in one
batch. `run_file_intake` is the entry point; `columns.RowParser` also serves the
one-order `svcdesk intake` flags."""

from svcdesk.services.orders.intake_io.columns import COLUMNS, REQUIRED, RowInvalid, RowParser
from svcdesk.services.orders.intake_io.reader import FORMATS, IntakeSource, open_source
from svcdesk.services.orders.intake_io.run import BatchResult, import_source, run_file_intake

__all__ = [
    "COLUMNS",
    "FORMATS",
    "REQUIRED",
    "BatchResult",
    "IntakeSource",
    "RowInvalid",
    "RowParser",
    "import_source",
    "open_source",
    "run_file_intake",
]
