"""Geometry DDL for migrations, for both backends.

Alembic owns the schema. Geometry columns are added with the backend's own functions
(``AddGeometryColumn`` + ``CreateSpatialIndex`` on SpatiaLite; a typed column + GIST
index on PostGIS) rather than through GeoAlchemy2's metadata hooks, so that the two
backends never share mutated metadata.
"""

from __future__ import annotations

from alembic import op

from cesp.storage.spatial import safe_identifier


def add_geometry_column(
    table: str, column: str = "geom", geometry_type: str = "MULTIPOLYGON", srid: int = 4326
) -> None:
    """Add a nullable geometry column and its spatial index to an existing table."""
    table, column = safe_identifier(table), safe_identifier(column)
    geometry_type = safe_identifier(geometry_type.lower()).upper()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            f"SELECT AddGeometryColumn('{table}', '{column}', {srid}, '{geometry_type}', 'XY')"
        )
        op.execute(f"SELECT CreateSpatialIndex('{table}', '{column}')")
    else:
        pg_type = {"MULTIPOLYGON": "MultiPolygon", "POINT": "Point", "POLYGON": "Polygon"}[
            geometry_type
        ]
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} geometry({pg_type}, {srid})")
        op.execute(f"CREATE INDEX idx_{table}_{column} ON {table} USING GIST ({column})")


def drop_spatial_table(table: str, columns: tuple[str, ...] = ("geom",)) -> None:
    """Drop a table holding geometry columns, with its spatial indexes and metadata."""
    table = safe_identifier(table)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for column in columns:
            column = safe_identifier(column)
            op.execute(f"SELECT DisableSpatialIndex('{table}', '{column}')")
            op.execute(f"DROP TABLE IF EXISTS idx_{table}_{column}")
            op.execute(f"SELECT DiscardGeometryColumn('{table}', '{column}')")
    op.drop_table(table)
