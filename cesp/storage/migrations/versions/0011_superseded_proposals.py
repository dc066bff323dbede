"""Proposals of an earlier run superseded by a new run; ties broken by the deciding party.

Revision ID: 0011_superseded_proposals
Revises: 0010_doted_categories

- ``proposals.status`` may be ``superseded`` (a later allocation run, or the post's
  withdrawal, replaced it: nothing left to decide) or ``tie_broken`` (the deciding
  party put this candidate first among candidates of equal priority).
- ``tie_breaks`` (table of ``cesp.posts.tables``): those answers, read by every later
  run of the campaign (décret n°2010-735 du 29 juin 2010, art. 7).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_superseded_proposals"
down_revision = "0010_doted_categories"
branch_labels = None
depends_on = None

OLD = "status IN ('proposed', 'confirmed', 'refused', 'none')"
NEW = "status IN ('proposed', 'confirmed', 'refused', 'none', 'superseded', 'tie_broken')"


def _status_check(condition: str) -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.drop_constraint(op.f("ck_proposals_proposal_status"), type_="check")
        batch.create_check_constraint("proposal_status", condition)


def upgrade() -> None:
    _status_check(NEW)
    op.create_table(
        "tie_breaks",
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id"), primary_key=True),
        sa.Column(
            "beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), primary_key=True
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tie_breaks")
    op.execute(
        "UPDATE proposals SET status = 'refused' WHERE status IN ('superseded', 'tie_broken')"
    )
    _status_check(OLD)
