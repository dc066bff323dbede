"""``/api/v1/relocations``: the national manager's decisions on a change of practice site."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Query
from fastapi import Path as FastPath

from cesp.access import authorize
from cesp.api.auth import get_actor
from cesp.api.dependencies import get_connection, get_engine, get_index
from cesp.api.eligibility_schemas import RelocationIn, RelocationOut
from cesp.api.french_params import Day
from cesp.api.routes.conventions import ERRORS
from cesp.audit import Actor, record
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.engagement.relocation import decide, load_decision
from cesp.engagement.relocation_file import (
    RelocationFiling,
    RelocationFilter,
    file_decision,
    list_decisions,
    with_opinions,
)
from cesp.posts.beneficiaries import get_beneficiary
from cesp.storage.engine import write_transaction

router = APIRouter(tags=["eligibility"])


@router.post("/api/v1/relocations/validate", response_model=RelocationOut, responses=ERRORS)
def validate_relocation(
    body: RelocationIn,
    index: Annotated[ZoningIndex, Depends(get_index)],
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> RelocationOut:
    """Decide on a change of practice site (``cng`` or ``admin`` key); the decision is
    stored and can be fetched later."""
    authorize(actor, "relocation.validate")
    with write_transaction(engine) as conn:
        new_site = body.new_site.to_site("new_site.")
        beneficiary = (
            None if body.beneficiary_id is None else get_beneficiary(conn, body.beneficiary_id)
        )
        decision = decide(
            index,
            conn,
            profession=body.profession,
            current_site=body.current_site.to_site("current_site."),
            new_site=new_site,
            change_date=body.change_date,
            engagement_end=body.engagement_end,
            signed_on=None if beneficiary is None else beneficiary.signed_on,
        )
        decision = with_opinions(decision, body.origin_ars_opinion, body.destination_ars_opinion)
        filing = RelocationFiling(
            beneficiary=beneficiary,
            file_reference=body.file_reference,
            origin_ars_opinion=body.origin_ars_opinion,
            destination_ars_opinion=body.destination_ars_opinion,
            mode=body.mode,
            time_fraction=body.time_fraction,
        )
        answer = RelocationOut.of(decision).model_copy(
            update={
                "beneficiary_id": body.beneficiary_id,
                "file_reference": body.file_reference,
                "origin_ars_opinion": body.origin_ars_opinion,
                "destination_ars_opinion": body.destination_ars_opinion,
            }
        )
        file_decision(conn, decision, answer.model_dump(mode="json"), filing, new_site, actor)
        target = answer.new_site.commune.code if answer.new_site.commune else "?"
        against = ", ".join(r.code for r in decision.reasons) or "no reason against"
        record(
            conn,
            actor,
            "relocation.decide",
            "relocation",
            decision.id,
            f"{decision.decision}: {body.profession} move on {body.change_date} to {target} "
            f"({against})",
            region=decision.authority_region,
        )
    return answer


@router.get("/api/v1/relocations", responses=ERRORS)
def get_relocations(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
    beneficiary_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    date_from: Annotated[Day | None, Query(alias="from", description="Change date from")] = None,
    date_to: Annotated[Day | None, Query(alias="to", description="Change date up to")] = None,
    decision: Annotated[Literal["allowed", "refused"] | None, Query()] = None,
    region: Annotated[str | None, Query(max_length=3, description="Region left or joined")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[dict[str, Any]]:
    """Stored relocation decisions, newest change first (``cng`` or ``admin`` key)."""
    authorize(actor, "relocation.read")
    where = RelocationFilter(beneficiary_id, date_from, date_to, decision, region, limit, offset)
    return list_decisions(conn, where)


@router.get("/api/v1/relocations/{decision_id}", response_model=RelocationOut, responses=ERRORS)
def get_relocation(
    decision_id: Annotated[str, FastPath(max_length=64)],
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> RelocationOut:
    """A stored decision, as it was answered (``cng`` or ``admin`` key)."""
    authorize(actor, "relocation.read")
    return RelocationOut.model_validate(load_decision(conn, decision_id))
