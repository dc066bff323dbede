"""``/map``: the interactive map pages, their layer data by zoom level and bounding box,
and their scripts and stylesheets (served here: the pages load nothing from outside)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from cesp.api.caching import NOT_MODIFIED, Conditional, zoning_conditional
from cesp.api.dependencies import get_connection, get_settings
from cesp.api.french_params import Day
from cesp.api.routes.conventions import ERRORS, REGION_CODE
from cesp.maps.assets import ASSET_PREFIX, asset_dirs
from cesp.maps.layers import commune_collection, parse_bbox, zone_collection
from cesp.maps.page import MapRequest, PageOptions, build_map, build_preview_map
from cesp.maps.preview import preview_decree
from cesp.maps.shape_store import ShapeStore
from cesp.storage.settings import Settings
from cesp.zones.professions import parse_profession

router = APIRouter(prefix="/map", tags=["maps"])

GEOJSON = "application/geo+json"
HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "HTML page"},
    **NOT_MODIFIED,
    **ERRORS,
}
PAGES_KEPT = 16
PAGES_LOCK = threading.Lock()
Zoom = Annotated[int, Query(ge=0, le=22, description="Map zoom level the shapes are drawn at")]


def shape_store(request: Request) -> ShapeStore:
    """The process-wide store of simplified shapes (made on first use), kept on disk in
    ``CESP_MAP_CACHE_DIR`` between processes."""
    with PAGES_LOCK:
        store: ShapeStore | None = getattr(request.app.state, "map_shapes", None)
        if store is None:
            directory = request.app.state.settings.map_cache_dir
            store = ShapeStore(Path(directory) if directory else None)
            request.app.state.map_shapes = store
    return store


def _remembered(request: Request, etag: str, build: Callable[[], str]) -> str:
    """A rendered page, kept per ETag (the national page takes over a second to build;
    the tag changes with the zoning, the query and the day, so a kept page is never stale)."""
    with PAGES_LOCK:
        pages: OrderedDict[str, str] | None = getattr(request.app.state, "map_pages", None)
        if pages is None:
            pages = request.app.state.map_pages = OrderedDict()
        html = pages.get(etag)
    if html is None:
        html = build()
    with PAGES_LOCK:
        pages[etag] = html
        pages.move_to_end(etag)
        while len(pages) > PAGES_KEPT:
            pages.popitem(last=False)
    return html


def _options(settings: Settings) -> PageOptions:
    return PageOptions(tiles=settings.map_tiles, tiles_attribution=settings.map_tiles_attribution)


@router.get("", response_class=HTMLResponse, responses=HTML)
def get_map(
    request: Request,
    conn: Annotated[sa.Connection, Depends(get_connection)],
    settings: Annotated[Settings, Depends(get_settings)],
    cache: Annotated[Conditional, Depends(zoning_conditional)],
    region: Annotated[str | None, Query(pattern=REGION_CODE, description="COG region code")] = None,
    on: Annotated[Day | None, Query(alias="date", description="Zones in force on")] = None,
    profession: Annotated[str, Query(max_length=32)] = "medecin",
    specialty: Annotated[str | None, Query(max_length=120, description="Posts filter")] = None,
    campaign: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Campaign id")] = None,
) -> Response:
    """The map of the zones in force, the posts and the choice of post (French)."""
    if cache.fresh:
        return cache.not_modified()
    map_request = MapRequest(
        region=region,
        on=on or date.today(),
        profession=parse_profession(profession).value,
        specialty=specialty,
        campaign=campaign,
    )
    html = _remembered(
        request,
        cache.etag,
        lambda: build_map(conn, shape_store(request), map_request, _options(settings)).render(),
    )
    return cache.apply(HTMLResponse(html))


@router.get("/preview", response_class=HTMLResponse, responses=HTML)
def get_preview(
    request: Request,
    conn: Annotated[sa.Connection, Depends(get_connection)],
    settings: Annotated[Settings, Depends(get_settings)],
    decree: Annotated[int, Query(ge=1, le=2**31 - 1, description="Decree to preview")],
    against: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Compare with (default: in force)")
    ] = None,
) -> HTMLResponse:
    """Zones entering and leaving the CESP zoning if a (draft) decree were published."""
    preview = preview_decree(conn, decree, against)
    return HTMLResponse(
        build_preview_map(conn, preview, _options(settings), shape_store(request)).render()
    )


@router.get("/data/zones", responses={200: {"content": {GEOJSON: {}}}, **NOT_MODIFIED, **ERRORS})
def get_zone_layer(
    request: Request,
    conn: Annotated[sa.Connection, Depends(get_connection)],
    cache: Annotated[Conditional, Depends(zoning_conditional)],
    zoom: Zoom = 9,
    region: Annotated[str | None, Query(pattern=REGION_CODE, description="COG region code")] = None,
    on: Annotated[Day | None, Query(alias="date")] = None,
    profession: Annotated[str, Query(max_length=32)] = "medecin",
    bbox: Annotated[
        str | None, Query(max_length=100, description="minlon,minlat,maxlon,maxlat")
    ] = None,
) -> Response:
    """Zones in force, simplified for a zoom level (optionally only those in a box)."""
    if cache.fresh:
        return cache.not_modified()
    body = zone_collection(
        conn,
        shape_store(request),
        on or date.today(),
        parse_profession(profession).value,
        region,
        zoom,
        parse_bbox(bbox) if bbox else None,
    )
    return cache.apply(JSONResponse(body, media_type=GEOJSON))


@router.get("/data/communes", responses={200: {"content": {GEOJSON: {}}}, **ERRORS})
def get_commune_layer(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    bbox: Annotated[str, Query(max_length=100, description="minlon,minlat,maxlon,maxlat")],
    zoom: Zoom,
    on: Annotated[Day | None, Query(alias="date")] = None,
) -> JSONResponse:
    """Commune outlines in a box, simplified for a zoom level (10 and more)."""
    body = commune_collection(conn, parse_bbox(bbox), on or date.today(), zoom)
    return JSONResponse(body, media_type=GEOJSON)


def mount_assets(app: FastAPI) -> None:
    """Serve Leaflet, Leaflet.markercluster and our scripts under ``/map/assets``."""
    for package, directory in asset_dirs().items():
        app.mount(
            f"{ASSET_PREFIX}/{package}",
            StaticFiles(directory=directory),
            name=f"map-assets-{package}",
        )
