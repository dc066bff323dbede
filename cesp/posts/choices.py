"""The choices of a campaign: an intern post chosen in rank order, or up to five
practice sites wished in order of preference (``cesp.posts.campaigns`` for the campaign
itself).

A candidate may choose once every candidate ranked before has chosen or passed; places
are taken by one conditional UPDATE (``cesp.posts.store.take_place``), so two requests
for the last place give one success and one refusal, on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import ConflictError, InvalidInputError, NotFoundError
from cesp.posts.beneficiaries import get_beneficiary
from cesp.posts.campaigns import MAX_WISHES, get_campaign, log_step, require_open, speaker_for
from cesp.posts.model import Beneficiary, Post, PostStatus, profile_mismatch
from cesp.posts.qualification import qualify_sites
from cesp.posts.store import get_post, take_place
from cesp.posts.tables import applications, campaign_candidates, choices, proposals
from cesp.storage.engine import write_transaction


def choose(
    engine: sa.Engine,
    campaign_id: int,
    actor: Actor,
    post_id: int | None,
    beneficiary_id: int | None = None,
) -> dict[str, Any]:
    """Choose an intern post (``post_id``) or pass (``None``), in rank order, atomically."""
    with write_transaction(engine) as conn:
        campaign = get_campaign(conn, campaign_id, lock=True)
        require_open(campaign, "rank_order")
        who = speaker_for(conn, actor, beneficiary_id)
        candidates = campaign_candidates
        rank = conn.execute(
            sa.select(candidates.c.rank).where(
                candidates.c.campaign_id == campaign_id, candidates.c.beneficiary_id == who
            )
        ).scalar()
        if rank is None:
            raise ConflictError(
                "not_a_candidate",
                f"beneficiary {who} is not a candidate of campaign {campaign_id}",
                message_fr="Vous n'êtes pas candidat à cette campagne.",
            )
        if conn.execute(
            sa.select(choices.c.post_id).where(
                choices.c.campaign_id == campaign_id, choices.c.beneficiary_id == who
            )
        ).first():
            raise ConflictError(
                "already_chosen",
                f"rank {rank} has already chosen or passed",
                message_fr="Vous avez déjà choisi (ou passé votre tour).",
            )
        if campaign.next_rank is not None and rank > campaign.next_rank:
            raise ConflictError(
                "not_your_turn",
                f"rank {campaign.next_rank} must choose before rank {rank}",
                message_fr=(
                    f"Ce n'est pas encore votre tour : le rang {campaign.next_rank} doit "
                    f"choisir avant vous (rang {rank})."
                ),
            )
        post = None
        if post_id is not None:
            post = get_post(conn, post_id)
            if post.campaign != campaign.year or post.kind != campaign.kind:
                raise InvalidInputError(
                    f"post {post_id} is not on the list of this campaign",
                    message_fr="Ce poste n'est pas sur la liste de cette campagne.",
                    field="post_id",
                )
            refuse_mismatch(post, get_beneficiary(conn, who), "post_id")
            take_place(conn, post_id)
        at = datetime.now(UTC)
        conn.execute(
            sa.insert(choices).values(
                campaign_id=campaign_id,
                beneficiary_id=who,
                post_id=post_id,
                at=at,
                actor=actor.name,
            )
        )
        detail = (
            f"Rang {rank} : poste {post.reference} choisi ({post.specialty}, {post.commune_name})."
            if post
            else f"Rang {rank} : passe son tour."
        )
        log_step(conn, campaign_id, actor, "choice" if post else "pass", detail, who, post_id)
        record(conn, actor, "campaign.choice", "campaign", campaign_id, detail)
        return {
            "beneficiary_id": who,
            "rank": int(rank),
            "post_id": post_id,
            "at": at,
            "post": get_post(conn, post_id) if post_id is not None else None,
        }


def file_wishes(
    engine: sa.Engine,
    index: ZoningIndex,
    campaign_id: int,
    actor: Actor,
    post_ids: list[int],
    beneficiary_id: int | None = None,
) -> list[int]:
    """Replace a beneficiary's ranked wishes (1 to 5 distinct open posts of the list)."""
    if not 1 <= len(post_ids) <= MAX_WISHES or len(set(post_ids)) != len(post_ids):
        raise InvalidInputError(
            f"give 1 to {MAX_WISHES} distinct posts, in order of preference",
            message_fr=f"Indiquez de 1 à {MAX_WISHES} postes distincts, par ordre de préférence.",
            field="wishes",
        )
    with write_transaction(engine) as conn:
        campaign = get_campaign(conn, campaign_id, lock=True)
        require_open(campaign, "applications")
        who = speaker_for(conn, actor, beneficiary_id)
        refuse_if_placed(conn, campaign_id, who)
        beneficiary = get_beneficiary(conn, who)
        posts = []
        for position, post_id in enumerate(post_ids):
            try:
                posts.append(get_post(conn, post_id))
            except NotFoundError as error:
                error.field = f"wishes[{position}]"  # the wish at fault, not a post_id field
                raise
        for position, post in enumerate(posts):
            if post.campaign != campaign.year or post.kind != campaign.kind:
                raise InvalidInputError(
                    f"post {post.id} is not on the list of this campaign",
                    message_fr=f"Le poste {post.reference} n'est pas sur la liste de la campagne.",
                    field=f"wishes[{position}]",
                )
            refuse_mismatch(post, beneficiary, f"wishes[{position}]")
            if post.status != PostStatus.OPEN:
                withdrawn = post.status == PostStatus.WITHDRAWN
                raise ConflictError(
                    "post_withdrawn" if withdrawn else "no_place_left",
                    f"post {post.id} is {post.status}",
                    message_fr=(
                        f"Le poste {post.reference} a été retiré de la liste par son ARS."
                        if withdrawn
                        else f"Le poste {post.reference} est pourvu : plus aucune place."
                    ),
                    field=f"wishes[{position}]",
                )
        # The three-year rule counts from the list's publication (L.632-6), not from the
        # day the wishes are filed.
        published = campaign.published_on
        for position, (post, q) in enumerate(
            zip(
                posts,
                qualify_sites(
                    index,
                    [p.lon for p in posts],
                    [p.lat for p in posts],
                    [p.profession for p in posts],
                    published,
                ),
                strict=True,
            )
        ):
            if not q.qualifies:
                raise ConflictError(
                    "post_out_of_zone",
                    f"post {post.id} no longer qualifies ({q.status})",
                    message_fr=f"Le poste {post.reference} n'est plus éligible : {q.label_fr}.",
                    field=f"wishes[{position}]",
                )
        conn.execute(
            sa.delete(applications).where(
                applications.c.campaign_id == campaign_id, applications.c.beneficiary_id == who
            )
        )
        at = datetime.now(UTC)
        for rank, post in enumerate(posts, start=1):
            conn.execute(
                sa.insert(applications).values(
                    campaign_id=campaign_id,
                    beneficiary_id=who,
                    wish_rank=rank,
                    post_id=post.id,
                    at=at,
                )
            )
        listing = ", ".join(f"{r}. {p.reference}" for r, p in enumerate(posts, start=1))
        log_step(conn, campaign_id, actor, "wishes", f"Vœux déposés : {listing}.", who)
    return post_ids


def refuse_mismatch(post: Post, beneficiary: Beneficiary, field: str) -> None:
    """A 422 naming ``field`` when the post is of another profession or specialty
    (:func:`cesp.posts.model.profile_mismatch`)."""
    mismatch = profile_mismatch(post, beneficiary)
    if mismatch is not None:
        raise InvalidInputError(mismatch[0], message_fr=mismatch[1], field=field)


def refuse_if_placed(conn: sa.Connection, campaign_id: int, beneficiary_id: int) -> None:
    """A beneficiary whose practice site is confirmed has chosen: no new wishes."""
    placed = conn.execute(
        sa.select(proposals.c.post_id).where(
            proposals.c.campaign_id == campaign_id,
            proposals.c.beneficiary_id == beneficiary_id,
            proposals.c.status == "confirmed",
        )
    ).scalar()
    if placed is not None:
        raise ConflictError(
            "already_placed",
            f"beneficiary {beneficiary_id} already has a confirmed practice site",
            message_fr=(
                "Votre lieu d'exercice est déjà confirmé dans cette campagne : vous ne "
                "pouvez plus déposer de vœux."
            ),
            field="wishes",
        )


def wishes_of(conn: sa.Connection, campaign_id: int, beneficiary_id: int) -> list[int]:
    """A beneficiary's wishes, in order of preference."""
    return [
        int(p)
        for p in conn.execute(
            sa.select(applications.c.post_id)
            .where(
                applications.c.campaign_id == campaign_id,
                applications.c.beneficiary_id == beneficiary_id,
            )
            .order_by(applications.c.wish_rank)
        ).scalars()
    ]
