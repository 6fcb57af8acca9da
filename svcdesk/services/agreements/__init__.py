"""Service agreements and what they promise: coverage, SLA clocks and their state,
preventive-maintenance plans and the orders they generate, follow-ups and recall detection."""
