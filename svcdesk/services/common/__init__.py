"""Shared building blocks every area uses: money, quantities, time parsing and display,
shop settings, the working calendar and recurrence, document sequences, the order event log,
search and SQL helpers, and `db check`'s invariant registry."""
