"""Travel times between locations, with no network access.

``TravelTimeProvider`` is the interface the solvers use; ``HaversineTravel`` is the default:
great-circle km x a road factor, driven at an average speed, rounded UP to whole minutes
(an ETA should never be optimistic; two different places are at least one minute apart).
``TravelCache`` keeps the matrices of the current day(s) so re-planning does not recompute
them. ``locate_zip`` gives the centroid of a US ZIP code from the offline ``zipcodes``
package (its data ships inside the wheel), or None.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from svcdesk.routing.model import Location

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Leg:
    minutes: int
    km: float


@dataclass(frozen=True)
class TravelMatrix:
    """Square matrices over ``locations`` (same order): whole minutes and km."""

    locations: tuple[Location, ...]
    minutes: np.ndarray  # int64, shape (n, n), zero diagonal
    km: np.ndarray  # float64, shape (n, n)

    def index(self) -> dict[Location, int]:
        return {loc: i for i, loc in enumerate(self.locations)}


@runtime_checkable
class TravelTimeProvider(Protocol):
    def leg(self, a: Location, b: Location) -> Leg:
        """Drive from a to b."""
        ...

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        """All legs between ``locations``."""
        ...


def haversine_km(a: Location, b: Location) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_km_matrix(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lats), np.radians(lons)
    dp = la[None, :] - la[:, None]
    dl = lo[None, :] - lo[:, None]
    h = np.sin(dp / 2) ** 2 + np.cos(la)[:, None] * np.cos(la)[None, :] * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


class HaversineTravel:
    """Straight-line distance x ``road_factor`` at ``speed_kmh``; minutes rounded up."""

    def __init__(self, road_factor: float = 1.3, speed_kmh: float = 40.0) -> None:
        if road_factor <= 0 or speed_kmh <= 0:
            raise ValueError("road_factor and speed_kmh must be positive")
        self.road_factor = road_factor
        self.speed_kmh = speed_kmh

    def __repr__(self) -> str:
        return f"HaversineTravel(road_factor={self.road_factor}, speed_kmh={self.speed_kmh})"

    def _minutes(self, km: float) -> int:
        if km <= 0:
            return 0
        # tiny epsilon so that an exact whole number of minutes is not bumped up by
        # floating-point noise
        return max(1, math.ceil(km / self.speed_kmh * 60 - 1e-9))

    def leg(self, a: Location, b: Location) -> Leg:
        if a == b:
            return Leg(0, 0.0)
        km = haversine_km(a, b) * self.road_factor
        return Leg(self._minutes(km), km)

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        locs = tuple(locations)
        if not locs:
            return TravelMatrix(locs, np.zeros((0, 0), np.int64), np.zeros((0, 0)))
        lats = np.fromiter((p.lat for p in locs), float, len(locs))
        lons = np.fromiter((p.lon for p in locs), float, len(locs))
        km = haversine_km_matrix(lats, lons) * self.road_factor
        minutes = np.ceil(km / self.speed_kmh * 60 - 1e-9)
        minutes = np.where(km > 0, np.maximum(minutes, 1), 0).astype(np.int64)
        np.fill_diagonal(minutes, 0)
        np.fill_diagonal(km, 0.0)
        return TravelMatrix(locs, minutes, km)


class MatrixTravel:
    """A provider over a fixed, precomputed matrix (tests, benchmarks, road-network data)."""

    def __init__(
        self,
        locations: Sequence[Location],
        minutes: np.ndarray,
        km: np.ndarray | None = None,
    ) -> None:
        self.locations = tuple(locations)
        self._idx = {loc: i for i, loc in enumerate(self.locations)}
        self.minutes = np.asarray(minutes, dtype=np.int64)
        self.km = np.asarray(km if km is not None else minutes, dtype=float)

    def leg(self, a: Location, b: Location) -> Leg:
        i, j = self._idx[a], self._idx[b]
        return Leg(int(self.minutes[i, j]), float(self.km[i, j]))

    def matrix(self, locations: Sequence[Location]) -> TravelMatrix:
        locs = tuple(locations)
        ix = np.fromiter((self._idx[p] for p in locs), np.int64, len(locs))
        return TravelMatrix(locs, self.minutes[np.ix_(ix, ix)], self.km[np.ix_(ix, ix)])


class TravelCache:
    """Wraps a provider and caches one matrix per (day, location set).

    Only the ``max_days`` most recently used days are kept. Within a day, a request for a
    subset of an already cached location set is served from it (the common case when the
    dispatcher re-plans or inserts an emergency).
    """

    def __init__(self, provider: TravelTimeProvider, max_days: int = 3) -> None:
        self.provider = provider
        self.max_days = max_days
        self._days: OrderedDict[Hashable, list[TravelMatrix]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def leg(self, a: Location, b: Location) -> Leg:
        return self.provider.leg(a, b)

    def clear(self) -> None:
        self._days.clear()

    def matrix(self, locations: Sequence[Location], day: Hashable = None) -> TravelMatrix:
        locs = tuple(locations)
        entries = self._days.get(day)
        if entries is not None:
            self._days.move_to_end(day)
            want = set(locs)
            for m in entries:
                idx = m.index()
                if want <= idx.keys():
                    self.hits += 1
                    if m.locations == locs:
                        return m
                    ix = np.fromiter((idx[p] for p in locs), np.int64, len(locs))
                    return TravelMatrix(locs, m.minutes[np.ix_(ix, ix)], m.km[np.ix_(ix, ix)])
        self.misses += 1
        m = self.provider.matrix(locs)
        self._days.setdefault(day, []).append(m)
        self._days.move_to_end(day)
        while len(self._days) > self.max_days:
            self._days.popitem(last=False)
        return m


def matrix_for(
    provider: TravelTimeProvider, locations: Sequence[Location], day: Hashable = None
) -> TravelMatrix:
    if isinstance(provider, TravelCache):
        return provider.matrix(locations, day)
    return provider.matrix(locations)


@lru_cache(maxsize=4096)
def locate_zip(zip_code: str) -> Location | None:
    """Centroid of a US ZIP code (5 digits, ZIP+4 accepted), offline; None if unknown.

    Uses the ``zipcodes`` package, which ships its data inside the wheel. Returns None
    (never raises) when the package is missing or the code is not a known ZIP.
    """
    code = (zip_code or "").strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return None
    try:
        import zipcodes
    except ImportError:  # pragma: no cover - dependency missing
        return None
    try:
        hits = zipcodes.matching(code)
    except (ValueError, TypeError):
        return None
    for h in hits:
        try:
            return Location(float(h["lat"]), float(h["long"]))
        except (KeyError, TypeError, ValueError):
            continue
    return None
