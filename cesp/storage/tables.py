"""The service's own tables: the index version, API keys, the audit log (migrations
0003 and 0004). The whole schema is ``cesp.storage.base.schema_metadata``.

``audit_log`` is append-only: the migration (0004) adds the triggers that refuse an
UPDATE or DELETE.
"""

from __future__ import annotations

import sqlalchemy as sa

from cesp.storage.base import metadata
from cesp.storage.types import UTCDateTime

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
