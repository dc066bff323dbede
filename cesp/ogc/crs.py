"""The coordinate reference systems of the OGC API (Part 2, CRS by reference).

Storage is WGS84 longitude/latitude, which is what OGC calls CRS84. A Lambert-93 QGIS
project asks for ``http://www.opengis.net/def/crs/EPSG/0/2154`` and gets easting,
northing in metres, so it needs no reprojection. OGC API - Features Part 2 (OGC 18-058r1,
/req/crs/crs-action) says coordinates follow the axis order of the CRS definition: CRS84
is (lon, lat), EPSG:2154 is (easting, northing) and EPSG:4326 is (lat, lon). The
reprojections themselves go through ``cesp.geo.crs`` (``always_xy``) and the one axis
swap that a CRS needs is explicit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from cesp.errors import InvalidInputError
from cesp.geo.crs import LAMBERT93, WGS84, reproject

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326_URI = "http://www.opengis.net/def/crs/EPSG/0/4326"
LAMBERT93_URI = "http://www.opengis.net/def/crs/EPSG/0/2154"


@dataclass(frozen=True)
class OgcCrs:
    """A CRS the API serves: its URI, its pyproj code, whether its axes are (lat, lon)."""

    uri: str
    code: str
    lat_first: bool
    geographic: bool


CRS84 = OgcCrs(CRS84_URI, WGS84, lat_first=False, geographic=True)
SUPPORTED = (
    CRS84,
    OgcCrs(LAMBERT93_URI, LAMBERT93, lat_first=False, geographic=False),
    OgcCrs(EPSG4326_URI, WGS84, lat_first=True, geographic=True),
)
SUPPORTED_URIS = tuple(c.uri for c in SUPPORTED)

# Short spellings people type; the canonical answer always carries the URI.
_ALIASES = {
    "crs84": CRS84_URI,
    "ogc:crs84": CRS84_URI,
    "[ogc:crs84]": CRS84_URI,
    "urn:ogc:def:crs:ogc:1.3:crs84": CRS84_URI,
    "epsg:2154": LAMBERT93_URI,
    "[epsg:2154]": LAMBERT93_URI,
    "urn:ogc:def:crs:epsg::2154": LAMBERT93_URI,
    "epsg:4326": EPSG4326_URI,
    "[epsg:4326]": EPSG4326_URI,
    "urn:ogc:def:crs:epsg::4326": EPSG4326_URI,
}


def parse_crs(value: str | None, field: str) -> OgcCrs:
    """The supported CRS named by ``value`` (a URI or a safe CURIE), CRS84 when absent.

    Part 2 /req/crs/fc-crs-valid-value: a CRS outside the collection's list is a 400.
    """
    if value is None or not value.strip():
        return CRS84
    text = value.strip()
    uri = _ALIASES.get(text.lower(), text.rstrip("/").replace("https://", "http://", 1))
    for crs in SUPPORTED:
        if crs.uri == uri:
            return crs
    raise InvalidInputError(
        f"{field}={value!r} is not supported: use one of {', '.join(SUPPORTED_URIS)}",
        message_fr=(
            f"Système de coordonnées non proposé : {value}. Utilisez CRS84 ou "
            f"{LAMBERT93_URI} (Lambert-93)."
        ),
        field=field,
    )


# Lambert-93's area of use (EPSG:2154: metropolitan France and Corsica, on land and sea).
LAMBERT93_BOUNDS = (-9.86, 41.15, 10.38, 51.56)
# Output precision: a centimetre in metres, 7 decimals of a degree (1.1 cm at the equator).
# More digits only make pages bigger: the zones come from ~1 m commune boundaries.
DECIMALS_METRES = 2
DECIMALS_DEGREES = 7


def preferred_crs(bbox: tuple[float, float, float, float] | None) -> tuple[str, list[str]]:
    """``storageCrs`` and the ``crs`` list of a collection whose WGS84 extent is ``bbox``.

    A collection wholly within Lambert-93's area of use names Lambert-93 first: QGIS and
    GDAL (from 3.7) offer or pick the first CRS of the list or ``storageCrs``, and ARS
    projects are in Lambert-93. Elsewhere (overseas regions, all of France) CRS84 comes
    first. Features are stored in WGS84; Lambert-93 answers are reprojected exactly and
    rounded to the centimetre, so the claim costs nothing a client would see.
    """
    minx, miny, maxx, maxy = LAMBERT93_BOUNDS
    inside = bbox is not None and (
        bbox[0] >= minx and bbox[1] >= miny and bbox[2] <= maxx and bbox[3] <= maxy
    )
    first = LAMBERT93_URI if inside else CRS84_URI
    return first, [first, *(u for u in SUPPORTED_URIS if u != first)]


def _swap(xy: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(xy[:, ::-1])


def to_output(geometries: Any, crs: OgcCrs) -> Any:
    """Stored (lon, lat) geometries, one or an array, in ``crs`` with its axis order,
    rounded to the centimetre (``DECIMALS_METRES``, ``DECIMALS_DEGREES``)."""
    out = reproject(geometries, WGS84, crs.code)
    decimals = DECIMALS_DEGREES if crs.geographic else DECIMALS_METRES

    def rounded(xy: np.ndarray) -> np.ndarray:
        xy = np.round(xy, decimals)
        return _swap(xy) if crs.lat_first else xy

    return shapely.transform(out, rounded)


def bbox_area(values: tuple[float, ...], crs: OgcCrs) -> BaseGeometry:
    """The WGS84 (lon, lat) area a ``bbox`` in ``crs`` covers, for the spatial filter.

    A projected box is densified before reprojection so its curved edges in lon/lat are
    followed to well under a metre. In a geographic CRS a box whose west edge is east of
    its east edge crosses the antimeridian (Part 1, 7.15.3) and becomes two boxes.
    """
    if len(values) == 6:
        values = (values[0], values[1], values[3], values[4])
    first, second, third, fourth = values
    if crs.lat_first:
        first, second, third, fourth = second, first, fourth, third
    if first == third or second == fourth:
        corners = shapely.multipoints([(first, second), (third, fourth)])
        return reproject(shapely.envelope(corners), crs.code, WGS84)
    if crs.geographic:
        if first > third:
            east, west = box(first, second, 180.0, fourth), box(-180.0, second, third, fourth)
            return shapely.union(east, west)
        return box(first, second, third, fourth)
    step = max(third - first, fourth - second) / 64
    area = reproject(shapely.segmentize(box(first, second, third, fourth), step), crs.code, WGS84)
    return area if isinstance(area, Polygon) else shapely.make_valid(area)


def check_bbox(values: tuple[float, ...], crs: OgcCrs) -> None:
    """Refuse a bbox whose corners are out of order or outside the CRS's domain."""
    if len(values) == 6:
        values = (values[0], values[1], values[3], values[4])
    first, second, third, fourth = values
    if crs.lat_first:
        first, second, third, fourth = second, first, fourth, third
    if crs.geographic:
        lons_ok = all(-180.0 <= v <= 180.0 for v in (first, third))
        lats_ok = all(-90.0 <= v <= 90.0 for v in (second, fourth)) and second <= fourth
        ok = lons_ok and lats_ok
    else:
        ok = first <= third and second <= fourth and all(abs(v) < 1e8 for v in values)
    if not ok:
        raise InvalidInputError(
            f"bbox={','.join(f'{v:g}' for v in values)} is not a box in {crs.uri}: give "
            "min x, min y, max x, max y in the axis order of bbox-crs (CRS84: lon,lat)",
            message_fr="bbox invalide : xmin,ymin,xmax,ymax (en CRS84 : lon,lat).",
            field="bbox",
        )
