"""QPV contours as reference data; zones that override others; complementary decrees.

Revision ID: 0008_qpv_complementary
Revises: 0007_engagement_ledger

- ``qpv_contours`` (table of ``cesp.geo.tables``): the contours of the quartiers
  prioritaires de la politique de la ville published by the ANCT, one row per QPV and
  generation (2015: décrets n°2014-1750 and 2014-1751 du 30 décembre 2014, codes
  ``QP...``; 2024: décret n°2023-1314 du 28 décembre 2023, codes ``QN...``).
- ``zones.priority``: 0 for a territory's zone, 1 for a QPV zone whose category
  overrides the territory's inside the QPV (``cesp.eligibility.overrides``).
- ``decrees.complements``: the id of the principal decree a complementary decree amends
  (``cesp.zones.decrees``: it stays in force with it and ends with it).

The lead re-chains ``down_revision`` at merge.
"""

import sqlalchemy as sa
from alembic import op

from cesp.storage.ddl import add_geometry_column, drop_spatial_table

revision = "0008_qpv_complementary"
down_revision = "0007_engagement_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qpv_contours",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("generation", sa.String(4), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("departement_code", sa.String(3), nullable=False),
        sa.Column("commune_codes", sa.String(400)),
        sa.Column("source_filename", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("generation IN ('2015', '2024')", name="generation"),
    )
    add_geometry_column("qpv_contours")
    op.add_column(
        "zones", sa.Column("priority", sa.SmallInteger, nullable=False, server_default="0")
    )
    op.add_column("decrees", sa.Column("complements", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("decrees") as batch:
        batch.drop_column("complements")
    with op.batch_alter_table("zones") as batch:
        batch.drop_column("priority")
    drop_spatial_table("qpv_contours")
