"""``/api/v1/communes``: commune by point, by name, and by INSEE code at a date."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Path, Query

from cesp.api.dependencies import get_connection
from cesp.api.french_params import Day
from cesp.api.routes.conventions import ERRORS
from cesp.api.schemas import CodeAnswer, PointAnswer, SearchAnswer, SearchHit
from cesp.errors import InvalidInputError
from cesp.geo.communes import resolve_code, resolve_point
from cesp.geo.search import search_names

router = APIRouter(prefix="/api/v1/communes", tags=["communes"])


@router.get("", response_model=PointAnswer | SearchAnswer, responses=ERRORS)
def find_communes(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    lon: Annotated[float | None, Query(description="WGS84 longitude", ge=-180, le=180)] = None,
    lat: Annotated[float | None, Query(description="WGS84 latitude", ge=-90, le=90)] = None,
    q: Annotated[str | None, Query(description="Commune name", max_length=100)] = None,
    departement: Annotated[
        str | None,
        Query(
            description="Département code to narrow a name search", pattern=r"^(\d{2,3}|2[ABab])$"
        ),
    ] = None,
    on: Annotated[Day | None, Query(alias="date", description="Date (default today)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> PointAnswer | SearchAnswer:
    """The commune under a point (``lon``, ``lat``), or communes matching a name (``q``)."""
    if q is not None and (lon is not None or lat is not None):
        raise InvalidInputError(
            "Give either q (name search) or lon and lat (point), not both",
            message_fr="Indiquez soit q (nom), soit lon et lat (point), pas les deux.",
            field="q",
        )
    if q is not None:
        hits = search_names(conn, q, departement=departement, limit=limit)
        return SearchAnswer(query=q, results=[SearchHit.of(m) for m in hits])
    if lon is None or lat is None:
        missing = "lat" if lon is not None else "lon"
        raise InvalidInputError(
            f"Missing {missing}: give lon and lat together (WGS84 degrees), or q for a name",
            message_fr="Indiquez lon et lat ensemble (degrés WGS84), ou q pour un nom.",
            field=missing,
        )
    return PointAnswer.of(resolve_point(conn, lon, lat, on))


@router.get("/{code}", response_model=CodeAnswer, responses=ERRORS)
def get_commune(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    code: Annotated[str, Path(description="INSEE commune code", max_length=10)],
    on: Annotated[Day | None, Query(alias="date", description="Date (default today)")] = None,
    geometry: Annotated[bool, Query(description="Include the GeoJSON geometry")] = False,
) -> CodeAnswer:
    """The commune a code designated at a date, or where a former code lives now."""
    return CodeAnswer.of(resolve_code(conn, code, on, with_geometry=geometry))
