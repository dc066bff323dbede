"""``/api/v1/me`` and ``/api/v1/beneficiaries``: who an intern key speaks for, and a
beneficiary's engagement (length, what a rupture would cost)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Query
from fastapi import Path as FastPath

from cesp.access import authorize
from cesp.api.auth import get_actor
from cesp.api.dependencies import get_connection
from cesp.api.french_params import Day
from cesp.api.post_schemas import MeOut
from cesp.api.routes.conventions import ERRORS
from cesp.audit import Actor
from cesp.engagement.ledger_store import terms_of
from cesp.engagement.status import assess_engagement
from cesp.errors import ForbiddenError
from cesp.posts.beneficiaries import beneficiary_for, get_beneficiary
from cesp.posts.candidacy import candidacy

router = APIRouter(prefix="/api/v1", tags=["beneficiaries"])


@router.get("/me", response_model=MeOut, responses=ERRORS)
def get_me(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
    campaign: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Campaign id")] = None,
) -> MeOut:
    """The beneficiary of an intern key, with their rank and choice in ``campaign`` (by
    default the newest open campaign they are a candidate of)."""
    authorize(actor, "beneficiary.read")
    me = beneficiary_for(conn, actor)
    return MeOut.speaking_for(me, candidacy(conn, me.id, campaign))


@router.get("/beneficiaries/{beneficiary_id}/engagement", responses=ERRORS)
def get_engagement(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    actor: Annotated[Actor, Depends(get_actor)],
    beneficiary_id: Annotated[int, FastPath(ge=1, le=2**31 - 1)],
    on: Annotated[Day | None, Query(alias="date", description="Default: today")] = None,
) -> dict[str, object]:
    """The engagement of a beneficiary on ``date``: its length, the service done and left,
    and what a resignation that day would cost (CNG, or the intern about themself).

    The terms are ``ledger_store.terms_of``'s, as for ``/ledger``: the suspensions and
    deferrals recorded in the ledger are counted."""
    authorize(actor, "beneficiary.read")
    if actor.role == "intern" and beneficiary_for(conn, actor).id != beneficiary_id:
        raise ForbiddenError(
            "an intern key reads only its own engagement",
            message_fr="Une clé d'interne ne consulte que son propre engagement.",
            field="beneficiary_id",
        )
    b = get_beneficiary(conn, beneficiary_id)
    # The same terms as the ledger's: the suspensions and deferrals it records count.
    terms = terms_of(conn, b)
    return {"beneficiary_id": b.id, **assess_engagement(terms, on or date.today()).as_dict()}
