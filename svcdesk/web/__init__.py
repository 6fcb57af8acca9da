"""The technician's phone: a small web app served by `svcdesk serve` (docs/field-app.md).

`create_app(engine)` builds the FastAPI app; templates/ and static/ ship in the package
(htmx included as a file: no CDN, no build step)."""

from svcdesk.web.app import create_app

__all__ = ["create_app"]
