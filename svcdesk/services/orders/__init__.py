"""An order's life: intake (one call or a file), the status lifecycle, booking visits,
the hooks other areas run on creation and status change, notes, and the board's read queries."""
