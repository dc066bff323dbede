"""Data of the map layers, simplified for a zoom level: zones in force, communes,
départements and the ARS region outline, as GeoJSON FeatureCollections.

The simplified shapes of zones and départements come from the ``ShapeStore``
(``cesp.maps.shape_store``): simplified once per decree and zoom level, kept in memory
and on disk, so that the national map costs the simplification once per publication.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from cesp.errors import InvalidInputError
from cesp.geo.communes import units_in_bbox
from cesp.geo.regions import region_shape
from cesp.maps.shape_store import Shape, ShapeStore
from cesp.maps.simplify import (
    clamp_zoom,
    collection,
    decimals_for_tolerance,
    feature,
    simplify_coverage,
    tolerance_for_zoom,
)
from cesp.zones.decrees import decree_zones, decrees_in_force
from cesp.zones.export import zone_features

Bbox = tuple[float, float, float, float]
COMMUNES_MIN_ZOOM = 10
COMMUNES_MAX_SPAN = 3.0  # degrees: a bbox wider than this would carry thousands of communes


def _intersects(bounds: Bbox, bbox: Bbox | None) -> bool:
    if bbox is None:
        return True
    return not (
        bounds[2] < bbox[0] or bounds[0] > bbox[2] or bounds[3] < bbox[1] or bounds[1] > bbox[3]
    )


def zone_collection(
    conn: sa.Connection,
    store: ShapeStore,
    on: date,
    profession: str,
    region: str | None = None,
    zoom: float = 9,
    bbox: Bbox | None = None,
) -> dict[str, Any]:
    """Zones in force on ``on`` (one region or all), simplified for ``zoom``.

    The features carry what the zone popup shows: name, category and its label, whether
    it opens the CESP, the decree's reference and dates."""
    level = clamp_zoom(zoom)
    decrees = decrees_in_force(conn, on, profession, region)
    shapes: dict[int, Shape] = {}
    for decree in decrees:
        shapes.update(store.zones(conn, decree, level))
    zones = [
        z
        for z in decree_zones(conn, [d.id for d in decrees], with_geometry=False)
        if (shape := shapes.get(z.id)) is not None
        and shape.bounds is not None
        and _intersects(shape.bounds, bbox)
    ]
    features = zone_features(conn, decrees, zones)
    for item in features:
        item["geometry"] = shapes[item["id"]].geometry
    return collection(
        features,
        date=on.isoformat(),
        zoom=level,
        bbox=list(bbox) if bbox else None,
        decrees=[{"id": d.id, "reference": d.reference, "region": d.region_code} for d in decrees],
    )


def parse_bbox(value: str, field: str = "bbox") -> Bbox:
    """``minlon,minlat,maxlon,maxlat`` in WGS84 degrees."""
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        parts = ()
    if (
        len(parts) != 4
        or not (-180 <= parts[0] < parts[2] <= 180)
        or not (-90 <= parts[1] < parts[3] <= 90)
    ):
        raise InvalidInputError(
            f"{field}={value!r}: expected minlon,minlat,maxlon,maxlat in WGS84 degrees",
            message_fr="Emprise invalide : attendu minlon,minlat,maxlon,maxlat (degrés WGS84).",
            field=field,
        )
    return parts


def commune_collection(
    conn: sa.Connection, bbox: Bbox, on: date, zoom: float, region: str | None = None
) -> dict[str, Any]:
    """Communes in force on ``on`` meeting ``bbox`` (optionally of one region only),
    simplified together for ``zoom``.

    Raises ``InvalidInputError`` for a zoom below ``COMMUNES_MIN_ZOOM`` or a box wider
    than ``COMMUNES_MAX_SPAN`` degrees outside a region: the commune layer is drawn when
    zoomed in, not for the whole country."""
    level = clamp_zoom(zoom)
    if region is None and (
        level < COMMUNES_MIN_ZOOM
        or bbox[2] - bbox[0] > COMMUNES_MAX_SPAN
        or bbox[3] - bbox[1] > COMMUNES_MAX_SPAN
    ):
        raise InvalidInputError(
            f"communes are drawn from zoom {COMMUNES_MIN_ZOOM} on, in boxes of at most "
            f"{COMMUNES_MAX_SPAN} degrees (zoom={zoom}, bbox={bbox})",
            message_fr="Les communes s'affichent en zoomant davantage.",
            field="zoom" if level < COMMUNES_MIN_ZOOM else "bbox",
        )
    units = [
        u
        for u in units_in_bbox(conn, bbox, on)
        if region is None or u.region_code == region
        if u.geometry is not None
    ]
    tolerance = tolerance_for_zoom(level)
    shapes = simplify_coverage([u.geometry for u in units], tolerance)
    decimals = decimals_for_tolerance(tolerance)
    features = [
        feature(
            shape,
            {
                "code": u.code,
                "name": u.name,
                "departement": u.departement_code,
                "label": label_point(u.geometry),
            },
            decimals,
        )
        for u, shape in zip(units, shapes, strict=True)
    ]
    arrondissements = [
        {
            "code": u.code,
            "name": u.name,
            "commune": u.parent_code,
            "label": label_point(u.geometry),
            "bbox": [round(v, 4) for v in u.geometry.bounds],
        }
        for u in units_in_bbox(conn, bbox, on, kind="arrondissement")
        if (region is None or u.region_code == region) and u.geometry is not None
    ]
    return collection(
        features, date=on.isoformat(), zoom=level, bbox=list(bbox), arrondissements=arrondissements
    )


def label_point(geometry: BaseGeometry) -> list[float]:
    """Where a unit's name is written: a point inside it, far from its edges (the pole
    of inaccessibility, to a hundredth of its size), as ``[lon, lat]``."""
    minx, miny, maxx, maxy = geometry.bounds
    largest = max(shapely.get_parts(geometry), key=lambda part: part.area)
    point = polylabel(largest, tolerance=max(maxx - minx, maxy - miny) / 100)
    return [round(point.x, 4), round(point.y, 4)]


def departement_collection(
    conn: sa.Connection, store: ShapeStore, zoom: float, region: str | None = None
) -> dict[str, Any]:
    """Outlines of the loaded départements (of a region, or all), for the background."""
    return collection(
        [
            {
                "type": "Feature",
                "geometry": s.geometry,
                "properties": {"code": s.key, "name": s.name},
            }
            for s in store.departements(conn, zoom, region)
        ]
    )


def region_collection(conn: sa.Connection, region: str, zoom: float) -> dict[str, Any]:
    """The ARS region's outline (empty when the region is not loaded)."""
    found = region_shape(conn, region)
    if found is None:
        return collection([])
    name, shape = found
    tolerance = tolerance_for_zoom(zoom)
    simplified = simplify_coverage([shape], tolerance)[0]
    return collection(
        [feature(simplified, {"code": region, "name": name}, decimals_for_tolerance(tolerance))]
    )
