"""``/api/v1/eligibility``: one site, or a batch of sites (JSON or CSV)."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from cesp.api.dependencies import get_engine, get_index, get_settings
from cesp.api.eligibility_schemas import (
    BatchIn,
    BatchOut,
    BatchSiteIn,
    EligibilityOut,
    EligibilityQuery,
)
from cesp.api.french_params import DATE_EXPECTED, DATE_EXPECTED_FR
from cesp.api.heavy_jobs import HeavyJobs
from cesp.api.job_processes import JobProcesses
from cesp.api.plain_route import PlainRoute
from cesp.api.routes.conventions import ERRORS
from cesp.api.uploads import spooled_upload
from cesp.api.validation_fr import json_error_messages, request_problem
from cesp.conventions import parse_day
from cesp.eligibility.bulk import evaluate_frame, read_sites, write_sites
from cesp.eligibility.check import EligibilityResult, check, check_points
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import CespError, InvalidInputError
from cesp.spreadsheets import Dialect, parse_dialect
from cesp.storage.settings import Settings
from cesp.text import refuse_in_values
from cesp.zones.professions import parse_profession

router = APIRouter(tags=["eligibility"])

T = TypeVar("T")
SLICE = 2_000
SITES = TypeAdapter(list[BatchSiteIn])


async def get_eligibility(
    request: Request, query: Annotated[EligibilityQuery, Query()]
) -> Response:
    """Does this site qualify for the CESP on this date, and under which decree?"""
    index = await get_index(request)
    site = query.to_site()
    if isinstance(site, PointSite):
        # The hot path: answered from memory (about a millisecond of CPU) on the event
        # loop, with no database round trip and no thread hop (cesp.api.plain_route).
        result = check(index, None, site, query.date, query.profession)
    else:
        engine: sa.Engine = request.app.state.engine

        def by_code() -> EligibilityResult:
            with engine.connect() as conn:
                return check(index, conn, site, query.date, query.profession)

        result = await run_in_threadpool(by_code)
    body = EligibilityOut.of(result).model_dump_json()
    return Response(body, media_type="application/json")


router.add_api_route(
    "/api/v1/eligibility",
    get_eligibility,
    methods=["GET"],
    response_model=EligibilityOut,
    responses=ERRORS,
    route_class_override=PlainRoute,
)


def _batch_json(index: ZoningIndex, conn: sa.Connection, body: BatchIn) -> BatchOut:
    default_date = body.date or date.today()
    parse_profession(body.profession)
    sites = [s.to_site(prefix=f"sites.{i}.") for i, s in enumerate(body.sites)]
    dates = [s.date or default_date for s in body.sites]
    professions = []
    for i, s in enumerate(body.sites):
        professions.append(
            parse_profession(s.profession or body.profession, field=f"sites.{i}.profession").value
        )
    points = [i for i, s in enumerate(sites) if isinstance(s, PointSite)]
    results: list[Any] = [None] * len(sites)
    answers = check_points(
        index,
        [sites[i] for i in points],  # type: ignore[misc]
        [dates[i] for i in points],
        [professions[i] for i in points],
    )
    for i, answer in zip(points, answers, strict=True):
        results[i] = answer
    for i, site in enumerate(sites):
        if isinstance(site, CommuneSite):
            try:
                results[i] = check(index, conn, site, dates[i], professions[i])
            except CespError as error:
                error.field = f"sites.{i}.{error.field or 'insee'}"
                raise
    return BatchOut(
        results=[
            EligibilityOut.of(result, id=given.id)
            for given, result in zip(body.sites, results, strict=True)
        ]
    )


@router.post(
    "/api/v1/eligibility/batch",
    response_model=BatchOut,
    responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": BatchIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "date": {
                                "type": "string",
                                "format": "date",
                                "description": "YYYY-MM-DD or DD/MM/YYYY",
                            },
                            "profession": {"type": "string"},
                            "dialect": {
                                "type": "string",
                                "enum": [d.value for d in Dialect],
                                "description": "CSV answer: datagouv (',') or excel-fr (';')",
                            },
                        },
                    }
                },
            },
        }
    },
)
async def post_batch(
    request: Request,
    index: Annotated[ZoningIndex, Depends(get_index)],
    engine: Annotated[sa.Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Any:
    """Up to 100,000 sites as JSON, or a CSV upload (``id,lon,lat[,date,profession]``):
    answers in the same order (JSON, or CSV for a CSV upload)."""
    heavy: HeavyJobs = request.app.state.heavy_jobs
    processes: JobProcesses = request.app.state.job_processes
    content_type = request.headers.get("content-type", "")
    gzipped = "gzip" in request.headers.get("accept-encoding", "")  # GZipMiddleware's rule
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInputError(
                "missing CSV file in field 'file'",
                message_fr="Fichier CSV absent (champ « file »).",
                field="file",
            )
        default_date = _form_date(form.get("date"))
        profession = parse_profession(str(form.get("profession") or "medecin")).value
        dialect = parse_dialect(str(form.get("dialect") or "datagouv"))
        max_bytes = settings.max_upload_mb * 1024 * 1024
        with heavy.slot(), contextlib.ExitStack() as spooled:
            path = await run_in_threadpool(
                lambda: spooled.enter_context(spooled_upload(upload, max_bytes))  # type: ignore[arg-type]
            )
            csv_body = await processes.run(
                _batch_csv, path, default_date, profession, dialect, gzipped
            )
        return _answer(csv_body, "text/csv; charset=utf-8", gzipped)
    raw = await request.body()
    with heavy.slot():
        body = await processes.run(_batch_answer, raw, gzipped)
    return _answer(body, "application/json", gzipped)


def _answer(body: bytes, media_type: str, gzipped: bool) -> Response:
    """A batch answer, compressed already by the child (the compression middleware
    passes a body with a ``Content-Encoding`` through untouched)."""
    headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"} if gzipped else None
    return Response(body, media_type=media_type, headers=headers)


def _compressed(body: bytes, gzipped: bool) -> bytes:
    """``body`` gzipped in the child when the client takes gzip: the worker then moves a
    tenth of the bytes (30 MB of JSON for 100,000 sites) and compresses nothing."""
    return gzip.compress(body, compresslevel=6) if gzipped else body


def _batch_answer(index: ZoningIndex, engine: sa.Engine, raw: bytes, gzipped: bool) -> bytes:
    """The answer JSON of a JSON batch body (in a child process: it parses and computes)."""
    body = _parse_batch(raw)
    with engine.connect() as conn:
        return _compressed(_batch_body(_batch_json(index, conn, body)), gzipped)


def _batch_csv(
    index: ZoningIndex,
    engine: sa.Engine,
    path: Path,
    default_date: date,
    profession: str,
    dialect: Dialect,
    gzipped: bool,
) -> bytes:
    """The answer CSV of an uploaded sites CSV (in a child process: it parses and computes)."""
    frame = read_sites(path)
    if len(frame) > 100_000:
        raise InvalidInputError(
            f"{len(frame)} rows: at most 100,000 per request (use cesp check-bulk)",
            message_fr=(
                f"{len(frame)} lignes : au plus 100 000 par requête (utilisez cesp check-bulk)."
            ),
            field="file",
        )
    result = evaluate_frame(index, frame, default_date, profession)
    buffer = io.BytesIO()
    write_sites(result, buffer, dialect)
    return _compressed(buffer.getvalue(), gzipped)


def _parse_batch(raw: bytes) -> BatchIn:
    """The JSON batch body, or a 422 saying what is wrong with it.

    Python's parser raises ``RecursionError`` on deeply nested arrays and ``ValueError``
    on integers of more than 4,300 digits: both are the caller's fault, not a 500. The
    sites are validated by slices of ``SLICE`` (from when batches ran in a thread of the
    worker, where one pydantic call held the GIL for ~0.3 s; in the child process that
    computes them now it costs nothing and keeps each slice's errors numbered)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        message, message_fr = json_error_messages(exc)
        raise InvalidInputError(message, message_fr=message_fr, field="body") from exc
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError, huge integers
        raise InvalidInputError(
            "the body is not JSON that can be read (send application/json of at most "
            "100,000 sites, nested at most a few levels, or a multipart CSV upload)",
            message_fr=(
                "Corps de requête illisible : JSON (au plus 100 000 sites, sans imbrication "
                "profonde ni nombre démesuré) ou CSV attendu."
            ),
            field="body",
        ) from exc
    sites = data.get("sites") if isinstance(data, dict) else None
    if not isinstance(sites, list) or len(sites) > 100_000:
        return _validated(lambda: BatchIn.model_validate(data), 0)
    head = _validated(lambda: BatchIn.model_validate({**data, "sites": []}), 0)
    refuse_in_values(sites, "sites")
    for start in range(0, len(sites), SLICE):
        part = sites[start : start + SLICE]
        head.sites += _validated(lambda part=part: SITES.validate_python(part), start)  # type: ignore[misc]
    return head


def _validated(validate: Callable[[], T], offset: int) -> T:
    """``validate()``, its first error as a 422 naming the field (site numbers shifted
    by ``offset`` when validating a slice of the sites)."""
    try:
        return validate()
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        if offset or (loc and isinstance(loc[0], int)):
            loc = ["sites", int(loc[0]) + offset, *loc[1:]]
        field, message, message_fr = request_problem({**first, "loc": ("body", *loc)})
        raise InvalidInputError(message, message_fr=message_fr, field=field) from exc


def _batch_body(answer: BatchOut) -> bytes:
    """The answer's JSON, one result at a time."""
    results = b",".join(r.model_dump_json().encode() for r in answer.results)
    return b'{"results":[' + results + b"]}"


def _form_date(value: object) -> date:
    """The ``date`` form field: YYYY-MM-DD or DD/MM/YYYY (``cesp.conventions``), default today."""
    if value is None or value == "":
        return date.today()
    parsed = parse_day(str(value))
    if parsed is None:
        raise InvalidInputError(
            f"date={value!r}: expected {DATE_EXPECTED}",
            message_fr=f"date : « {value} » n'est pas une date ; {DATE_EXPECTED_FR}.",
            field="date",
        )
    return parsed
