"""Campaigns of choice: intern posts in rank order, practice sites by ranked wishes.

- Intern posts (``internat``): after the national ranking exams, CESP signatories choose
  their intern post on a closed national list in rank order (code de l'éducation,
  art. L.632-6, loi n°2009-879 du 21 juillet 2009, art. 46; seed document 001; the
  article of décret n°2010-735 was not verified here). A candidate may choose once every
  candidate ranked before has chosen or passed; places are taken by one conditional
  UPDATE, so two requests for the last place give one success and one refusal, on both
  backends.
- Practice sites (``exercice``): in the last year of studies a beneficiary files up to 5
  applications in order of preference (art. 7); :mod:`cesp.posts.allocation` proposes
  an allocation that the deciding party confirms.

Every step is appended to ``campaign_history`` in the transaction that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from cesp.access import authorize
from cesp.audit import Actor, record
from cesp.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from cesp.posts.beneficiaries import beneficiary_for, get_beneficiary
from cesp.posts.model import Post, PostKind, parse_choice
from cesp.posts.tables import (
    campaign_candidates,
    campaign_history,
    campaigns,
    choices,
    proposals,
)

MAX_WISHES = 5
PROCEDURE = {PostKind.INTERNAT.value: "rank_order", PostKind.EXERCICE.value: "applications"}


@dataclass(frozen=True)
class Campaign:
    """A campaign of choice for one year and one list."""

    id: int
    year: int
    kind: str
    status: str
    published_on: date
    next_rank: int | None

    @property
    def procedure(self) -> str:
        """``rank_order`` for intern posts, ``applications`` for practice sites."""
        return PROCEDURE[self.kind]


def next_rank(conn: sa.Connection, campaign_id: int) -> int | None:
    """The rank whose turn it is: the best-ranked candidate who has not chosen nor passed."""
    c, h = campaign_candidates, choices
    joined = c.outerjoin(
        h, sa.and_(h.c.campaign_id == c.c.campaign_id, h.c.beneficiary_id == c.c.beneficiary_id)
    )
    value = conn.execute(
        sa.select(sa.func.min(c.c.rank))
        .select_from(joined)
        .where(c.c.campaign_id == campaign_id, h.c.beneficiary_id.is_(None))
    ).scalar()
    return int(value) if value is not None else None


def get_campaign(conn: sa.Connection, campaign_id: int, *, lock: bool = False) -> Campaign:
    """One campaign; ``lock`` serialises the writers of a campaign on PostgreSQL."""
    query = sa.select(
        campaigns.c.id,
        campaigns.c.year,
        campaigns.c.kind,
        campaigns.c.status,
        campaigns.c.published_on,
    ).where(campaigns.c.id == campaign_id)
    # SQLite renders no FOR UPDATE: its one writer at a time serialises them already.
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFoundError(
            f"no campaign {campaign_id}",
            message_fr=f"Aucune campagne n°{campaign_id}.",
            field="campaign_id",
        )
    rank = next_rank(conn, row.id) if row.kind == PostKind.INTERNAT else None
    return Campaign(row.id, row.year, row.kind, row.status, row.published_on, rank)


def list_campaigns(conn: sa.Connection) -> list[Campaign]:
    """Every campaign, newest first."""
    ids = conn.execute(
        sa.select(campaigns.c.id).order_by(campaigns.c.year.desc(), campaigns.c.kind)
    ).scalars()
    return [get_campaign(conn, int(i)) for i in ids]


def history(conn: sa.Connection, campaign_id: int) -> list[dict[str, Any]]:
    """Every step of a campaign, oldest first."""
    steps = campaign_history
    rows = conn.execute(
        sa.select(
            steps.c.id,
            steps.c.at,
            steps.c.actor,
            steps.c.event,
            steps.c.beneficiary_id,
            steps.c.post_id,
            steps.c.detail_fr,
        )
        .where(steps.c.campaign_id == campaign_id)
        .order_by(steps.c.id)
    )
    return [dict(r._mapping) for r in rows]


def log_step(
    conn: sa.Connection,
    campaign_id: int,
    actor: Actor,
    event: str,
    detail_fr: str,
    beneficiary_id: int | None = None,
    post_id: int | None = None,
) -> None:
    """Append one step to the campaign's history (inside the caller's transaction)."""
    conn.execute(
        sa.insert(campaign_history).values(
            campaign_id=campaign_id,
            at=datetime.now(UTC),
            actor=actor.name,
            event=event,
            beneficiary_id=beneficiary_id,
            post_id=post_id,
            detail_fr=detail_fr,
        )
    )


def create_campaign(
    conn: sa.Connection, year: int, kind: str, published_on: date, actor: Actor
) -> Campaign:
    """A new campaign in ``draft`` (one per year and list)."""
    authorize(actor, "campaign.manage")
    kind = parse_choice(PostKind, kind, "kind", "Liste").value
    if conn.execute(
        sa.select(campaigns.c.id).where(campaigns.c.year == year, campaigns.c.kind == kind)
    ).first():
        raise ConflictError(
            "campaign_exists",
            f"a {kind} campaign already exists for {year}",
            message_fr=f"Une campagne {kind} existe déjà pour {year}.",
            field="year",
        )
    campaign_id = conn.execute(
        sa.insert(campaigns)
        .values(year=year, kind=kind, status="draft", published_on=published_on)
        .returning(campaigns.c.id)
    ).scalar_one()
    log_step(conn, campaign_id, actor, "created", f"Campagne {kind} {year} créée.")
    record(conn, actor, "campaign.create", "campaign", campaign_id, f"{kind} {year}")
    return get_campaign(conn, campaign_id)


def set_candidates(
    conn: sa.Connection, campaign_id: int, ranks: dict[int, int], actor: Actor
) -> None:
    """Candidates and their rank (ECN rank for intern posts); only before the opening."""
    authorize(actor, "campaign.manage")
    campaign = get_campaign(conn, campaign_id)
    if campaign.status != "draft":
        raise ConflictError(
            "campaign_not_draft",
            "candidates can only be set before the campaign opens",
            message_fr="Les candidats se fixent avant l'ouverture de la campagne.",
        )
    if len(set(ranks.values())) != len(ranks) or any(r < 1 for r in ranks.values()):
        raise InvalidInputError(
            "ranks must be distinct whole numbers from 1",
            message_fr="Les rangs doivent être des entiers distincts à partir de 1.",
            field="rank",
        )
    for beneficiary_id in ranks:
        get_beneficiary(conn, beneficiary_id)
    conn.execute(
        sa.delete(campaign_candidates).where(campaign_candidates.c.campaign_id == campaign_id)
    )
    for beneficiary_id, rank in sorted(ranks.items(), key=lambda item: item[1]):
        conn.execute(
            sa.insert(campaign_candidates).values(
                campaign_id=campaign_id, beneficiary_id=beneficiary_id, rank=rank
            )
        )
    log_step(conn, campaign_id, actor, "candidates", f"{len(ranks)} candidats classés.")


def set_status(conn: sa.Connection, campaign_id: int, status: str, actor: Actor) -> Campaign:
    """Open (from draft) or close (from open) a campaign."""
    authorize(actor, "campaign.manage")
    campaign = get_campaign(conn, campaign_id, lock=True)
    allowed = {"open": "draft", "closed": "open"}
    if allowed.get(status) != campaign.status:
        raise ConflictError(
            "bad_transition",
            f"cannot go from {campaign.status} to {status}",
            message_fr=f"Passage impossible de « {campaign.status} » à « {status} ».",
            field="status",
        )
    column = "opened_at" if status == "open" else "closed_at"
    conn.execute(
        sa.update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values({"status": status, column: datetime.now(UTC)})
    )
    label = "ouverte" if status == "open" else "close"
    log_step(conn, campaign_id, actor, status, f"Campagne {label}.")
    record(conn, actor, f"campaign.{status}", "campaign", campaign_id, f"campaign {status}")
    return get_campaign(conn, campaign_id)


def require_open(campaign: Campaign, procedure: str) -> None:
    """Refuse a choice, wish or allocation on a campaign not open, or of the other kind."""
    if campaign.status != "open":
        raise ConflictError(
            "campaign_not_open",
            f"campaign {campaign.id} is {campaign.status}",
            message_fr="La campagne n'est pas ouverte.",
        )
    if campaign.procedure != procedure:
        raise ConflictError(
            "wrong_procedure",
            f"campaign {campaign.id} uses {campaign.procedure}, not {procedure}",
            message_fr=(
                "Cette campagne se fait par choix en rang de classement."
                if campaign.procedure == "rank_order"
                else "Cette campagne se fait par vœux classés."
            ),
        )


def speaker_for(conn: sa.Connection, actor: Actor, beneficiary_id: int | None) -> int:
    """The beneficiary a request is for: the intern key's own, or the one a CNG agent names."""
    authorize(actor, "choice.make")
    if actor.role == "intern":
        own = beneficiary_for(conn, actor).id
        if beneficiary_id not in (None, own):
            raise ForbiddenError(
                "an intern key acts only for its own beneficiary",
                message_fr="Une clé d'interne n'agit que pour son titulaire.",
                field="beneficiary_id",
            )
        return own
    if beneficiary_id is None:
        raise InvalidInputError(
            "beneficiary_id is required when a CNG agent acts for a candidate",
            message_fr="Indiquez le bénéficiaire (beneficiary_id).",
            field="beneficiary_id",
        )
    return get_beneficiary(conn, beneficiary_id).id


def withdraw_from_campaign(conn: sa.Connection, post: Post, actor: Actor) -> None:
    """What withdrawing ``post`` does to its campaign (inside the caller's transaction).

    A place already taken (an intern's choice, a confirmed practice site) is a
    commitment to a beneficiary: withdrawing the post would leave them attached to a
    post that no longer exists, so it is refused (409); the ARS lowers the post's places
    to those taken instead, which closes it to anyone else. Otherwise the proposals
    still awaiting a decision on it are superseded, and the campaign's history says so.
    """
    if post.places_taken:
        raise ConflictError(
            "post_taken",
            f"post {post.reference} cannot be withdrawn: {post.places_taken} of its places "
            f"are taken (chosen or confirmed); set places to {post.places_taken} to close it",
            message_fr=(
                f"Le poste {post.reference} ne peut pas être retiré : {post.places_taken} "
                "place(s) déjà attribuée(s) (choix ou proposition confirmée). Pour ne plus "
                f"le proposer, ramenez ses places à {post.places_taken}."
            ),
            field="status",
        )
    campaign_id = conn.execute(
        sa.select(campaigns.c.id).where(
            campaigns.c.year == post.campaign, campaigns.c.kind == post.kind
        )
    ).scalar()
    if campaign_id is None:
        return
    waiting = conn.execute(
        sa.select(proposals.c.id, proposals.c.beneficiary_id).where(
            proposals.c.post_id == post.id, proposals.c.status == "proposed"
        )
    ).all()
    conn.execute(
        sa.update(proposals)
        .where(proposals.c.id.in_([w.id for w in waiting]))
        .values(status="superseded")
    )
    log_step(
        conn,
        campaign_id,
        actor,
        "post.withdrawn",
        f"Poste {post.reference} retiré de la liste"
        + (
            f" ; {len(waiting)} proposition(s) en attente sur ce poste remplacée(s) : "
            "une nouvelle répartition examinera les vœux suivants."
            if waiting
            else "."
        ),
        post_id=post.id,
    )
    for w in waiting:
        log_step(
            conn,
            campaign_id,
            actor,
            "proposal.superseded",
            f"Proposition du poste {post.reference} close : le poste a été retiré.",
            w.beneficiary_id,
            post.id,
        )
