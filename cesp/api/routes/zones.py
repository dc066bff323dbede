"""``/api/v1/zones``: zones in force as GeoJSON, and the eligible communes list."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from cesp.api.caching import NOT_MODIFIED, Conditional, zoning_conditional
from cesp.api.dependencies import get_connection
from cesp.api.downloads import XLSX, DialectParam, TableFormat, table_response
from cesp.api.french_params import Day
from cesp.api.routes.conventions import ERRORS, REGION_CODE
from cesp.field_schema import ELIGIBLE_COMMUNE_FIELDS
from cesp.spreadsheets import Dialect
from cesp.zones.export import (
    commune_records,
    eligible_communes,
    zone_features,
    zones_in_force,
)
from cesp.zones.professions import parse_profession

router = APIRouter(prefix="/api/v1/zones", tags=["zones"])

GEOJSON = "application/geo+json"


class ListFormat(StrEnum):
    """Formats of the eligible communes list (``cesp.api.downloads``)."""

    json = "json"
    csv = "csv"
    csvt = "csvt"
    zip = "zip"
    xlsx = "xlsx"


@router.get(
    "",
    responses={
        200: {"content": {GEOJSON: {}}, "description": "FeatureCollection"},
        **NOT_MODIFIED,
        **ERRORS,
    },
)
def get_zones(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    cache: Annotated[Conditional, Depends(zoning_conditional)],
    region: Annotated[str | None, Query(pattern=REGION_CODE, description="COG region code")] = None,
    profession: Annotated[str, Query(max_length=32)] = "medecin",
    on: Annotated[Day | None, Query(alias="date")] = None,
) -> Response:
    """Zones in force on a date (default today), as an RFC 7946 FeatureCollection."""
    if cache.fresh:
        return cache.not_modified()
    when = on or date.today()
    decrees, zones = zones_in_force(conn, when, parse_profession(profession).value, region)
    body = {
        "type": "FeatureCollection",
        "features": zone_features(conn, decrees, zones),
        "date": when.isoformat(),
    }
    return cache.apply(JSONResponse(body, media_type=GEOJSON))


@router.get(
    "/communes",
    responses={
        200: {"content": {"text/csv": {}, XLSX: {}, "application/zip": {}}},
        **NOT_MODIFIED,
        **ERRORS,
    },
)
def get_eligible_communes(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    cache: Annotated[Conditional, Depends(zoning_conditional)],
    region: Annotated[str, Query(pattern=REGION_CODE, description="COG region code")],
    profession: Annotated[str, Query(max_length=32)] = "medecin",
    on: Annotated[Day | None, Query(alias="date")] = None,
    fmt: Annotated[ListFormat, Query(alias="format")] = ListFormat.json,
    dialect: DialectParam = Dialect.DATAGOUV,
) -> Response:
    """Communes of the qualifying zones of a region on a date (PAPS list): JSON, CSV in
    ``dialect``, its ``.csvt``, both in a zip, or XLSX."""
    if cache.fresh:
        return cache.not_modified()
    when = on or date.today()
    rows = eligible_communes(conn, region, when, parse_profession(profession).value)
    name = f"communes-eligibles-{region}-{when.isoformat()}"
    answer: Response
    if fmt is not ListFormat.json:
        table = TableFormat(fmt.value)
        records = commune_records(rows)
        answer = table_response(ELIGIBLE_COMMUNE_FIELDS, records, name, table, dialect, "communes")
    else:
        answer = JSONResponse(
            {"region": region, "date": when.isoformat(), "communes": [vars(r) for r in rows]}
        )
    return cache.apply(answer)
