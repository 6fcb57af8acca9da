"""Starting a shop: `svcdesk init` (the database, company, time zone, hours, default tax zone)."""
