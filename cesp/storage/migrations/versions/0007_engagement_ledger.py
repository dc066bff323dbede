"""The follow-up ledger of each beneficiary: practice periods, suspensions, deferrals;
relocation decisions gain the beneficiary, the caller's file reference, both regions and
the two ARS opinions of a move between regions (décret n°2010-735 art. 8).

Revision ID: 0007_engagement_ledger
Revises: 0005

Tables of ``cesp.engagement.tables``. The lead re-chains ``down_revision`` at merge
(another branch adds 0006).
"""

import sqlalchemy as sa
from alembic import op

from cesp.storage.ddl import add_geometry_column, drop_spatial_table

revision = "0007_engagement_ledger"
down_revision = "0006_zoning_layouts"
branch_labels = None
depends_on = None

RELOCATION_COLUMNS = (
    sa.Column("beneficiary_id", sa.Integer),
    sa.Column("file_reference", sa.String(80)),
    sa.Column("region_from", sa.String(3)),
    sa.Column("region_to", sa.String(3)),
    sa.Column("origin_ars_opinion", sa.String(12)),
    sa.Column("destination_ars_opinion", sa.String(12)),
)


def upgrade() -> None:
    op.create_table(
        "practice_periods",
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.CheckConstraint("time_fraction > 0 AND time_fraction <= 1", name="time_fraction"),
        sa.CheckConstraint("mode IN ('liberal', 'salarie', 'mixte')", name="mode"),
    )
    op.create_index("ix_practice_periods_beneficiary", "practice_periods", ["beneficiary_id"])
    op.create_index("ix_practice_periods_region", "practice_periods", ["region_code"])
    add_geometry_column("practice_periods", "geom", "POINT")
    op.create_table(
        "engagement_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("note_fr", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.CheckConstraint("kind IN ('suspension', 'deferral')", name="kind"),
        sa.CheckConstraint("months > 0", name="months"),
    )
    op.create_index("ix_engagement_events_beneficiary", "engagement_events", ["beneficiary_id"])
    with op.batch_alter_table("relocation_decisions") as batch:
        for column in RELOCATION_COLUMNS:
            batch.add_column(column)
    op.create_index(
        "ix_relocation_decisions_filter",
        "relocation_decisions",
        ["beneficiary_id", "change_date", "decision"],
    )


def downgrade() -> None:
    op.drop_index("ix_relocation_decisions_filter", table_name="relocation_decisions")
    with op.batch_alter_table("relocation_decisions") as batch:
        for column in reversed(RELOCATION_COLUMNS):
            batch.drop_column(column.name)
    op.drop_table("engagement_events")
    drop_spatial_table("practice_periods")
