"""Pure routing layer: travel times, solvers and a feasibility checker.

No database or UI imports: the dispatch service feeds it plain dataclasses
(``Job``, ``Tech``, ``Problem``) and gets a ``Plan`` back. See docs/routing.md.
"""

from svcdesk.routing.check import Violation, check_plan
from svcdesk.routing.model import (
    PRIORITIES,
    BreakSlot,
    Job,
    Location,
    LunchBreak,
    Plan,
    Problem,
    Route,
    Stop,
    Tech,
    Unassigned,
)
from svcdesk.routing.portfolio import PortfolioSolver, plan_objective
from svcdesk.routing.solver import (
    GreedySolver,
    Insertion,
    PyVRPSolver,
    RouteSolver,
    insert_job,
    route_one,
)
from svcdesk.routing.travel import (
    HaversineTravel,
    Leg,
    MatrixTravel,
    TravelCache,
    TravelTimeProvider,
    locate_zip,
)

__all__ = [
    "PRIORITIES",
    "BreakSlot",
    "GreedySolver",
    "HaversineTravel",
    "Insertion",
    "Job",
    "Leg",
    "Location",
    "LunchBreak",
    "MatrixTravel",
    "Plan",
    "PortfolioSolver",
    "Problem",
    "PyVRPSolver",
    "Route",
    "RouteSolver",
    "Stop",
    "Tech",
    "TravelCache",
    "TravelTimeProvider",
    "Unassigned",
    "Violation",
    "check_plan",
    "insert_job",
    "locate_zip",
    "plan_objective",
    "route_one",
]
