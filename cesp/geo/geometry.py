"""Geometry hygiene shared by the reference loader and the decree readers."""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry


def as_multipolygon(geometry: BaseGeometry | None) -> MultiPolygon | None:
    """Return a valid MultiPolygon, repairing invalid input and dropping lines and points.

    Official data is not always valid (one commune of the reference files is not);
    ``make_valid`` may return a GeometryCollection, of which only the areal parts count.
    """
    if geometry is None or geometry.is_empty:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
        elif part.geom_type == "GeometryCollection":
            sub = as_multipolygon(part)
            if sub is not None:
                polygons.extend(sub.geoms)
    polygons = [p for p in polygons if not p.is_empty and p.area > 0]
    return MultiPolygon(polygons) if polygons else None


def union_multipolygon(geometries: list[BaseGeometry]) -> MultiPolygon | None:
    """Union of polygons that tile a territory (communes of a département, say).

    ``coverage_union_all`` is several times faster than a generic union on a clean
    coverage; simplified boundaries leave slivers and overlaps, so fall back to the
    generic union when the fast path fails or returns something invalid.
    """
    if not geometries:
        return None
    if len(geometries) == 1:
        return as_multipolygon(geometries[0])
    try:
        merged = shapely.coverage_union_all(geometries)
        if not merged.is_valid:
            raise ValueError("coverage union invalid")
    except Exception:
        merged = shapely.union_all(geometries)
    return as_multipolygon(merged)
