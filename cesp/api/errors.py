"""One table from domain errors to HTTP answers, registered once on the app.

Every error body is JSON: ``{"error", "detail", "detail_fr", "field"?}``, except on the
map pages (``/map``, ``/map/preview``) asked for by a browser (``Accept: text/html``):
those get the same French message as an HTML page (``cesp.maps.pages.error_page``).

- No server path in a body: GDAL and the archive code word their errors with the
  temporary file's full path (``/tmp/cesp-upload-x/zones.shp``); ``scrub_paths`` keeps
  only the file name, whatever raised the message.
- Refused writes are audited: a 401 or 403 on a write method leaves an
  ``access.refused`` row (who, what route, why), in its own transaction, the write
  itself having done nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from cesp.access import ANONYMOUS
from cesp.api.heavy_jobs import BusyError
from cesp.api.uploads import UploadTooLargeError
from cesp.api.validation_fr import request_problem
from cesp.audit import Actor, record
from cesp.errors import (
    CespError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    OutsideTerritoryError,
    RateLimitedError,
    ReferenceDataError,
    StorageError,
    UnauthorizedError,
)
from cesp.maps.pages import error_page

log = logging.getLogger(__name__)

SERVER_PATH = re.compile(
    r"(?<![\w.])(?:/tmp|/var|/usr|/home|/etc|/opt|/srv|/work|/root|/proc|/run|/mnt)"
    r"(?:/[^\s'\"`,;:()<>\[\]{}]*)+"
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def scrub_paths(value: Any) -> Any:
    """``value`` with every server path replaced by its last part (the file name)."""
    if isinstance(value, str):
        return SERVER_PATH.sub(lambda m: m.group().rstrip("/").rsplit("/", 1)[-1], value)
    if isinstance(value, dict):
        return {k: scrub_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_paths(v) for v in value]
    return value


def _record_refusal(request: Request, status: int, error: CespError) -> None:
    """Append an ``access.refused`` audit row for a refused write (never raises)."""
    actor: Actor = getattr(request.state, "actor", None) or ANONYMOUS
    route = getattr(request.scope.get("route"), "path", request.url.path)
    try:
        with request.app.state.engine.begin() as conn:
            record(
                conn,
                actor,
                "access.refused",
                "route",
                f"{request.method} {route}"[:200],
                f"{status} {error.code}: {error.message}"[:500],
                region=actor.region,
            )
    except Exception:  # the refusal stands even if the audit database is unavailable
        log.exception("could not audit a refused write")


STATUS_BY_ERROR: dict[type[CespError], int] = {
    UploadTooLargeError: 413,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    RateLimitedError: 429,
    BusyError: 503,
    InvalidInputError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    OutsideTerritoryError: 404,
    ReferenceDataError: 503,
    StorageError: 503,
}


HTML_PAGES = ("/map", "/map/preview")


def _answer(
    request: Request, body: dict[str, Any], status: int, headers: dict[str, str]
) -> Response:
    """JSON, or the French error page for a browser on a map page."""
    if request.url.path.rstrip("/") in HTML_PAGES and "text/html" in request.headers.get(
        "accept", ""
    ):
        page = error_page(
            status,
            str(body.get("detail_fr") or ""),
            str(body.get("detail") or ""),
            body.get("field"),
        )
        return HTMLResponse(page, status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def status_for(error: CespError) -> int:
    """HTTP status of a domain error (most specific class wins)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, CespError)
    status = status_for(error)
    if status >= 500:
        log.error("service error: %s", error.message)
    headers = {}
    if isinstance(error, RateLimitedError | BusyError):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, UnauthorizedError):
        headers["WWW-Authenticate"] = "Bearer"
    if status in (401, 403) and request.method in WRITE_METHODS:
        await run_in_threadpool(_record_refusal, request, status, error)
    return _answer(request, scrub_paths(error.as_dict()), status, headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [request_problem(e, error.body) for e in error.errors()]
    field, detail, detail_fr = (
        problems[0] if problems else (None, "invalid request", "Requête invalide.")
    )
    body = {
        "error": "invalid_parameter",
        "field": field,
        "detail": detail,
        "detail_fr": detail_fr,
        "problems": [
            {"field": name or "", "message": message, "message_fr": message_fr}
            for name, message, message_fr in problems
        ],
    }
    return _answer(request, body, 422, {})


HTTP_TEXT_FR = {
    400: "Requête invalide (corps illisible : JSON trop profond, nombre trop long ?).",
    404: "Adresse inconnue.",
    405: "Méthode non autorisée pour cette adresse.",
}


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    detail = scrub_paths(str(error.detail))
    detail_fr = HTTP_TEXT_FR.get(error.status_code, detail)
    body = {"error": "http_error", "detail": detail, "detail_fr": detail_fr}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def register(app: FastAPI) -> None:
    """Install the handlers on ``app``."""
    app.add_exception_handler(CespError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
