"""Tables of the zoning, written with SQLAlchemy Core on the shared metadata: the zone
categories of each profession and method (migrations 0002 and 0006_zoning_layouts), the
decrees, their zones and the communes the zones cover (0002, with ``zones.priority``
and ``decrees.complements`` from 0008_qpv_complementary).

``zones.priority`` is 0 for a territory's zone, 1 for a QPV zone whose category
overrides the territory's inside the QPV; ``decrees.complements`` is the id of the
principal decree a complementary decree amends.
"""

from __future__ import annotations

import sqlalchemy as sa

from cesp.geo.tables import area
from cesp.storage.base import metadata
from cesp.storage.types import UTCDateTime

zone_categories = sa.Table(
    "zone_categories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profession", sa.String(32), nullable=False),
    sa.Column("zoning_method", sa.String(32), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("label", sa.String(120), nullable=False),
    sa.Column("qualifies_for_cesp", sa.Boolean, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("aliases", sa.Text, nullable=False, server_default=""),
    sa.Column("keep_rows", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("parent_code", sa.String(32)),
    sa.UniqueConstraint("profession", "zoning_method", "code"),
)

decrees = sa.Table(
    "decrees",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("region_code", sa.String(3), sa.ForeignKey("regions.code"), nullable=False),
    sa.Column("reference", sa.String(60), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("signed", sa.Date, nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("effective_to", sa.Date),
    sa.Column("profession", sa.String(32), nullable=False),
    sa.Column("zoning_method", sa.String(32), nullable=False),
    sa.Column("source_filename", sa.Text, nullable=False),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    sa.Column("source_format", sa.String(16), nullable=False),
    sa.Column("imported_by", sa.String(120), nullable=False),
    sa.Column("imported_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.Column("superseded_by", sa.Integer, sa.ForeignKey("decrees.id")),
    sa.Column("notes", sa.Text),
    sa.Column("complements", sa.Integer),
    sa.CheckConstraint("status IN ('draft', 'published', 'superseded')", name="status"),
    sa.CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period"),
    sa.Index("ix_decrees_lookup", "region_code", "profession", "status"),
)

zones = sa.Table(
    "zones",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("decree_id", sa.Integer, sa.ForeignKey("decrees.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("built_from", sa.String(16), nullable=False),
    sa.Column("population", sa.Integer),
    sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("approximate_reason", sa.Text),
    sa.Column("source_rows", sa.Text),
    sa.Column("geom", area()),
    sa.Column("priority", sa.SmallInteger, nullable=False, server_default="0"),
)

zone_communes = sa.Table(
    "zone_communes",
    metadata,
    sa.Column("zone_id", sa.Integer, sa.ForeignKey("zones.id"), primary_key=True),
    sa.Column("commune_code", sa.String(5), primary_key=True),
    sa.Column("commune_name", sa.String(120), nullable=False),
    sa.Column("population", sa.Integer),
    sa.Column("coverage", sa.Float, nullable=False),
    sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_zone_communes_code", "commune_code"),
)
