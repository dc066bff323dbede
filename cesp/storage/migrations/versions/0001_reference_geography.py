"""Reference geography: regions, départements, commune units, load journal.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from cesp.storage.ddl import add_geometry_column, drop_spatial_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        has_postgis = bind.exec_driver_sql(
            "SELECT 1 FROM pg_extension WHERE extname = 'postgis'"
        ).first()
        if not has_postgis:
            raise RuntimeError(
                "PostGIS is not installed in this database: run "
                "'CREATE EXTENSION postgis' as a superuser first"
            )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(3), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("chef_lieu", sa.String(5)),
    )
    add_geometry_column("regions")
    op.create_table(
        "departements",
        sa.Column("code", sa.String(3), primary_key=True),
        sa.Column("region_code", sa.String(3), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("chef_lieu", sa.String(5)),
    )
    add_geometry_column("departements")
    op.create_table(
        "commune_units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(5), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_key", sa.String(120), nullable=False, index=True),
        sa.Column("departement_code", sa.String(3), nullable=False, index=True),
        sa.Column("region_code", sa.String(3), nullable=False),
        sa.Column("parent_code", sa.String(5)),
        sa.Column("population", sa.Integer),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column("successor_codes", sa.String(200)),
        sa.Column("end_event", sa.String(40)),
        sa.Column("geometry_code", sa.String(5)),
        sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("approximate_reason", sa.Text),
        sa.Column("candidate_codes", sa.String(200)),
    )
    add_geometry_column("commune_units")
    op.create_table(
        "reference_loads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_dir", sa.Text, nullable=False),
        sa.Column("departements", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("communes", sa.Integer, nullable=False),
        sa.Column("former_units", sa.Integer, nullable=False),
        sa.Column("approximate_units", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reference_loads")
    drop_spatial_table("commune_units")
    drop_spatial_table("departements")
    drop_spatial_table("regions")
