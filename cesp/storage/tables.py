"""The service's own tables (the index version, API keys, the audit log), and the whole
schema's metadata: importing this module registers every domain package's tables on
``cesp.storage.base.metadata``, which Alembic compares with the migrations
(``cesp.storage.migrations.env``, ``tests/storage/test_tables.py``).

``audit_log`` is append-only: the migration (0004) adds the triggers that refuse an
UPDATE or DELETE.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import cesp.engagement.tables
import cesp.geo.tables
import cesp.posts.tables
import cesp.zones.tables
from cesp.storage.base import metadata
from cesp.storage.types import UTCDateTime

DOMAIN_TABLES = (cesp.engagement.tables, cesp.geo.tables, cesp.posts.tables, cesp.zones.tables)
"""The domain packages' table modules (imported for their tables on ``metadata``)."""

index_version = sa.Table(
    "index_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("region_code", sa.String(3)),
    sa.Column("key_prefix", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.CheckConstraint("role IN ('intern', 'ars', 'cng', 'admin')", name="role"),
    sa.CheckConstraint("role <> 'ars' OR region_code IS NOT NULL", name="ars_region"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64)),
    sa.Column("region_code", sa.String(3)),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64)),
)

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
