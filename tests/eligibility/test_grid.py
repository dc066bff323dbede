"""The grid of cells that answers "which polygons hold a point" mostly by look-up.

Every answer is compared with GEOS's own ``intersects`` on every polygon, on tiny
synthetic polygons chosen to hit the cases the grid must get right: overlapping
polygons (a commune and the former commune inside it), holes, several parts, edges that
lie exactly on cell edges, points exactly on boundaries and vertices.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from cesp.eligibility.grid import MAX_SIDE_CELLS, PolygonGrid, expand


def _brute_force(polygons: np.ndarray, x: np.ndarray, y: np.ndarray) -> set[tuple[int, int]]:
    pairs = set()
    for j, polygon in enumerate(polygons):
        for i in np.flatnonzero(shapely.intersects_xy(polygon, x, y)):
            pairs.add((int(i), j))
    return pairs


def _pairs(grid: PolygonGrid, x: np.ndarray, y: np.ndarray) -> set[tuple[int, int]]:
    point, polygon = grid.pairs(x, y)
    found = list(zip(point.tolist(), polygon.tolist(), strict=True))
    assert len(found) == len(set(found)), "each (point, polygon) pair once"
    return set(found)


def _polygons() -> np.ndarray:
    outer = Polygon(
        [(0, 0), (3000, 0), (3000, 3000), (0, 3000)],
        holes=[[(1000, 1000), (2000, 1000), (2000, 2000), (1000, 2000)]],
    )
    return np.array(
        [
            outer,  # a square ring: points in the hole are outside
            box(1200, 1200, 1800, 1800),  # an island inside the hole
            box(0, 0, 1500, 1500),  # overlaps the ring and the island's corner
            MultiPolygon([box(4000, 0, 4500, 500), box(5000, 0, 5500, 7000)]),
            Polygon([(6000, 0), (9000, 2500), (6000, 5000)]),  # slanted edges
        ],
        dtype=object,
    )


@pytest.mark.parametrize("cell_m", [100.0, 500.0, 1250.0])
def test_random_points_get_the_polygons_geos_gives(cell_m: float):
    polygons = _polygons()
    grid = PolygonGrid(polygons, cell_m)
    rng = np.random.default_rng(3)
    x = rng.uniform(-1000, 10000, 20_000)
    y = rng.uniform(-1000, 8000, 20_000)
    assert _pairs(grid, x, y) == _brute_force(polygons, x, y)
    assert (grid.cells >= 0).any() and (grid.cells < 0).any(), "both kinds of cells used"


def test_points_on_boundaries_vertices_and_cell_edges_belong_to_both_sides():
    """With 500 m cells and the grid's origin one cell left of and below the polygons,
    the square edges at 0, 1000, 1500, 3000 m lie exactly on cell edges."""
    polygons = _polygons()
    grid = PolygonGrid(polygons, 500.0)
    coords = shapely.get_coordinates(polygons)
    on_edges = np.array([[1000.0, 1500.0], [3000.0, 2500.0], [1500.0, 700.0], [7500.0, 1250.0]])
    just_off = np.concatenate([coords + 1e-7, coords - 1e-7, coords + np.array([1e-7, -1e-7])])
    xy = np.concatenate([coords, on_edges, just_off])
    x, y = xy[:, 0], xy[:, 1]
    pairs = _pairs(grid, x, y)
    assert pairs == _brute_force(polygons, x, y)
    assert (0, 0) in pairs and (0, 2) in pairs, "the shared corner (0, 0) is in both"


def test_points_far_away_and_not_finite_are_in_no_polygon():
    grid = PolygonGrid(_polygons(), 500.0)
    x = np.array([-1e9, 1e9, np.nan, 2500.0, np.inf])
    y = np.array([0.0, 0.0, 1000.0, np.nan, 0.0])
    point, polygon = grid.pairs(x, y)
    assert len(point) == len(polygon) == 0


def test_no_polygons_means_no_pairs():
    grid = PolygonGrid(np.array([], dtype=object))
    point, _ = grid.pairs(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert len(point) == 0


def test_expand_lists_the_rows_of_each_key_in_order():
    ptr, values = np.array([0, 2, 2, 5]), np.array([10, 11, 20, 21, 22])
    owner, value = expand(ptr, values, np.array([2, 1, 0, 2]))
    assert owner.tolist() == [0, 0, 0, 2, 2, 3, 3, 3]
    assert value.tolist() == [20, 21, 22, 10, 11, 20, 21, 22]


def test_a_wide_extent_gets_larger_cells_not_a_huge_table():
    polygons = np.array([box(0, 0, 1000, 1000), box(2_000_000, 0, 2_001_000, 1000)], dtype=object)
    grid = PolygonGrid(polygons, 10.0)
    assert max(grid.cells.shape) <= MAX_SIDE_CELLS
    rng = np.random.default_rng(9)
    x = np.concatenate([rng.uniform(-10, 1010, 500), rng.uniform(1_999_990, 2_001_010, 500)])
    y = rng.uniform(-10, 1010, 1000)
    assert _pairs(grid, x, y) == _brute_force(polygons, x, y)


def test_points_within_rounding_of_slanted_edges_get_geos_answers():
    """Points interpolated on slanted edges (a rounding away from the line, on either
    side) and nudged by a picometre to a micrometre: the crossing signs of
    ``cesp.eligibility.cell_edges`` must either be right or leave the test to GEOS."""
    polygons = _polygons()
    grid = PolygonGrid(polygons, 500.0)
    rng = np.random.default_rng(11)
    rings = shapely.get_exterior_ring(polygons[4:5])
    corners = shapely.get_coordinates(rings)
    starts, ends = corners[:-1], corners[1:]
    t = rng.uniform(0, 1, (len(starts), 400))
    on = starts[:, None, :] + t[..., None] * (ends - starts)[:, None, :]
    normal = np.array([[-(e - s)[1], (e - s)[0]] for s, e in zip(starts, ends, strict=True)])
    normal /= np.hypot(normal[:, 0], normal[:, 1])[:, None]
    offsets = np.array([0.0, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6])
    nudged = on[:, :, None, :] + offsets[None, None, :, None] * normal[:, None, None, :]
    xy = nudged.reshape(-1, 2)
    x, y = xy[:, 0], xy[:, 1]
    assert _pairs(grid, x, y) == _brute_force(polygons, x, y)
