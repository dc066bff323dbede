"""``/api/v1/beneficiaries/{id}/ledger``: the follow-up of a beneficiary to the end of
the engagement (national manager: ``cng``/``admin`` keys; the ARS of a site's region;
the intern about themself), its practice periods, suspensions and deferrals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from fastapi import APIRouter, Depends, Query
from fastapi import Path as FastPath
from fastapi.responses import Response

from cesp.access import authorize
from cesp.api.auth import get_actor
from cesp.api.dependencies import get_connection, get_engine, get_index
from cesp.api.downloads import DialectParam, TableFormat, table_response
from cesp.api.eligibility_schemas import SiteIn
from cesp.api.french_params import Day
from cesp.api.routes.conventions import ERRORS
from cesp.audit import Actor
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.engagement.authority import national_manager_on
from cesp.engagement.ledger_store import (
    add_event,
    add_period,
    follow_up_of,
    ledger_records,
    periods_of,
)
from cesp.errors import ForbiddenError
from cesp.field_schema import LEDGER_FIELDS
from cesp.posts.beneficiaries import beneficiary_for, get_beneficiary
from cesp.posts.model import Beneficiary
from cesp.spreadsheets import Dialect
from cesp.storage.engine import write_transaction

router = APIRouter(prefix="/api/v1/beneficiaries", tags=["ledger"])
BeneficiaryId = Annotated[int, FastPath(ge=1, le=2**31 - 1)]


class PeriodIn(BaseModel):
    """A practice period: the site, from/to, the mode and the share of full time."""

    model_config = ConfigDict(extra="forbid")

    site: SiteIn
    starts_on: Day
    ends_on: Day | None = None
    mode: str = Field(max_length=10)
    time_fraction: float = Field(1.0, gt=0, le=1)


class EventIn(BaseModel):
    """A suspension or a deferral."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["suspension", "deferral"]
    starts_on: Day
    months: int = Field(ge=1, le=600)
    note_fr: str | None = Field(None, max_length=2000)


def readable(conn: sa.Connection, actor: Actor, beneficiary_id: int) -> Beneficiary:
    """The beneficiary if ``actor`` may read their ledger: the national manager, the ARS
    of a region where they practise(d), the intern about themself."""
    authorize(actor, "ledger.read")
    b = get_beneficiary(conn, beneficiary_id)
    if actor.role == "intern" and beneficiary_for(conn, actor).id != b.id:
        raise ForbiddenError(
            "an intern key reads only its own follow-up",
            message_fr="Une clé d'interne ne consulte que son propre suivi.",
            field="beneficiary_id",
        )
    if actor.role == "ars" and actor.region not in {p.region for p in periods_of(conn, b.id)}:
        raise ForbiddenError(
            f"key {actor.name!r} (region {actor.region}) has no site of this beneficiary",
            message_fr="Ce bénéficiaire n'exerce dans aucun lieu de la région de cette clé.",
            field="beneficiary_id",
        )
    return b


@router.get("/{beneficiary_id}/ledger", response_model=None, responses=ERRORS)
def get_ledger(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    actor: Annotated[Actor, Depends(get_actor)],
    beneficiary_id: BeneficiaryId,
    on: Annotated[Day | None, Query(alias="date", description="Default: today")] = None,
    format: Annotated[Literal["json", "csv", "csvt", "zip", "xlsx"], Query()] = "json",
    dialect: DialectParam = Dialect.DATAGOUV,
) -> Response | dict[str, object]:
    """The follow-up on ``date`` (status, months served and left, expected end, rules
    applied) and the ledger it comes from; ``format=csv|csvt|zip|xlsx`` exports the
    ledger (``cesp.api.downloads``)."""
    b = readable(conn, actor, beneficiary_id)
    day = on or dt.date.today()
    result, periods, events = follow_up_of(conn, index, b, day)
    if format != "json":
        records = ledger_records(periods, events)
        stem = f"suivi-{b.id}-{day.isoformat()}"
        return table_response(LEDGER_FIELDS, records, stem, TableFormat(format), dialect, "suivi")
    return {
        "beneficiary_id": b.id,
        "national_manager": national_manager_on(day, b.signed_on).code,
        **result.as_dict(),
        "periods": [{**vars(p), "starts_on": p.starts_on, "ends_on": p.ends_on} for p in periods],
        "events": [vars(e) for e in events],
    }


@router.post("/{beneficiary_id}/periods", status_code=201, responses=ERRORS)
def post_period(
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
    beneficiary_id: BeneficiaryId,
    body: PeriodIn,
) -> dict[str, int]:
    """Append a practice period (national manager), audited."""
    authorize(actor, "ledger.write")
    with write_transaction(engine) as conn:
        b = get_beneficiary(conn, beneficiary_id)
        period_id = add_period(
            conn,
            b,
            body.site.to_site("site."),
            body.starts_on,
            body.ends_on,
            body.mode,
            body.time_fraction,
            actor,
        )
    return {"id": period_id}


@router.post("/{beneficiary_id}/events", status_code=201, responses=ERRORS)
def post_event(
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
    beneficiary_id: BeneficiaryId,
    body: EventIn,
) -> dict[str, int]:
    """Append a suspension or a deferral (national manager), audited."""
    authorize(actor, "ledger.write")
    with write_transaction(engine) as conn:
        b = get_beneficiary(conn, beneficiary_id)
        event_id = add_event(conn, b, body.kind, body.starts_on, body.months, body.note_fr, actor)
    return {"id": event_id}
