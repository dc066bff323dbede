"""Index version (workers reload on change) and stored relocation decisions.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = op.create_table(
        "index_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(version, [{"id": 1, "version": 1, "updated_at": None}])
    op.create_table(
        "relocation_decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("profession", sa.String(32), nullable=False),
        sa.Column("change_date", sa.Date, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("authority", sa.String(8), nullable=False),
        sa.Column("authority_region", sa.String(3)),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("relocation_decisions")
    op.drop_table("index_version")
