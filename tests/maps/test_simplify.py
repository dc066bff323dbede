"""Geometry for the screen: per-zoom tolerance, coverage simplification, rounding."""

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from cesp.maps.simplify import (
    decimals_for_tolerance,
    feature,
    round_coordinates,
    simplify_coverage,
    tolerance_for_zoom,
)


def _neighbours() -> tuple[Polygon, Polygon]:
    """Two squares sharing a finely wiggled edge (as commune boundaries do)."""
    ys = np.linspace(0, 1, 201)
    xs = 1 + 0.01 * np.sin(ys * 60)
    edge = list(zip(xs, ys, strict=True))
    left = Polygon([(0, 0), *edge, (0, 1)])
    right = Polygon([(2, 0), (2, 1), *reversed(edge)])
    return left, right


def test_tolerance_shrinks_with_zoom_and_vanishes_at_full_detail() -> None:
    tolerances = [tolerance_for_zoom(z) for z in range(4, 15)]
    assert tolerances == sorted(tolerances, reverse=True)
    assert tolerances[0] > 0.01  # a few kilometres: the whole of France
    assert tolerance_for_zoom(14) == 0 and tolerance_for_zoom(20) == 0
    assert decimals_for_tolerance(tolerance_for_zoom(6)) < decimals_for_tolerance(
        tolerance_for_zoom(12)
    )


def test_coverage_simplification_keeps_neighbours_together() -> None:
    left, right = _neighbours()
    simple_left, simple_right = simplify_coverage([left, right], 0.05)
    assert shapely.get_num_coordinates(simple_left) < shapely.get_num_coordinates(left) / 5
    # Shared edge simplified once: no gap, no overlap between the neighbours.
    assert simple_left.intersection(simple_right).area == pytest.approx(0, abs=1e-12)
    assert simple_left.union(simple_right).area == pytest.approx(2.0, abs=1e-3)


def test_overlapping_polygons_are_simplified_one_by_one() -> None:
    left, _ = _neighbours()
    shifted = shapely.affinity.translate(left, 0.5, 0)
    result = simplify_coverage([left, shifted, None], 0.05)
    assert len(result) == 3 and result[2] is None
    assert all(g.is_valid for g in result[:2])
    assert shapely.get_num_coordinates(result[0]) < shapely.get_num_coordinates(left)


def test_zero_tolerance_keeps_geometry() -> None:
    left, right = _neighbours()
    assert simplify_coverage([left, right], 0) == [left, right]


def test_rounding_shortens_the_geojson() -> None:
    square = Polygon([(2.123456789, 48.1), (2.2, 48.123456789), (2.2, 48.2), (2.1, 48.2)])
    rounded = round_coordinates(square, 4)
    assert rounded.exterior.coords[0] == (2.1235, 48.1)
    assert feature(square, {"name": "x"}, 4)["geometry"]["coordinates"][0][0] == (2.1235, 48.1)
    assert feature(None, {"name": "x"})["geometry"] is None
