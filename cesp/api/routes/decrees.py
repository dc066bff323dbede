"""``/api/v1/decrees``: list, read, import (multipart upload) and publish decrees."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    File,
    Form,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi import Path as FastPath

from cesp.access import ANONYMOUS, authorize
from cesp.api.auth import get_actor
from cesp.api.caching import NOT_MODIFIED, Conditional, zoning_conditional
from cesp.api.dependencies import get_connection, get_engine, get_index, get_settings
from cesp.api.french_params import Day
from cesp.api.heavy_jobs import HeavyJobs
from cesp.api.post_schemas import PostOut
from cesp.api.routes.conventions import ERRORS, REGION_CODE
from cesp.api.routes.maps import shape_store
from cesp.api.uploads import spooled_upload
from cesp.api.zone_schemas import DecreeDetail, DecreeOut, ImportAnswer, ZoneOut
from cesp.audit import Actor
from cesp.eligibility.holder import IndexHolder
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.maps.shape_store import warm_published
from cesp.posts.impact import preview_impact
from cesp.posts.store import qualifications
from cesp.storage.engine import write_transaction
from cesp.storage.settings import Settings
from cesp.zones import tables
from cesp.zones.categories import parse_mapping
from cesp.zones.decrees import decree_zones, get_decree, list_decrees
from cesp.zones.importer import import_decree
from cesp.zones.professions import parse_profession
from cesp.zones.publication import publish_decree
from cesp.zones.readers import ReadOptions
from cesp.zones.request import DecreeRequest

router = APIRouter(prefix="/api/v1/decrees", tags=["decrees"])
log = logging.getLogger(__name__)

DecreeId = Annotated[int, FastPath(ge=1, le=2**31 - 1, description="Decree id")]


@router.get("", response_model=list[DecreeOut], responses={**NOT_MODIFIED, **ERRORS})
def get_decrees(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    cache: Annotated[Conditional, Depends(zoning_conditional)],
    response: Response,
    region: Annotated[str | None, Query(pattern=REGION_CODE, description="COG region code")] = None,
    profession: Annotated[str | None, Query(max_length=32)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    on: Annotated[Day | None, Query(alias="date", description="In force on")] = None,
) -> list[DecreeOut] | Response:
    """Decrees, filtered by region, profession, status and date in force."""
    if cache.fresh:
        return cache.not_modified()
    response.headers.update(cache.headers)
    chosen = parse_profession(profession).value if profession else None  # Médecin: medecin
    decrees = list_decrees(conn, region=region, profession=chosen, status=status, on=on)
    return [DecreeOut.model_validate(d) for d in decrees]


@router.get("/{decree_id}", response_model=DecreeDetail, responses={**NOT_MODIFIED, **ERRORS})
def get_one_decree(
    conn: Annotated[sa.Connection, Depends(get_connection)],
    cache: Annotated[Conditional, Depends(zoning_conditional)],
    response: Response,
    decree_id: DecreeId,
) -> DecreeDetail | Response:
    """One decree with its zones."""
    if cache.fresh:
        return cache.not_modified()
    response.headers.update(cache.headers)
    decree = get_decree(conn, decree_id)
    zones = decree_zones(conn, [decree.id], with_geometry=False)
    covered = tables.zone_communes
    counts: dict[int, int] = dict(
        conn.execute(
            sa.select(tables.zones.c.id, sa.func.count(covered.c.commune_code))
            .select_from(tables.zones.outerjoin(covered, covered.c.zone_id == tables.zones.c.id))
            .where(tables.zones.c.decree_id == decree.id)
            .group_by(tables.zones.c.id)
        ).all()
    )
    return DecreeDetail.of(
        decree, zones=[ZoneOut.of(z, communes=counts.get(z.id, 0)) for z in zones]
    )


@router.post("", response_model=ImportAnswer, status_code=201, responses=ERRORS)
async def post_decree(
    http_request: Request,
    response: Response,
    background: BackgroundTasks,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
    index: Annotated[ZoningIndex, Depends(get_index)],
    file: Annotated[UploadFile, File(description="Zipped shapefile, GeoJSON, GPKG, CSV, XLSX")],
    region: Annotated[
        str,
        Form(pattern=REGION_CODE, description="COG region code of the ARS", examples=["11"]),
    ],
    reference: Annotated[
        str, Form(max_length=60, description="The arrêté's number", examples=["12-209"])
    ],
    signed: Annotated[
        Day,
        Form(
            description="Date the arrêté was signed (2012-05-24 or 24/05/2012)",
            examples=["2012-05-24"],
        ),
    ],
    effective_from: Annotated[
        Day,
        Form(description="First day in force (2012-05-24 or 24/05/2012)", examples=["2012-05-24"]),
    ],
    profession: Annotated[
        str,
        Form(
            max_length=32,
            description="medecin or chirurgien-dentiste",
            examples=["medecin"],
        ),
    ],
    effective_to: Annotated[
        Day | None, Form(description="Last day in force, if the arrêté says so")
    ] = None,
    title: Annotated[
        str | None, Form(max_length=500, description="Full title of the arrêté")
    ] = None,
    name_field: Annotated[
        str | None, Form(max_length=100, description="Column or property naming each zone")
    ] = None,
    category_field: Annotated[
        str | None, Form(max_length=100, description="Column or property holding the category")
    ] = None,
    category: Annotated[
        str | None,
        Form(max_length=100, description="Category of every zone when the file has none"),
    ] = None,
    assume_crs: Annotated[
        str | None,
        Form(
            max_length=200, description="CRS of a file that declares none", examples=["EPSG:2154"]
        ),
    ] = None,
    encoding: Annotated[
        str | None, Form(max_length=40, description="Text encoding", examples=["cp1252"])
    ] = None,
    layer: Annotated[str | None, Form(max_length=100, description="Layer of a GeoPackage")] = None,
    sheet: Annotated[
        str | None,
        Form(
            max_length=100,
            description="Sheet of a workbook (default: the first with commune codes)",
        ),
    ] = None,
    code_field: Annotated[
        str | None, Form(max_length=100, description="Column of the INSEE commune codes")
    ] = None,
    zone_field: Annotated[
        str | None, Form(max_length=100, description="Column of the zone (e.g. TVS) code")
    ] = None,
    region_field: Annotated[
        str | None, Form(max_length=100, description="Column of the region code (national files)")
    ] = None,
    header_row: Annotated[
        int | None, Form(ge=1, le=10_000, description="Line of the header, when not found")
    ] = None,
    category_map: Annotated[
        str | None, Form(max_length=10_000, description='FROM=TO lines, e.g. "1_ZIP=ZIP"')
    ] = None,
    dry_run: Annotated[
        bool, Form(description="true: check and preview the changes, store nothing")
    ] = False,
    publish: Annotated[bool, Form(description="true: publish at once once stored")] = False,
    complementary: Annotated[
        bool,
        Form(
            description="true: the decree amends the region's principal decree in force (e.g. "
            "a separate QPV decree) and stays in force with it instead of replacing it"
        ),
    ] = False,
    actor: Annotated[Actor, Depends(get_actor)] = ANONYMOUS,
) -> ImportAnswer:
    """Import a decree file; ``dry_run`` previews without writing. 201 when stored.

    The preview lists the open practice sites that the decree would take out of every
    qualifying zone and counts the practising beneficiaries in the same case
    (``preview_impact``).

    Needs an ``ars`` key of the decree's region, or a ``cng``/``admin`` key."""
    authorize(actor, "decree.write", region)
    request = DecreeRequest(
        region=region,
        reference=reference,
        signed=signed,
        effective_from=effective_from,
        effective_to=effective_to,
        profession=profession,
        title=title,
        category=category,
        publish=publish,
        dry_run=dry_run,
        complementary=complementary,
        read=ReadOptions(
            name_field,
            category_field,
            assume_crs,
            encoding,
            sheet or layer,
            code_field=code_field,
            zone_field=zone_field,
            region_field=region_field,
            header_row=header_row,
            category_map=parse_mapping([], category_map),
        ),
    )
    heavy: HeavyJobs = http_request.app.state.import_jobs
    holder: IndexHolder = http_request.app.state.holder
    answer = await heavy.run(
        lambda: _import(engine, settings, index, holder, file, request, actor, response)
    )
    if answer.status == "published" and answer.decree is not None:
        # After the answer: the map's shapes of the new decree (see post_publish).
        store = shape_store(http_request)
        background.add_task(warm_published, engine, store, [answer.decree.id])
    return answer


def _follow_publication(holder: IndexHolder) -> None:
    """After a publication is committed, build, store and serve its index before the
    answer goes: the publisher answers from the new zoning at once, and the other
    workers, which catch up with it on their next request, only load the stored index
    (issue 20). A failure here leaves the publication done; the poll retries."""
    try:
        holder.refresh()
    except Exception:
        log.exception("zoning index not rebuilt after the publication (the poll retries)")


def _import(
    engine: sa.Engine,
    settings: Settings,
    index: ZoningIndex,
    holder: IndexHolder,
    file: UploadFile,
    request: DecreeRequest,
    actor: Actor,
    response: Response,
) -> ImportAnswer:
    """Read, check and store (or preview) the upload: in a worker thread, bounded."""
    with spooled_upload(file, settings.max_upload_mb * 1024 * 1024) as path:
        report = import_decree(engine, path, request, actor=actor, original_name=file.filename)
    if report.status == "published":
        _follow_publication(holder)
    if report.status in ("preview", "unchanged"):
        response.status_code = 200
    answer = ImportAnswer.of(report)
    if report.status == "preview":
        with engine.connect() as conn:
            leaving, practising = preview_impact(conn, index, request, report)
        answer.beneficiaries_leaving = len(practising)
        before = request.effective_from - timedelta(days=1)
        answer.posts_leaving = [
            PostOut.qualified(p, q)
            for p, q in zip(leaving, qualifications(index, leaving, before), strict=True)
        ]
    return answer


@router.post("/{decree_id}/publish", response_model=DecreeOut, responses=ERRORS)
def post_publish(
    http_request: Request,
    background: BackgroundTasks,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    actor: Annotated[Actor, Depends(get_actor)],
    decree_id: DecreeId,
    keep_complementary: Annotated[
        bool,
        Query(
            description="true: the complementary decrees of the decree replaced stay in "
            "force, now amending this one (default: they end with it)"
        ),
    ] = False,
) -> DecreeOut:
    """Publish a draft decree; the decree it replaces closes the day before."""
    with write_transaction(engine) as conn:
        authorize(actor, "decree.write", get_decree(conn, decree_id).region_code)
        decree, _ = publish_decree(conn, decree_id, actor, keep_complementary=keep_complementary)
    _follow_publication(http_request.app.state.holder)
    # After the answer: the map's shapes of the new decree, so no visitor waits for them.
    background.add_task(warm_published, engine, shape_store(http_request), [decree.id])
    return DecreeOut.model_validate(decree)
