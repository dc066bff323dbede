"""``/ogc``: OGC API - Features Part 1 (Core, GeoJSON) and Part 2 (CRS by reference).

Thin: parameters in, one call to ``cesp.ogc`` (catalog, query, documents), bytes out.
The OGC standard wants 400 for a bad or unknown query parameter
(/req/core/query-param-invalid, /req/core/query-param-unknown) where the rest of our
API answers 422, so the routes of this router translate those errors themselves, with a
body that is both an OGC exception (``code``, ``description``) and our usual one.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from cesp.api.dependencies import get_connection
from cesp.api.ogc_openapi import MEDIA_TYPE as OPENAPI_30
from cesp.api.ogc_openapi import ogc_openapi
from cesp.api.ogc_schemas import (
    CollectionInfo,
    Collections,
    ConformanceDeclaration,
    LandingPage,
    OgcError,
    OgcFeature,
    OgcFeatureCollection,
)
from cesp.api.schemas import ErrorBody
from cesp.api.validation_fr import french_reason
from cesp.errors import CespError, InvalidInputError, NotFoundError
from cesp.ogc import documents
from cesp.ogc.catalog import all_collections, all_queryables, find_collection
from cesp.ogc.crs import SUPPORTED_URIS, parse_crs
from cesp.ogc.geojson import feature_collection, single_feature
from cesp.ogc.query import DEFAULT_LIMIT, MAX_LIMIT, build_query

OGC_ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": OgcError}, 404: {"model": OgcError}}
MAX_OFFSET = 1_000_000_000


def _ogc_error(status: int, code: str, error: CespError) -> JSONResponse:
    return JSONResponse({"code": code, "description": error.message, **error.as_dict()}, status)


def _invalid(error: RequestValidationError) -> InvalidInputError:
    first = error.errors()[0] if error.errors() else {}
    where = [str(p) for p in first.get("loc", ()) if p not in ("query", "path")]
    name = ".".join(where) or "request"
    reason = first.get("msg", "invalid value")
    return InvalidInputError(
        f"{name}: {reason}",
        # The French text carries the reason and what is allowed (cesp.api.validation_fr).
        message_fr=f"Paramètre invalide : {name} ({french_reason(first)}).",
        field=name,
    )


class OgcRoute(APIRoute):
    """A route answering 400 for invalid query parameters (and, for items, unknown ones),
    404 as an OGC exception; other errors (401, 429...) go to the app's handlers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler with the OGC error rules."""
        handler = super().get_route_handler()
        extra = (self.openapi_extra or {}).get("parameters", [])
        known = {p.alias for p in self.dependant.query_params} | {p["name"] for p in extra}

        # Only items refuse parameters they do not know (/req/core/query-param-unknown);
        # metadata documents ignore them, since GDAL's idiom OAPIF:http://host/ogc?region=11
        # sends the items' filter to every URL it reads.
        strict = "/items" in self.path

        async def ogc_handler(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - known) if strict else []
            if unknown:
                error = InvalidInputError(
                    f"unknown query parameter {unknown[0]!r}: this resource accepts "
                    f"{', '.join(sorted(known)) or 'none'}",
                    message_fr=(
                        f"Paramètre inconnu : {unknown[0]}. Paramètres acceptés ici : "
                        f"{', '.join(sorted(known)) or 'aucun'}."
                    ),
                    field=unknown[0],
                )
                return _ogc_error(400, "InvalidParameterValue", error)
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return _ogc_error(400, "InvalidParameterValue", _invalid(exc))
            except InvalidInputError as exc:
                return _ogc_error(400, "InvalidParameterValue", exc)
            except NotFoundError as exc:
                return _ogc_error(404, "NotFound", exc)

        return ogc_handler


router = APIRouter(prefix="/ogc", tags=["OGC API - Features"], route_class=OgcRoute)

Connection = Annotated[sa.Connection, Depends(get_connection)]
Format = Annotated[
    Literal["json", "geojson"] | None,
    Query(description="json: application/json; geojson (default for items): application/geo+json"),
]
CollectionId = Annotated[
    str,
    Path(
        alias="collectionId",
        max_length=64,
        description="zones, communes or decree-{id}",
        examples=["zones", "communes", "decree-1"],
    ),
]
FILTERS = {
    "parameters": [
        {
            "name": q.name,
            "in": "query",
            "required": False,
            "description": f"Filter ({q.description}); only where the collection offers it",
            "schema": q.schema(),
        }
        for q in all_queryables()
    ]
    + [
        {
            "name": alias,
            "in": "query",
            "required": False,
            "deprecated": True,
            "description": f"Former name of {q.name}, still accepted",
            "schema": q.schema(),
        }
        for q in all_queryables()
        for alias in q.aliases
    ]
}
FILTER_NAMES = frozenset(p["name"] for p in FILTERS["parameters"])


def _base(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}/ogc"


def _json(body: Any, fmt: str | None) -> Response:
    """Metadata documents are JSON whatever ``f`` says (only items have GeoJSON)."""
    del fmt
    return JSONResponse(body, media_type=documents.JSON)


@router.get("", response_model=LandingPage, responses=OGC_ERRORS, summary="Landing page")
def landing(request: Request, f: Format = None) -> Response:
    """Links to the API definition, the conformance classes and the collections."""
    root = str(request.base_url).rstrip("/")
    base = _base(request)
    body = documents.landing_page(base, f"{base}/api", OPENAPI_30, f"{root}{request.app.docs_url}")
    return _json(body, f)


@router.get("/", include_in_schema=False)
def landing_slash(request: Request, f: Format = None) -> Response:
    """The landing page also answers with a trailing slash (OWSLib joins paths to it)."""
    return landing(request, f)


@router.get(
    "/api",
    summary="API definition (OpenAPI 3.0)",
    responses={200: {"content": {OPENAPI_30: {"schema": {"type": "object"}}}}, **OGC_ERRORS},
)
def api_definition(request: Request, conn: Connection, f: Format = None) -> Response:
    """This API as an OpenAPI 3.0 document rooted at ``/ogc`` (what QGIS and GDAL read)."""
    del f
    app = request.app
    body = ogc_openapi(app.openapi(), _base(request), app.version, all_collections(conn))
    return JSONResponse(body, media_type=OPENAPI_30)


@router.get("/conformance", response_model=ConformanceDeclaration, responses=OGC_ERRORS)
def conformance(f: Format = None) -> Response:
    """Part 1 Core and GeoJSON, Part 2 CRS by reference."""
    return _json(documents.conformance(), f)


@router.get("/collections", response_model=Collections, responses=OGC_ERRORS)
def collections(request: Request, conn: Connection, f: Format = None) -> Response:
    """Every collection: ``zones``, one ``decree-{id}`` per published decree, ``communes``."""
    return _json(documents.collections_document(conn, all_collections(conn), _base(request)), f)


@router.get("/collections/{collectionId}", response_model=CollectionInfo, responses=OGC_ERRORS)
def collection(
    request: Request, conn: Connection, collection_id: CollectionId, f: Format = None
) -> Response:
    """One collection: extent, CRS list, links to its items."""
    found = find_collection(conn, collection_id)
    return _json(documents.collection_document(conn, found, _base(request)), f)


SCHEMA_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {documents.SCHEMA_JSON: {"schema": {"type": "object"}}}},
    **OGC_ERRORS,
}


@router.get("/collections/{collectionId}/queryables", responses=SCHEMA_ANSWER)
def queryables(
    request: Request, conn: Connection, collection_id: CollectionId, f: Format = None
) -> Response:
    """The properties ``?name=value`` filters on, as a JSON Schema (Part 3)."""
    del f
    found = find_collection(conn, collection_id)
    body = documents.queryables_document(found, _base(request))
    return JSONResponse(body, media_type=documents.SCHEMA_JSON)


@router.get("/collections/{collectionId}/schema", responses=SCHEMA_ANSWER)
def schema(
    request: Request, conn: Connection, collection_id: CollectionId, f: Format = None
) -> Response:
    """Every property of the features, with its type, as a JSON Schema (Part 5)."""
    del f
    found = find_collection(conn, collection_id)
    body = documents.schema_document(found, _base(request))
    return JSONResponse(body, media_type=documents.SCHEMA_JSON)


GEOJSON_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {documents.GEOJSON: {}},
        "headers": {"Content-Crs": {"schema": {"type": "string"}}},
    },
    **OGC_ERRORS,
}


@router.get(
    "/collections/{collectionId}/items",
    response_model=OgcFeatureCollection,
    responses=GEOJSON_ANSWER,
    openapi_extra=FILTERS,
)
def items(
    request: Request,
    conn: Connection,
    collection_id: CollectionId,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            description=f"Page size, default {DEFAULT_LIMIT}; above {MAX_LIMIT} the "
            f"maximum is used (Part 1, 7.15.3)",
            json_schema_extra={"maximum": MAX_LIMIT},
        ),
    ] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="Skip this many")] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=200, description="minx,miny,maxx,maxy in bbox-crs (default CRS84)"),
    ] = None,
    bbox_crs: Annotated[
        str | None, Query(alias="bbox-crs", max_length=200, description="CRS of bbox (Part 2)")
    ] = None,
    datetime: Annotated[
        str | None,
        Query(max_length=80, description="Day or span: 2018-01-01, 2018-01-01/.., ../2020-12-31"),
    ] = None,
    crs: Annotated[
        str | None,
        Query(max_length=200, description=f"Output CRS (Part 2): {', '.join(SUPPORTED_URIS)}"),
    ] = None,
    f: Format = None,
) -> Response:
    """Features of a collection, a page at a time, with next/prev links."""
    found = find_collection(conn, collection_id)
    filters = {k: v for k, v in request.query_params.items() if k in FILTER_NAMES}
    query = build_query(
        limit=limit,
        offset=offset,
        bbox=bbox,
        bbox_crs=bbox_crs,
        datetime_text=datetime,
        crs=crs,
        filters=filters,
        queryables=found.queryables,
    )
    page = found.page(conn, query)
    links = documents.page_links(
        f"{_base(request)}/collections/{found.id}/items",
        list(request.query_params.multi_items()),
        offset=query.offset,
        limit=query.limit,
        returned=len(page.features),
        matched=page.matched,
    )
    body = feature_collection(documents.page_head(page, links), page.features, query.crs)
    return _geojson(body, f, query.crs.uri)


def _geojson(body: bytes, fmt: str | None, crs_uri: str) -> Response:
    media = documents.JSON if fmt == "json" else documents.GEOJSON
    return Response(body, media_type=media, headers={"Content-Crs": f"<{crs_uri}>"})


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    response_model=OgcFeature,
    responses=GEOJSON_ANSWER,
)
def item(
    request: Request,
    conn: Connection,
    collection_id: CollectionId,
    feature_id: Annotated[
        str,
        Path(
            alias="featureId",
            max_length=64,
            description="A zone id, or an INSEE code in communes",
            examples=["93008", "1"],
        ),
    ],
    crs: Annotated[
        str | None,
        Query(max_length=200, description=f"Output CRS (Part 2): {', '.join(SUPPORTED_URIS)}"),
    ] = None,
    f: Format = None,
) -> Response:
    """One feature, by id (a zone id, or an INSEE code for communes)."""
    found = find_collection(conn, collection_id)
    output = parse_crs(crs, "crs")
    feature = found.feature(conn, feature_id)
    links = documents.item_links(f"{_base(request)}/collections/{found.id}", feature.id)
    return _geojson(single_feature(feature, output, links), f, output.uri)


# The alias forwards its query to the items route, which checks it: a plain route.
aliases = APIRouter(tags=["OGC API - Features"])


@aliases.get(
    "/decrees/{decreeId}/zones",
    status_code=307,
    response_class=RedirectResponse,
    responses={
        307: {"description": "To the items of decree-{decreeId}"},
        422: {"model": ErrorBody},
    },
)
def decree_zones(
    request: Request,
    decree_id: Annotated[int, Path(alias="decreeId", ge=1, le=2_147_483_647)],
) -> RedirectResponse:
    """The zones of one decree: redirects, with the query, to the items of the
    collection ``decree-{decreeId}`` (a collection id is one path segment)."""
    target = f"{_base(request)}/collections/decree-{decree_id}/items"
    query = request.url.query
    return RedirectResponse(f"{target}?{query}" if query else target, status_code=307)


router.include_router(aliases)
