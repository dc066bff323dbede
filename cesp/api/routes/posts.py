"""``/api/v1/posts``: the national lists, filtered and paged; ARS and CNG add and change."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Query, Response
from fastapi import Path as FastPath

from cesp.api.auth import get_actor
from cesp.api.dependencies import get_connection, get_engine, get_index
from cesp.api.downloads import XLSX, DialectParam, TableFormat, table_response
from cesp.api.french_params import Day, Mode
from cesp.api.post_schemas import PostIn, PostOut, PostPageOut, PostPatch
from cesp.api.routes.conventions import ERRORS, REGION_CODE
from cesp.audit import Actor
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import InvalidInputError
from cesp.field_schema import POST_LIST_FIELDS
from cesp.posts.listfile import list_record
from cesp.posts.store import (
    MAX_LIMIT,
    PostFilter,
    add_posts,
    get_post,
    list_posts,
    qualifications,
    update_post,
)
from cesp.spreadsheets import Dialect
from cesp.storage.engine import write_transaction

router = APIRouter(prefix="/api/v1/posts", tags=["posts"])

PostId = Annotated[int, FastPath(ge=1, le=2**31 - 1, description="Post id")]


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` in WGS84 degrees."""
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not (values[0] <= values[2] and values[1] <= values[3]):
        raise InvalidInputError(
            "bbox must be minlon,minlat,maxlon,maxlat in WGS84 degrees",
            message_fr="bbox : minlon,minlat,maxlon,maxlat attendus (degrés WGS84).",
            field="bbox",
        )
    return values


def post_filter(
    campaign: Annotated[int | None, Query(ge=2010, le=2100)] = None,
    kind: Annotated[Literal["exercice", "internat"] | None, Query()] = None,
    region: Annotated[str | None, Query(pattern=REGION_CODE)] = None,
    departement: Annotated[str | None, Query(pattern=r"^(\d{2,3}|2[AB])$")] = None,
    specialty: Annotated[str | None, Query(max_length=120)] = None,
    mode: Annotated[Mode | None, Query()] = None,
    status: Annotated[Literal["open", "filled", "withdrawn"] | None, Query()] = None,
    bbox: Annotated[
        str | None, Query(max_length=200, description="minlon,minlat,maxlon,maxlat")
    ] = None,
) -> PostFilter:
    """The stored-field filters shared by the list and its export."""
    return PostFilter(
        campaign, kind, region, departement, specialty, mode, status, parse_bbox(bbox)
    )


@router.get("", response_model=PostPageOut, responses=ERRORS)
def get_posts(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    where: Annotated[PostFilter, Depends(post_filter)],
    qualifies: Annotated[bool | None, Query(description="Site qualifies on `date`")] = None,
    on: Annotated[Day | None, Query(alias="date", description="Default: today")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    first_region: Annotated[
        str | None, Query(pattern=REGION_CODE, description="Put this region's posts first")
    ] = None,
) -> PostPageOut:
    """Posts in a stable order (by id; a region's first with ``first_region``), with where
    each site stands on ``date``."""
    page = list_posts(
        conn,
        index,
        where,
        qualifies=qualifies,
        on=on,
        limit=limit,
        offset=offset,
        first_region=first_region,
    )
    return PostPageOut(
        items=[PostOut.qualified(p, q) for p, q in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/export",
    responses={**ERRORS, 200: {"content": {"text/csv": {}, XLSX: {}, "application/zip": {}}}},
)
def export_posts(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    where: Annotated[PostFilter, Depends(post_filter)],
    format: Annotated[TableFormat, Query()] = TableFormat.csv,
    on: Annotated[Day | None, Query(alias="date")] = None,
    dialect: DialectParam = Dialect.DATAGOUV,
) -> Response:
    """The list as a spreadsheet (``POST_LIST_FIELDS``, the names of the OGC ``posts``
    layer): CSV in ``dialect``, its ``.csvt``, both in a zip, or XLSX."""
    page = list_posts(conn, index, where, on=on, limit=MAX_LIMIT, offset=0)
    items = page.items
    if page.total > len(items):
        items = list_posts(conn, index, where, on=on, limit=page.total, offset=0).items
    records = [list_record(p, q) for p, q in items]
    return table_response(
        POST_LIST_FIELDS, records, "liste-nationale", format, dialect, "liste nationale"
    )


@router.get("/{post_id}", response_model=PostOut, responses=ERRORS)
def get_one_post(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    post_id: PostId,
    on: Annotated[Day | None, Query(alias="date")] = None,
) -> PostOut:
    """One post."""
    post = get_post(conn, post_id)
    return PostOut.qualified(post, qualifications(index, [post], on or date.today())[0])


@router.post("", response_model=PostOut, status_code=201, responses=ERRORS)
def post_post(
    body: PostIn,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> PostOut:
    """Propose a post (ARS of its region, CNG). A practice site must qualify on the
    publication date, or have qualified in the three years before (art. L.632-6)."""
    listed_on = date.today()
    if body.listed_on is not None and body.listed_on != listed_on:
        # The three-year rule (art. L.632-6) runs from the publication date: a caller's
        # date in the past would let an out-of-zone site in. The server dates the post.
        raise InvalidInputError(
            f"listed_on={body.listed_on} is set by the server to the publication date "
            f"({listed_on}): omit it",
            message_fr=(
                "La date de publication (listed_on) est fixée par le service au jour de la "
                "publication : ne l'indiquez pas."
            ),
            field="listed_on",
        )
    raw = body.model_dump(exclude={"campaign", "listed_on"})
    with write_transaction(engine) as conn:
        [post_id] = add_posts(conn, index, [(None, raw)], body.campaign, actor, listed_on)
        post = get_post(conn, post_id)
    return PostOut.qualified(post, qualifications(index, [post], date.today())[0])


@router.patch("/{post_id}", response_model=PostOut, responses=ERRORS)
def patch_post(
    body: PostPatch,
    post_id: PostId,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    actor: Annotated[Actor, Depends(get_actor)],
) -> PostOut:
    """Change places, status (withdraw/reopen) or descriptive fields of a post."""
    with write_transaction(engine) as conn:
        post = update_post(conn, post_id, body.changes(), actor)
    return PostOut.qualified(post, qualifications(index, [post], date.today())[0])
