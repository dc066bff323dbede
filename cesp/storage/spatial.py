"""Backend-specific spatial SQL, in one place.

SpatiaLite does not use its R*Tree on its own: a query must join the virtual index
table ``idx_<table>_<column>`` explicitly. PostGIS uses its GIST index from a plain
``ST_Intersects``. Both accept ``ST_GeomFromWKB(blob, srid)`` and ``ST_AsBinary``.
"""

from __future__ import annotations

import re

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


def extent_columns(dialect: str, column: str = "geom", alias: str = "t") -> str:
    """SQL aggregates ``minx, miny, maxx, maxy`` of the geometries of a query (their bounds)."""
    column, alias = safe_identifier(column), safe_identifier(alias)
    names = ("MbrMinX", "MbrMinY", "MbrMaxX", "MbrMaxY")
    if dialect != "sqlite":
        names = ("ST_XMin", "ST_YMin", "ST_XMax", "ST_YMax")
    return ", ".join(
        f"{'MIN' if i < 2 else 'MAX'}({name}({alias}.{column}))" for i, name in enumerate(names)
    )


def geometry_from_wkb(dialect: str) -> str:
    """SQL expression turning the bound ``:wkb`` into a WGS84 geometry (NULL stays NULL)."""
    del dialect
    return "ST_GeomFromWKB(:wkb, 4326)"


def geometry_to_wkb(column: str) -> str:
    """SQL expression reading a geometry column as plain WKB."""
    return f"ST_AsBinary({column})"


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
