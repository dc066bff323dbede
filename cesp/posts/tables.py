"""Tables of the national list of practice sites and of the campaigns of choice,
written with SQLAlchemy Core on the shared metadata (migration 0005).

Places are counted in ``posts.places_taken``, changed only by a conditional UPDATE
(``places_taken < places``) so that two requests for the last place cannot both win.
``campaign_history`` keeps every step of a campaign (append-only: the migration adds
the triggers that refuse an UPDATE or DELETE).
"""

from __future__ import annotations

import sqlalchemy as sa

from cesp.storage.base import metadata
from cesp.storage.types import UTCDateTime

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(40), nullable=False),
    sa.Column("campaign", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("region_code", sa.String(3), nullable=False),
    sa.Column("departement_code", sa.String(3), nullable=False),
    sa.Column("profession", sa.String(32), nullable=False),
    sa.Column("specialty", sa.String(120), nullable=False),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("structure", sa.String(200), nullable=False),
    sa.Column("address", sa.String(300), nullable=False),
    sa.Column("commune_code", sa.String(5), nullable=False),
    sa.Column("commune_name", sa.String(120), nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("places", sa.Integer, nullable=False),
    sa.Column("places_taken", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("listed_on", sa.Date, nullable=False),
    sa.Column("proposed_by", sa.String(120), nullable=False),
    sa.Column("proposed_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("sample", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("campaign", "reference", name="uq_posts_campaign_reference"),
    sa.CheckConstraint("kind IN ('exercice', 'internat')", name="kind"),
    sa.CheckConstraint("mode IN ('liberal', 'salarie', 'mixte')", name="mode"),
    sa.CheckConstraint("status IN ('open', 'filled', 'withdrawn')", name="status"),
    sa.CheckConstraint("places >= 0", name="places"),
    sa.CheckConstraint("places_taken >= 0 AND places_taken <= places", name="places_taken"),
    sa.Index("ix_posts_filter", "campaign", "kind", "region_code", "status"),
    sa.Index("ix_posts_lon_lat", "lon", "lat"),
)

beneficiaries = sa.Table(
    "beneficiaries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("profession", sa.String(32), nullable=False),
    sa.Column("specialty", sa.String(120)),
    sa.Column("training_region", sa.String(3), nullable=False),
    sa.Column("requested_on", sa.Date, nullable=False),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("months_paid", sa.Integer, nullable=False, server_default="0"),
    sa.Column("suspended_months", sa.Integer, nullable=False, server_default="0"),
    sa.Column("deferral_months", sa.Integer, nullable=False, server_default="0"),
    sa.Column("des_obtained_on", sa.Date),
    sa.Column("practice_started_on", sa.Date),
    sa.Column("key_name", sa.String(120), unique=True),
    sa.Column("sample", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.CheckConstraint(
        "months_paid >= 0 AND suspended_months >= 0 AND deferral_months >= 0", name="months"
    ),
)

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("published_on", sa.Date, nullable=False),
    sa.Column("opened_at", UTCDateTime),
    sa.Column("closed_at", UTCDateTime),
    sa.UniqueConstraint("year", "kind", name="uq_campaigns_year_kind"),
    sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
)

campaign_candidates = sa.Table(
    "campaign_candidates",
    metadata,
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), primary_key=True),
    sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), primary_key=True),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.UniqueConstraint("campaign_id", "rank", name="uq_candidates_rank"),
)

choices = sa.Table(
    "choices",
    metadata,
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), primary_key=True),
    sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), primary_key=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id")),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), primary_key=True),
    sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), primary_key=True),
    sa.Column("wish_rank", sa.Integer, primary_key=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("campaign_id", "beneficiary_id", "post_id", name="uq_wish_post"),
    sa.CheckConstraint("wish_rank BETWEEN 1 AND 5", name="wish_rank"),
)

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("run", sa.Integer, nullable=False),
    sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), nullable=False),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id")),
    sa.Column("wish_rank", sa.Integer),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("explanation_fr", sa.Text, nullable=False),
    sa.Column("ars_decision", sa.String(10)),
    sa.Column("employer_decision", sa.String(10)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("campaign_id", "run", "beneficiary_id", name="uq_proposal"),
    sa.CheckConstraint(
        "status IN ('proposed', 'confirmed', 'refused', 'none', 'superseded', 'tie_broken')",
        name="proposal_status",
    ),
)

tie_breaks = sa.Table(
    "tie_breaks",
    metadata,
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), primary_key=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id"), primary_key=True),
    sa.Column("beneficiary_id", sa.Integer, sa.ForeignKey("beneficiaries.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("proposal_id", sa.Integer, sa.ForeignKey("proposals.id"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
)
"""How the deciding party broke ties between candidates of equal priority on a post
(décret n°2010-735 art. 7 leaves it the decision): ``position`` 1 goes first."""

campaign_history = sa.Table(
    "campaign_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("beneficiary_id", sa.Integer),
    sa.Column("post_id", sa.Integer),
    sa.Column("detail_fr", sa.Text, nullable=False),
    sa.Index("ix_campaign_history_campaign", "campaign_id", "id"),
)
