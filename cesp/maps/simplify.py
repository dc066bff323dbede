"""Geometry for the screen: simplified per zoom level, coordinates rounded, as GeoJSON.

A map never needs more detail than a pixel: at zoom ``z`` a 256-pixel Web Mercator
tile spans ``360 / 2**z`` degrees of longitude, so vertices closer than about a pixel
cannot be seen. Simplifying to that tolerance, and rounding coordinates to the matching
number of decimals, is what keeps the Île-de-France page small (1,266 communes drawn at
full resolution would weigh several megabytes of GeoJSON).

Neighbouring polygons (communes, zones of one decree) are simplified as a coverage with
``shapely.coverage_simplify``: shared edges are simplified once, so neighbours still
meet with no gap or overlap. When the polygons do not form a valid coverage (they
overlap), each one is simplified on its own with ``preserve_topology=True``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

MIN_ZOOM = 4
FULL_DETAIL_ZOOM = 14
PIXEL_FRACTION = 0.75


def clamp_zoom(zoom: float) -> int:
    """A zoom level in the range the maps use (4, the whole of France, to 14)."""
    return max(MIN_ZOOM, min(FULL_DETAIL_ZOOM, math.floor(zoom)))


def tolerance_for_zoom(zoom: float) -> float:
    """Simplification tolerance in degrees for a zoom level: three quarters of a pixel.

    At ``FULL_DETAIL_ZOOM`` and beyond the tolerance is 0 (the reference boundaries are
    already simplified to about a metre: nothing left to gain)."""
    level = clamp_zoom(zoom)
    if level >= FULL_DETAIL_ZOOM:
        return 0.0
    return PIXEL_FRACTION * 360.0 / (256 * 2**level)


def decimals_for_tolerance(tolerance: float) -> int:
    """Decimals to keep so that rounding moves a vertex by under a tenth of the tolerance."""
    if tolerance <= 0:
        return 6
    return max(3, min(6, math.ceil(-math.log10(tolerance / 10))))


def simplify_coverage(
    geometries: Sequence[BaseGeometry | None], tolerance: float, is_coverage: bool | None = None
) -> list[BaseGeometry]:
    """Simplify polygons that tile the plane together, keeping shared edges shared.

    Parameters
    ----------
    geometries
        Polygons or multipolygons (WGS84 degrees); ``None`` entries stay ``None``.
    tolerance
        In degrees (``tolerance_for_zoom``); 0 returns the geometries unchanged.
    is_coverage
        Whether they form a valid coverage, if the caller knows it already (the check
        costs more than the simplification; ``shape_store`` keeps it per decree).

    Returns
    -------
    list
        One simplified geometry per input, same order.
    """
    if tolerance <= 0 or not geometries:
        return list(geometries)
    array = np.asarray(geometries, dtype=object)
    present = np.array([g is not None and not g.is_empty for g in geometries], dtype=bool)
    result = array.copy()
    parts = array[present]
    if len(parts) == 0:
        return list(result)
    if is_coverage is None:
        is_coverage = forms_coverage(parts)
    if is_coverage:
        simplified = shapely.coverage_simplify(parts, tolerance)
    else:
        simplified = shapely.simplify(parts, tolerance, preserve_topology=True)
    result[present] = simplified
    return list(result)


def forms_coverage(geometries: Sequence[BaseGeometry] | np.ndarray) -> bool:
    """Whether polygons tile without overlapping, tested cheaply: their coverage union
    succeeds, is valid, and its area is the sum of theirs (to a billionth).

    ``shapely.coverage_is_valid`` answers exactly but costs 5 to 10 times more here
    (2.7 s for one region's 128 zones, against 0.2 s), more than the simplification it
    guards. What this test lets through, neighbours whose shared edges do not have the
    same vertices, ``coverage_simplify`` handles with at worst a hairline gap."""
    parts = np.asarray(geometries, dtype=object)
    if len(parts) < 2:
        return True
    try:
        merged = shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        return False  # "CoverageUnion cannot process overlapping inputs"
    total = float(shapely.area(parts).sum())
    return bool(merged.is_valid) and abs(merged.area - total) <= 1e-9 * max(total, 1e-12)


def round_coordinates(geometry: BaseGeometry, decimals: int) -> BaseGeometry:
    """The geometry with its coordinates rounded (for a smaller GeoJSON text)."""
    return shapely.transform(geometry, lambda xy: np.round(xy, decimals))


def feature(
    geometry: BaseGeometry | None, properties: dict[str, Any], decimals: int = 6
) -> dict[str, Any]:
    """An RFC 7946 feature with rounded coordinates."""
    shape = None
    if geometry is not None and not geometry.is_empty:
        shape = mapping(round_coordinates(geometry, decimals))
    return {"type": "Feature", "geometry": shape, "properties": properties}


def collection(features: list[dict[str, Any]], **members: Any) -> dict[str, Any]:
    """A FeatureCollection, with extra foreign members (date, zoom, bbox...)."""
    return {"type": "FeatureCollection", "features": features, **members}
