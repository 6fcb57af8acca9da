"""The tables, one module per area. A module's tables are built when it is first imported.

Importing this package builds no table: `from svcdesk.models import WorkOrder` imports
`models/orders.py` (module `__getattr__`), so a command builds only the classes it uses
(building all ~60 SQLModel classes was ~0.4 s of CPU on every start). Whatever needs every
table (`create_all`, Alembic's env, `db check`, `db migrate-to`, a customer merge's sweep
over foreign keys, tests) calls `all_models()` first.

A table's foreign keys name tables of other modules; SQLAlchemy resolves them when the
ORM first configures its mappers (before a query or a new object). `load_referenced`
imports the modules `REFERENCES` names for every module already imported, just before
that (a `before_configured` listener, registered by models/base.py, which every table
module imports), so a flush never meets a foreign key to a table that was not built.
`tests/unit/core/test_lazy_models.py` keeps REFERENCES equal to the real foreign keys.

Importing this package imports neither SQLModel nor the ORM: the enums come from
models/core.py, which also has the Core views the lean reads use (`orders list`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from svcdesk.models.core import (
    OPEN_STATUSES,
    CustomerKind,
    OrderKind,
    OrderSource,
    OrderStatus,
    Priority,
    VisitOutcome,
    VisitStatus,
)

if TYPE_CHECKING:
    from sqlalchemy import Table

# the module that defines each table class re-exported here
_HOME = {
    "Asset": "crm",
    "Contact": "crm",
    "Customer": "crm",
    "CustomerEvent": "crm",
    "PossibleDuplicate": "crm",
    "Site": "crm",
    "Note": "orders",
    "OrderEvent": "orders",
    "Visit": "orders",
    "VisitTechnician": "orders",
    "WorkOrder": "orders",
    "Sequence": "system",
    "Setting": "system",
    "Shift": "workforce",
    "Skill": "workforce",
    "Technician": "workforce",
    "TechnicianSkill": "workforce",
    "TimeOff": "workforce",
}

# module -> the other modules whose tables its foreign keys name
REFERENCES: dict[str, tuple[str, ...]] = {
    "agreements": ("crm", "orders", "workforce"),
    "billing": ("crm", "orders"),
    "crm": ("orders", "shop"),
    "execution": ("orders", "workforce"),
    "field": ("workforce",),
    "followup": ("orders",),
    "inventory": ("orders", "workforce"),
    "messages": ("billing", "crm", "orders"),
    "orders": ("crm", "workforce"),
    "portal": ("billing", "crm"),
    "shop": ("workforce",),
}


def all_models() -> list[Table]:
    """Build every table (on SQLModel.metadata) and return them in foreign-key order: for
    create_all, Alembic, whole-database sweeps and tests."""
    from sqlmodel import SQLModel

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return SQLModel.metadata.sorted_tables


def load_referenced() -> None:
    todo = [name for name in REFERENCES if f"{__name__}.{name}" in sys.modules]
    while todo:
        for other in REFERENCES.get(todo.pop(), ()):
            if f"{__name__}.{other}" not in sys.modules:
                importlib.import_module(f"{__name__}.{other}")
                todo.append(other)


def __getattr__(name: str) -> Any:
    module: ModuleType
    if name in _HOME:
        module = importlib.import_module(f"{__name__}.{_HOME[name]}")
        return getattr(module, name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


__all__ = [
    "OPEN_STATUSES",
    "Asset",
    "Contact",
    "Customer",
    "CustomerEvent",
    "CustomerKind",
    "Note",
    "OrderEvent",
    "OrderKind",
    "OrderSource",
    "OrderStatus",
    "PossibleDuplicate",
    "Priority",
    "Sequence",
    "Setting",
    "Shift",
    "Site",
    "Skill",
    "Technician",
    "TechnicianSkill",
    "TimeOff",
    "Visit",
    "VisitOutcome",
    "VisitStatus",
    "VisitTechnician",
    "WorkOrder",
    "all_models",
]
