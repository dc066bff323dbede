"""``/api/v1/zone-categories``: the category table and the aliases ARS add to it."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from fastapi import APIRouter, Depends

from cesp.access import ANONYMOUS, authorize
from cesp.api.auth import get_actor
from cesp.api.dependencies import get_connection, get_engine
from cesp.api.routes.conventions import ERRORS
from cesp.audit import Actor
from cesp.storage.engine import write_transaction
from cesp.zones.categories import add_alias, load_categories
from cesp.zones.professions import parse_profession

router = APIRouter(prefix="/api/v1/zone-categories", tags=["decrees"])


class CategoryOut(BaseModel):
    """One category of one zoning method."""

    profession: str
    zoning_method: str
    code: str
    label: str
    qualifies_for_cesp: bool
    keep_rows: bool = Field(description="False: rows of this category are skipped (no zone)")
    parent_code: str | None
    legal_basis: str
    aliases: list[str]

    model_config = ConfigDict(from_attributes=True)


class AliasIn(BaseModel):
    """A spelling to add to a category."""

    profession: str = Field(max_length=32)
    zoning_method: str = Field(max_length=32)
    code: str = Field(max_length=32)
    alias: str = Field(max_length=100)


@router.get("", response_model=list[CategoryOut], responses=ERRORS)
def get_categories(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    profession: str | None = None,
) -> list[CategoryOut]:
    """The zone categories (which open the CESP, which rows are skipped, aliases)."""
    chosen = parse_profession(profession).value if profession else None  # Médecin: medecin
    return [CategoryOut.model_validate(c) for c in load_categories(conn, chosen)]


@router.post("/aliases", response_model=CategoryOut, status_code=201, responses=ERRORS)
def post_alias(
    body: AliasIn,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)] = ANONYMOUS,
) -> CategoryOut:
    """Add a spelling to a category (audited). Needs an ``ars``, ``cng`` or ``admin`` key."""
    authorize(actor, "decree.write")
    with write_transaction(engine) as conn:
        category = add_alias(
            conn,
            parse_profession(body.profession).value,
            body.zoning_method,
            body.code,
            body.alias,
            actor,
        )
    return CategoryOut.model_validate(category)
