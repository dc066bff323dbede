"""Backend-specific spatial SQL, in one place.

SpatiaLite does not use its R*Tree on its own: a query must join the virtual index
table ``idx_<table>_<column>`` explicitly. PostGIS uses its GIST index from a plain
``ST_Intersects``. Both accept ``ST_GeomFromWKB(blob, srid)`` and ``ST_AsBinary``.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def safe_identifier(name: str) -> str:
    """Return a safe SQL identifier; only lower-case snake case names are accepted."""
    if not _IDENT.match(name):
        raise ValueError(f"unsafe SQL identifier {name!r}")
    return name


def point_intersects(dialect: str, table: str, column: str = "geom", alias: str = "t") -> str:
    """SQL predicate: ``alias.column`` intersects the point ``(:lon, :lat)`` in WGS84.

    The caller binds ``lon`` and ``lat``. Points on a shared boundary match both sides,
    on purpose: the domain reports them instead of picking one silently.
    """
    table, column, alias = safe_identifier(table), safe_identifier(column), safe_identifier(alias)
    if dialect == "sqlite":
        return (
            f"{alias}.id IN (SELECT pkid FROM idx_{table}_{column} "
            "WHERE xmin <= :lon AND xmax >= :lon AND ymin <= :lat AND ymax >= :lat) "
            f"AND ST_Intersects({alias}.{column}, MakePoint(:lon, :lat, 4326)) = 1"
        )
    return f"ST_Intersects({alias}.{column}, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"


def bbox_intersects(dialect: str, table: str, column: str = "geom", alias: str = "t") -> str:
    """SQL predicate: the bounding box ``(:minx, :miny, :maxx, :maxy)`` meets the geometry."""
    table, column, alias = safe_identifier(table), safe_identifier(column), safe_identifier(alias)
    if dialect == "sqlite":
        return (
            f"{alias}.id IN (SELECT pkid FROM idx_{table}_{column} "
            "WHERE xmin <= :maxx AND xmax >= :minx AND ymin <= :maxy AND ymax >= :miny)"
        )
    return f"{alias}.{column} && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)"


def area_intersects(dialect: str, table: str, column: str = "geom", alias: str = "t") -> str:
    """SQL predicate: the geometry really intersects the WGS84 polygon bound as ``:area``
    (WKB), whose bounds are bound as ``(:minx, :miny, :maxx, :maxy)``.

    The bounds go through the spatial index first (the R*Tree on SpatiaLite, GIST on
    PostGIS), then the exact test runs on the few candidates: a bbox filter that only
    compared bounding boxes would return communes that merely come near the box.
    """
    table, column, alias = safe_identifier(table), safe_identifier(column), safe_identifier(alias)
    candidates = bbox_intersects(dialect, table, column, alias)
    exact = f"ST_Intersects({alias}.{column}, ST_GeomFromWKB(:area, 4326))"
    if dialect == "sqlite":
        return f"{candidates} AND {exact} = 1"
    return f"{candidates} AND {exact}"


def meets_area(
    dialect: str, table: str, area: bytes, bounds: tuple[float, ...], alias: str | None = None
) -> sa.TextClause:
    """``area_intersects`` on ``table`` (named ``alias`` in the query, by default its own
    name) with the area (WKB) and its bounds bound, as a criterion of a ``select()``."""
    minx, miny, maxx, maxy = bounds
    predicate = area_intersects(dialect, table, alias=alias or table)
    return sa.text(predicate).bindparams(minx=minx, miny=miny, maxx=maxx, maxy=maxy, area=area)


def meets_point(
    dialect: str, table: str, lon: float, lat: float, alias: str | None = None
) -> sa.TextClause:
    """``point_intersects`` on ``table`` (named ``alias`` in the query, by default its own
    name) with the point bound, as a criterion of a ``select()``."""
    predicate = point_intersects(dialect, table, alias=alias or table)
    return sa.text(predicate).bindparams(lon=lon, lat=lat)


def meets_bbox(
    dialect: str, table: str, bounds: tuple[float, ...], alias: str | None = None
) -> sa.TextClause:
    """``bbox_intersects`` on ``table`` (named ``alias`` in the query, by default its own
    name) with the bounds bound, as a criterion of a ``select()``."""
    minx, miny, maxx, maxy = bounds
    predicate = bbox_intersects(dialect, table, alias=alias or table)
    return sa.text(predicate).bindparams(minx=minx, miny=miny, maxx=maxx, maxy=maxy)


def extent_aggregates(dialect: str, column: sa.ColumnElement[Any]) -> list[sa.Label[Any]]:
    """Aggregates ``minx, miny, maxx, maxy`` of ``column``'s geometries (their bounds),
    for a ``select()``; SpatiaLite names the bounds of a geometry ``MbrMinX``...,
    PostGIS ``ST_XMin``..."""
    names = ("ST_XMin", "ST_YMin", "ST_XMax", "ST_YMax")
    if dialect == "sqlite":
        names = ("MbrMinX", "MbrMinY", "MbrMaxX", "MbrMaxY")
    return [
        (sa.func.min if i < 2 else sa.func.max)(
            getattr(sa.func, name)(column, type_=sa.Float)
        ).label(label)
        for i, (name, label) in enumerate(zip(names, ("minx", "miny", "maxx", "maxy"), strict=True))
    ]


def wgs84_geometry(blob: bytes | None) -> sa.ColumnElement[Any]:
    """SQL value of a WGS84 geometry given as WKB (None stays NULL), to insert or update."""
    return sa.func.ST_GeomFromWKB(sa.literal(blob, sa.LargeBinary), 4326)


def spatial_index_exists(conn: sa.Connection, table: str, column: str = "geom") -> bool:
    """Whether the spatial index of ``table.column`` exists (used by tests and health)."""
    table, column = safe_identifier(table), safe_identifier(column)
    if conn.dialect.name == "sqlite":
        row = conn.exec_driver_sql(
            "SELECT spatial_index_enabled FROM geometry_columns "
            f"WHERE f_table_name = '{table}' AND f_geometry_column = '{column}'"
        ).first()
        return bool(row and row[0])
    row = conn.exec_driver_sql(
        "SELECT 1 FROM pg_indexes WHERE tablename = %(t)s AND indexdef ILIKE %(u)s",
        {"t": table, "u": f"%USING gist ({column})%"},
    ).first()
    return row is not None
