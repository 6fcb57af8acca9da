"""The root `--help` and command completion from this index, without importing any command
module (importing all of them, fpdf and routing included, was most of `svcdesk --help`'s
1.5 s). tests/cli/test_cli_index.py keeps it equal to what the modules register; a
command missing here still works and is listed (its module is imported for it).
Hidden aliases are in HIDDEN (left out of help and completion, as Typer leaves them)."""

from __future__ import annotations

SHORT_HELP: dict[str, str] = {
    "agreements": "Service agreements: coverage, SLA terms, renewals, billing.",
    "alerts": "Orders sitting in limbo (no event for longer than stale.hours.<status>) and more.",
    "assets": "Equipment: service history, warranty, covering plans.",
    "attach": "Files on an order or visit (stored under a content hash) and customer sign-off.",
    "audit": "Who did what, and when: every change to orders and the shop's records, with the values before and after.",
    "checklist": "Checklists: templates (readings, yes/no items) attached to visits and answered.",
    "closeout": "The closeout queue: each completed order with what it lacks and the command to fix it.",
    "customers": "Customers, their sites, contacts and equipment.",
    "db": "Database location, creation and backups.",
    "demo": "Build a realistic demo shop (Austin, TX) in the database.",
    "dispatch": "Who should go, in what order: suggestions, the day plan, emergencies, routes.",
    "export": "Files for scripts and spreadsheets: full or incremental (cron-safe) exports.",
    "followups": "Follow-up tasks after completion (callback, inspection, review).",
    "init": "Start a shop: create the database with the company name, time zone, business hours, default tax zone and optionally its first staff member, labor rate and contact details.",
    "intake": "Take a call (one order from flags) or import a file of requests (--file).",
    "invoices": "Invoices: build from an order, edit drafts, send, pay, void, PDF.",
    "links": "Links customers open: approve a quote, see an invoice, ask for service.",
    "messages": "Messages to customers: the outbox, sending, templates, preferences.",
    "orders": "Work orders: list, show, move through their life, book visits.",
    "parts": "The parts catalog: SKU, prices, reorder point, vendor.",
    "payments": "Payments received against invoices.",
    "pm": "Preventive maintenance: plans (RFC 5545 rules), preview, generate orders.",
    "pricebook": "Price book: flat-rate tasks, fees, labor rates, markup tiers.",
    "quotes": "Quotes (estimates) with good/better/best options.",
    "recalls": "Possible recalls: confirm (links callback_of) or dismiss.",
    "receivables": "What customers owe.",
    "report": "Reports: the shop's KPIs over a period.",
    "schedule": "The day's schedule and where every technician is (as in the console).",
    "serve": "Serve the field app for technicians' phones from this database.",
    "settings": "Shop settings: time zone, hours, company details, SLA targets, billing, tax zone.",
    "sites": "Sites: where the work is done (address, tax zone, access).",
    "sla": "SLA clocks: open orders at risk or breached, compliance.",
    "staff": "Office staff: the names `--as` accepts (changes are recorded on behalf of you).",
    "stock": "Stock: the move ledger, on-hand per warehouse/truck, parts used, reorder, restock.",
    "tax": "Sales tax: zones and their rates.",
    "techs": "Technicians, their skills, shifts and time off.",
    "time": "Time cards: travel/work/break/shop entries, daily regular/overtime, approval.",
    "visits": "Visit progress: en route, arrived, completed with an outcome; crews' own times.",
}

HIDDEN: frozenset[str] = frozenset({"invoice", "quote"})
