"""Tables of the engagement: the follow-up ledger (migration 0007_engagement_ledger) and
the relocation decisions (migration 0003, columns added by 0007).

SQLAlchemy Core ``Table`` objects on the shared metadata, so that Alembic's metadata is
the union of the domain packages' tables. The point geometry is created by the
migration with the backend's own functions (``cesp.storage.ddl``).
"""

from __future__ import annotations

import sqlalchemy as sa
from geoalchemy2 import Geometry

from cesp.storage.base import metadata
from cesp.storage.types import UTCDateTime

practice_periods = sa.Table(
    "practice_periods",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("time_fraction", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("insee", sa.String(5)),
    sa.Column("region_code", sa.String(3)),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
    sa.CheckConstraint("time_fraction > 0 AND time_fraction <= 1", name="time_fraction"),
    sa.CheckConstraint("mode IN ('liberal', 'salarie', 'mixte')", name="mode"),
    sa.Index("ix_practice_periods_beneficiary", "beneficiary_id"),
    sa.Index("ix_practice_periods_region", "region_code"),
)

engagement_events = sa.Table(
    "engagement_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("months", sa.Integer, nullable=False),
    sa.Column("note_fr", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.CheckConstraint("kind IN ('suspension', 'deferral')", name="kind"),
    sa.CheckConstraint("months > 0", name="months"),
    sa.Index("ix_engagement_events_beneficiary", "beneficiary_id"),
)

relocation_decisions = sa.Table(
    "relocation_decisions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("requested_by", sa.String(120), nullable=False),
    sa.Column("profession", sa.String(32), nullable=False),
    sa.Column("change_date", sa.Date, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("authority", sa.String(8), nullable=False),
    sa.Column("authority_region", sa.String(3)),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("beneficiary_id", sa.Integer),
    sa.Column("file_reference", sa.String(80)),
    sa.Column("region_from", sa.String(3)),
    sa.Column("region_to", sa.String(3)),
    sa.Column("origin_ars_opinion", sa.String(12)),
    sa.Column("destination_ars_opinion", sa.String(12)),
    sa.Index("ix_relocation_decisions_filter", "beneficiary_id", "change_date", "decision"),
)
