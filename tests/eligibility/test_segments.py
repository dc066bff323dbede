"""Distances to zone outlines (``cesp.eligibility.segments``) against GEOS's own.

The segment index answers "how far is the nearest boundary" from midpoints of short
segments; what it claims proven must be exact, and ``exact`` must be exact for every
point, including points so far away that no number of nearest midpoints proves
anything (the last, one-by-one search). Polygons are small synthetic ones in metres:
two neighbours sharing a border (dropped: the outline is their union's), a hole, and a
long straight edge (the worst case for a proof from nearest midpoints). Segment vectors
are stored in 32-bit floats: distances agree to 10 micrometres, not to the last bit.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from cesp.eligibility.segments import MAX_SEGMENT_M, SegmentIndex

TOLERANCE_M = 1e-4


def _polygons() -> np.ndarray:
    left = box(0, 0, 10_000, 10_000)
    right = box(10_000, 0, 20_000, 10_000)
    holed = Polygon(
        [(30_000, 0), (33_000, 0), (33_000, 3_000), (30_000, 3_000)],
        holes=[[(31_000, 1_000), (32_000, 1_000), (32_000, 2_000), (31_000, 2_000)]],
    )
    star = shapely.Polygon(
        [
            (40_000 + r * np.cos(a), 5_000 + r * np.sin(a))
            for a, r in zip(
                np.linspace(0, 2 * np.pi, 40, endpoint=False), [3_000, 1_200] * 20, strict=True
            )
        ]
    )
    return np.array([left, right, holed, star], dtype=object)


def _points(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    near_x = rng.uniform(-2_000, 45_000, 3_000)
    near_y = rng.uniform(-2_000, 12_000, 3_000)
    # Far below the long edge: no midpoint count proves these, the last search must.
    far_x = rng.uniform(5_000, 15_000, 20)
    far_y = rng.uniform(-400_000, -150_000, 20)
    return np.concatenate([near_x, far_x]), np.concatenate([near_y, far_y])


def test_proven_and_exact_distances_are_those_of_geos() -> None:
    polygons = _polygons()
    x, y = _points(np.random.default_rng(5))
    index = SegmentIndex(polygons, drop_shared=True)
    outline = shapely.boundary(shapely.union_all(polygons))
    truth = shapely.distance(outline, shapely.points(x, y))

    found, owner, proven = index.nearest(x, y)
    assert np.all(found >= truth - TOLERANCE_M), "a segment's distance is never below the outline's"
    assert np.allclose(found[proven], truth[proven], rtol=0, atol=TOLERANCE_M)
    assert proven[:3_000].mean() > 0.5 and not proven[3_000:].any()
    # The proven nearest polygon's own boundary is that far.
    for i in np.flatnonzero(proven)[:200]:
        edge = shapely.boundary(polygons[owner[i]])
        assert shapely.distance(edge, shapely.Point(x[i], y[i])) <= found[i] + TOLERANCE_M

    # The coarse grid lets through every point that could be within a segment's length.
    near = truth <= MAX_SEGMENT_M
    assert index.maybe_near(x, y)[near].all() and not index.maybe_near(x, y)[truth > 2_000].any()

    exact = index.exact(x[~proven], y[~proven], found[~proven])
    assert np.allclose(exact, truth[~proven], rtol=0, atol=TOLERANCE_M)


def test_the_shared_border_is_not_an_edge() -> None:
    index = SegmentIndex(_polygons(), drop_shared=True)
    x, y = np.array([10_000.0]), np.array([5_000.0])
    distance, _, _ = index.nearest(x, y)
    assert abs(index.exact(x, y, distance)[0] - 5_000.0) <= TOLERANCE_M


def test_a_query_bounded_by_a_band_decides_the_band_as_the_unbounded_one() -> None:
    """``within``: what a point inside a zone asks (is an edge within the band?)."""
    polygons = _polygons()
    x, y = _points(np.random.default_rng(11))
    # Points on the band's limit, on both sides: the decision must not move there.
    on_edge = np.linspace(100, 9_900, 200)
    x = np.concatenate([x, np.full(200, 50.0), np.full(200, 50.000001), np.full(200, 49.999999)])
    y = np.concatenate([y, on_edge, on_edge, on_edge])
    index = SegmentIndex(polygons, drop_shared=True)
    truth = shapely.distance(shapely.boundary(shapely.union_all(polygons)), shapely.points(x, y))
    band = 50.0

    found, owner, proven = index.nearest(x, y, within=band + index.max_half)
    assert np.isinf(found[truth > band + 2 * index.max_half]).all()
    assert (owner[np.isinf(found)] == -1).all()
    refine = ~proven & (found > band) & (found - index.max_half <= band)
    found[refine] = index.exact(x[refine], y[refine], found[refine])
    decided = found <= band
    clear = np.abs(truth - band) > TOLERANCE_M
    assert (decided[clear] == (truth[clear] <= band)).all()
    assert decided[truth <= band - TOLERANCE_M].all() and decided.sum() > 300
    # Within the band, the distance is the unbounded query's.
    close = found <= band
    assert np.allclose(found[close], truth[close], rtol=0, atol=TOLERANCE_M)
