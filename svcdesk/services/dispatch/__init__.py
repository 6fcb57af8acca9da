"""Smart dispatch over the database: suggestions, the day plan, emergency insert, routes.

The pure routing layer is `svcdesk.routing`; this package turns a shop day into a routing
problem (`problem.py`), and routing plans back into bookings through `services/orders/scheduling`.
See docs/dispatch.md."""
