"""Coordinate reference systems: every CRS decision of the service lives here.

Storage is WGS84 (EPSG:4326, longitude first). Distances, areas and tolerances are
computed in a metric CRS suited to the place: Lambert-93 (EPSG:2154) in metropolitan
France and Corsica, the official local UTM projections overseas. Transformers are
cached and always built with ``always_xy=True`` so that axis order is (x=lon, y=lat)
whatever the CRS definition says.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from cesp.errors import InvalidInputError

WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"

# Official metric CRS by region code (COG REG) for the overseas regions.
REGION_METRIC_CRS = {
    "01": "EPSG:5490",  # Guadeloupe: RGAF09 / UTM zone 20N
    "02": "EPSG:5490",  # Martinique: RGAF09 / UTM zone 20N
    "03": "EPSG:2972",  # Guyane: RGFG95 / UTM zone 22N
    "04": "EPSG:2975",  # La Réunion: RGR92 / UTM zone 40S
    "06": "EPSG:4471",  # Mayotte: RGM04 / UTM zone 38S
}

# Rough bounding boxes (lon/lat) used to pick a metric CRS for a bare point
# (``cesp.eligibility.index.territory_of``, vectorised).
OVERSEAS_BOXES = (
    ((-61.9, 15.8, -60.9, 16.6), "EPSG:5490"),
    ((-61.3, 14.3, -60.7, 14.9), "EPSG:5490"),
    ((-54.7, 2.0, -51.5, 6.0), "EPSG:2972"),
    ((55.1, -21.5, 56.0, -20.8), "EPSG:2975"),
    ((44.9, -13.1, 45.4, -12.5), "EPSG:4471"),
)


def metric_crs_for_region(region_code: str) -> str:
    """The metric CRS for a region: Lambert-93 unless the region is overseas."""
    return REGION_METRIC_CRS.get(region_code, LAMBERT93)


def parse_crs(value: str, field: str = "assume_crs") -> CRS:
    """Parse a user-given CRS (``EPSG:2154``, ``2154``, WKT) or raise naming ``field``."""
    text = value.strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except Exception as exc:
        raise InvalidInputError(
            f"{field}={value!r} is not a coordinate reference system: use e.g. EPSG:2154 "
            "(Lambert-93) or EPSG:4326 (WGS84)",
            message_fr=f"Système de coordonnées inconnu : {value} (ex. EPSG:2154).",
            field=field,
        ) from exc


@lru_cache(maxsize=64)
def transformer(source: str, target: str) -> Transformer:
    """A cached transformer, x/y in lon/lat order whatever the CRS axis order."""
    return Transformer.from_crs(source, target, always_xy=True)


def reproject(geometry: Any, source: str, target: str) -> Any:
    """Reproject a shapely geometry, or an array of them (vectorised)."""
    if source == target:
        return geometry
    transform = transformer(source, target)

    def _coords(xy: np.ndarray) -> np.ndarray:
        x, y = transform.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, _coords)
