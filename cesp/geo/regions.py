"""The loaded regions: their name and outline, and the extent of what is loaded.

What the zone building clips to (``cesp.zones.building``), what the map draws and fits
its view to (``cesp.maps``) and the OGC communes collection's extent, read in one place.
"""

from __future__ import annotations

import sqlalchemy as sa
from shapely import wkb
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from cesp.geo.tables import departements, regions
from cesp.storage.spatial import extent_aggregates

Bbox = tuple[float, float, float, float]


def region_shape(conn: sa.Connection, region_code: str) -> tuple[str, BaseGeometry] | None:
    """Name and outline of a loaded region, or None."""
    row = conn.execute(
        sa.select(regions.c.name, sa.func.ST_AsBinary(regions.c.geom, type_=sa.LargeBinary)).where(
            regions.c.code == region_code
        )
    ).first()
    if row is None or row[1] is None:
        return None
    return row[0], wkb.loads(bytes(row[1]))


def region_outline(conn: sa.Connection, region_code: str) -> MultiPolygon | None:
    """The outline of a region from the loaded départements, or None if not loaded."""
    found = region_shape(conn, region_code)
    return found[1] if found is not None and isinstance(found[1], MultiPolygon) else None


def loaded_extent(conn: sa.Connection, region_code: str | None = None) -> Bbox | None:
    """Bounds (WGS84) of a region's outline, or of every loaded département; None when
    nothing is loaded."""
    if region_code is not None:
        found = region_shape(conn, region_code)
        return found[1].bounds if found is not None else None
    row = conn.execute(sa.select(*extent_aggregates(conn.dialect.name, departements.c.geom))).one()
    if row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
