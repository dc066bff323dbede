"""The territories of vie-santé (TVS) <-> communes correspondence, as versioned
reference data (DREES, « Territoires de vie-santé (TVS) – correspondance communale »).

Revision ID: 0009_tvs_reference
Revises: 0008_qpv_complementary

Table of ``cesp.geo.tables``, loaded by ``cesp data load-tvs``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_tvs_reference"
down_revision = "0008_qpv_complementary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tvs_communes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("tvs_code", sa.String(10), nullable=False),
        sa.Column("tvs_name", sa.String(120), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("commune_name", sa.String(120)),
        sa.Column("region_code", sa.String(3)),
        sa.Column("source_filename", sa.String(255), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "valid_from", "commune_code", name="uq_tvs_communes_valid_from_commune_code"
        ),
    )
    op.create_index(
        "ix_tvs_communes_valid_from_tvs_code", "tvs_communes", ["valid_from", "tvs_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_tvs_communes_valid_from_tvs_code", table_name="tvs_communes")
    op.drop_table("tvs_communes")
