"""The domain rules. Plain functions over a Session; no UI imports (textual, typer, rich).

Python runs this file before any service module: it connects the areas' answers to the
order hooks (`orders/hooks.py`), so that the orders area need not import the areas above it."""

from svcdesk.services.agreements.order_hooks import HOOKS as _AGREEMENT_HOOKS
from svcdesk.services.orders.hooks import register as _register_order_hooks

_register_order_hooks(_AGREEMENT_HOOKS)
