from __future__ import annotations

import math

import numpy as np
from routing_helpers import BASE, at

from svcdesk.routing.model import Location
from svcdesk.routing.travel import (
    HaversineTravel,
    MatrixTravel,
    TravelCache,
    haversine_km,
    locate_zip,
)


def test_haversine_one_degree_of_latitude():
    km = haversine_km(Location(0.0, 0.0), Location(1.0, 0.0))
    assert math.isclose(km, 111.195, rel_tol=1e-3)


def test_leg_minutes_round_up_and_road_factor():
    tr = HaversineTravel(road_factor=1.5, speed_kmh=30)
    a, b = Location(0.0, 0.0), Location(0.1, 0.0)  # 11.12 km straight
    leg = tr.leg(a, b)
    assert math.isclose(leg.km, 11.1195 * 1.5, rel_tol=1e-3)
    # 16.68 km at 30 km/h = 33.4 min -> 34
    assert leg.minutes == 34
    assert tr.leg(a, a).minutes == 0 and tr.leg(a, a).km == 0


def test_nearby_places_are_at_least_one_minute_apart():
    tr = HaversineTravel()
    assert tr.leg(BASE, at(0.01, 0)).minutes == 1


def test_matrix_matches_legs():
    tr = HaversineTravel()
    locs = [BASE, at(3, 4), at(-10, 2), at(25, -7)]
    m = tr.matrix(locs)
    assert m.minutes.dtype == np.int64
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            assert m.minutes[i, j] == tr.leg(a, b).minutes
            assert math.isclose(m.km[i, j], tr.leg(a, b).km, abs_tol=1e-9)


def test_cache_serves_a_day_and_subsets():
    calls = []

    class Counting(HaversineTravel):
        def matrix(self, locations):
            calls.append(len(locations))
            return super().matrix(locations)

    cache = TravelCache(Counting(), max_days=2)
    locs = [BASE, at(1, 1), at(2, 5)]
    m1 = cache.matrix(locs, "2025-03-01")
    m2 = cache.matrix(locs, "2025-03-01")
    sub = cache.matrix([locs[2], locs[0]], "2025-03-01")
    assert m1 is m2 and calls == [3]
    assert sub.minutes[0, 1] == m1.minutes[2, 0]
    cache.matrix(locs, "2025-03-02")
    cache.matrix(locs, "2025-03-03")  # evicts the first day
    cache.matrix(locs, "2025-03-01")
    assert calls == [3, 3, 3, 3]


def test_matrix_travel_provider():
    locs = [Location(0, 0), Location(0, 1)]
    tr = MatrixTravel(locs, np.array([[0, 7], [9, 0]]))
    assert tr.leg(locs[1], locs[0]).minutes == 9
    assert tr.matrix(locs[::-1]).minutes.tolist() == [[0, 9], [7, 0]]


def test_locate_zip_offline():
    loc = locate_zip("10001")
    assert loc is not None
    assert 40.5 < loc.lat < 41.0 and -74.2 < loc.lon < -73.8
    assert locate_zip("10001-1234") == loc
    assert locate_zip("00000") is None
    assert locate_zip("abc") is None
    assert locate_zip("") is None
