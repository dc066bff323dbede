"""The metadata shared by the domain packages' tables.

Each domain package owns its tables (SQLAlchemy Core ``Table`` objects in its
``tables`` module, on this metadata); this module owns none. ``schema_metadata``
imports them all, so that Alembic compares the migrations with the whole set
(``cesp.storage.migrations.env``, ``tests/storage/test_tables.py``); a module that
needs a few tables imports their package's module only (the audit trail loads no
geometry type).

Alembic owns the schema: ``metadata.create_all`` is never called, because GeoAlchemy2's
SpatiaLite DDL hooks alter the shared metadata (a later PostGIS ``create_all`` in the
same process would lose its GIST indexes).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def schema_metadata() -> MetaData:
    """``metadata`` with every package's tables on it: the schema the migrations build."""
    import cesp.engagement.tables
    import cesp.geo.tables
    import cesp.posts.tables
    import cesp.storage.tables
    import cesp.zones.tables  # noqa: F401

    return metadata


BACKEND_TABLES = (
    "ElementaryGeometries",
    "KNN",
    "SpatialIndex",
    "data_licenses",
    "geometry_columns",
    "idx_",
    "spatial_ref_sys",
    "spatialite_history",
    "sql_statements_log",
    "sqlite_",
    "views_geometry_columns",
    "virts_geometry_columns",
)
"""Name prefixes of the tables the spatial extensions keep for themselves (SpatiaLite's
metadata and R*Trees, PostGIS's ``spatial_ref_sys``)."""


def is_schema_object(
    obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    """Whether Alembic compares this object (its ``include_object`` hook): the spatial
    extensions' own tables and the spatial indexes, which the migrations create with the
    backend's functions (``cesp.storage.ddl``) and the tables do not declare, are left
    out."""
    name = name or ""
    if kind == "table":
        return not name.startswith(BACKEND_TABLES) and name != "alembic_version"
    if kind == "index":
        return not name.startswith("idx_")
    return True
