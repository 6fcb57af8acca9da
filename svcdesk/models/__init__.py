"""All tables. Importing this package registers every table on SQLModel.metadata.

Every module in this package is imported automatically, so an area adds its tables by
adding a module here (no edit of this file needed). The core names are re-exported."""

import importlib
import pkgutil

from svcdesk.models.base import (
    OPEN_STATUSES,
    CustomerKind,
    OrderKind,
    OrderSource,
    OrderStatus,
    Priority,
    VisitOutcome,
    VisitStatus,
)
from svcdesk.models.crm import Asset, Contact, Customer, CustomerEvent, PossibleDuplicate, Site
from svcdesk.models.orders import Note, OrderEvent, Visit, VisitTechnician, WorkOrder
from svcdesk.models.system import Sequence, Setting
from svcdesk.models.workforce import Shift, Skill, Technician, TechnicianSkill, TimeOff

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")

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
]
