"""``/api/v1/campaigns``: rank-order choices of intern posts, wishes for practice sites,
allocation runs and the deciding parties' answers, with the whole history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Query
from fastapi import Path as FastPath

from cesp.access import authorize
from cesp.api.auth import get_actor
from cesp.api.dependencies import get_connection, get_engine, get_index
from cesp.api.post_schemas import (
    CampaignIn,
    CampaignOut,
    CandidatesIn,
    ChoiceAnswer,
    ChoiceIn,
    ChoiceOut,
    DecisionIn,
    HistoryOut,
    PostOut,
    ProposalOut,
    StatusIn,
    WishesIn,
    WishesOut,
    WishOut,
)
from cesp.api.routes.conventions import ERRORS
from cesp.audit import Actor
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import InvalidInputError
from cesp.posts.beneficiaries import beneficiary_for
from cesp.posts.campaigns import (
    create_campaign,
    get_campaign,
    history,
    list_campaigns,
    set_candidates,
    set_status,
)
from cesp.posts.choices import choose, file_wishes, wishes_of
from cesp.posts.proposals import decide, list_proposals, run_allocation
from cesp.posts.store import qualifications
from cesp.storage.engine import write_transaction

router = APIRouter(prefix="/api/v1", tags=["campaigns"])

Id = Annotated[int, FastPath(ge=1, le=2**31 - 1)]


@router.get("/campaigns", response_model=list[CampaignOut], responses=ERRORS)
def get_campaigns(conn: Annotated[sa.Connection, Depends(get_connection)]) -> list[CampaignOut]:
    """Every campaign, newest first."""
    return [CampaignOut.model_validate(c) for c in list_campaigns(conn)]


@router.post("/campaigns", response_model=CampaignOut, status_code=201, responses=ERRORS)
def post_campaign(
    body: CampaignIn,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> CampaignOut:
    """Create a campaign (CNG), in draft."""
    with write_transaction(engine) as conn:
        campaign = create_campaign(
            conn, body.year, body.kind, body.published_on or date.today(), actor
        )
    return CampaignOut.model_validate(campaign)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, responses=ERRORS)
def get_one_campaign(
    conn: Annotated[sa.Connection, Depends(get_connection)], campaign_id: Id
) -> CampaignOut:
    """One campaign, with whose turn it is in a rank-order campaign."""
    return CampaignOut.model_validate(get_campaign(conn, campaign_id))


@router.put("/campaigns/{campaign_id}/candidates", status_code=204, responses=ERRORS)
def put_candidates(
    body: CandidatesIn,
    campaign_id: Id,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> None:
    """The candidates and their rank (CNG), before the campaign opens."""
    with write_transaction(engine) as conn:
        set_candidates(
            conn, campaign_id, {c.beneficiary_id: c.rank for c in body.candidates}, actor
        )


@router.post("/campaigns/{campaign_id}/status", response_model=CampaignOut, responses=ERRORS)
def post_status(
    body: StatusIn,
    campaign_id: Id,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> CampaignOut:
    """Open or close a campaign (CNG)."""
    with write_transaction(engine) as conn:
        return CampaignOut.model_validate(set_status(conn, campaign_id, body.status, actor))


@router.post(
    "/campaigns/{campaign_id}/choices",
    response_model=ChoiceAnswer,
    status_code=201,
    responses={**ERRORS, 409: {"description": "Not your turn, no place left, already chosen"}},
)
def post_choice(
    body: ChoiceIn,
    campaign_id: Id,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> ChoiceAnswer:
    """Choose an intern post in rank order (or pass with ``{"pass": true}``)."""
    if (body.post_id is None) == (not body.pass_turn):
        raise InvalidInputError(
            "give either post_id or pass: true",
            message_fr="Indiquez soit un poste (post_id), soit « pass »: true.",
            field="post_id",
        )
    made = choose(engine, campaign_id, actor, body.post_id, body.beneficiary_id)
    post = made["post"]
    return ChoiceAnswer(
        choice=ChoiceOut.model_validate(made),  # its other keys (the post) are left out
        post=PostOut.qualified(post, qualifications(index, [post], date.today())[0])
        if post
        else None,
    )


def _wishes(conn: sa.Connection, campaign_id: int, beneficiary_id: int) -> WishesOut:
    return WishesOut(
        beneficiary_id=beneficiary_id,
        wishes=[
            WishOut(rank=r, post_id=p)
            for r, p in enumerate(wishes_of(conn, campaign_id, beneficiary_id), start=1)
        ],
    )


@router.post(
    "/campaigns/{campaign_id}/applications",
    response_model=WishesOut,
    status_code=201,
    responses=ERRORS,
)
def post_applications(
    body: WishesIn,
    campaign_id: Id,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> WishesOut:
    """File (or replace) up to five ranked wishes for practice sites."""
    file_wishes(engine, index, campaign_id, actor, body.wishes, body.beneficiary_id)
    with engine.connect() as conn:
        who = body.beneficiary_id or beneficiary_for(conn, actor).id
        return _wishes(conn, campaign_id, who)


@router.get(
    "/campaigns/{campaign_id}/applications/mine", response_model=WishesOut, responses=ERRORS
)
def get_my_applications(
    campaign_id: Id,
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> WishesOut:
    """The wishes of the intern key's beneficiary."""
    authorize(actor, "choice.make")
    get_campaign(conn, campaign_id)
    return _wishes(conn, campaign_id, beneficiary_for(conn, actor).id)


@router.post(
    "/campaigns/{campaign_id}/allocations",
    response_model=list[ProposalOut],
    status_code=201,
    responses=ERRORS,
)
def post_allocation(
    campaign_id: Id,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> list[ProposalOut]:
    """Run the allocation (CNG): a new run of proposals, each with its explanation."""
    run, _ = run_allocation(engine, campaign_id, actor)
    with engine.connect() as conn:
        return [ProposalOut.model_validate(p) for p in list_proposals(conn, campaign_id, run)]


@router.get(
    "/campaigns/{campaign_id}/proposals", response_model=list[ProposalOut], responses=ERRORS
)
def get_proposals(
    campaign_id: Id,
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
    run: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> list[ProposalOut]:
    """Proposals of a run (default: the latest)."""
    authorize(actor, "post.write")
    get_campaign(conn, campaign_id)
    return [ProposalOut.model_validate(p) for p in list_proposals(conn, campaign_id, run)]


@router.post("/proposals/{proposal_id}/decision", response_model=ProposalOut, responses=ERRORS)
def post_decision(
    body: DecisionIn,
    proposal_id: Id,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> ProposalOut:
    """The ARS's or the employer's answer; confirmed proposals take their place."""
    return ProposalOut.model_validate(decide(engine, proposal_id, body.party, body.decision, actor))


@router.get("/campaigns/{campaign_id}/history", response_model=list[HistoryOut], responses=ERRORS)
def get_history(
    campaign_id: Id,
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> list[HistoryOut]:
    """Every step of the campaign (ARS, CNG)."""
    authorize(actor, "post.write")
    get_campaign(conn, campaign_id)
    return [HistoryOut(**step) for step in history(conn, campaign_id)]
