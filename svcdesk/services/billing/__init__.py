"""Pricing and billing: price book, quotes, invoices, payments, receivables, documents.

Modules: `arith` (the pure money rules), `pricebook` + `pricebook_csv`, `labor` (which rate
applies to a time entry), `coverage` (warranty / agreement), `quotes`, `invoices` (create,
edit, issue, void; `create_invoice` is the public entry for other areas), `from_order`
(one action: a completed order -> a draft invoice), `payments`, `aging`, `views` (read
models for the CLI and TUI), `documents` (plain text) and `pdf`."""
