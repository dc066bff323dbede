"""One table from domain errors to HTTP answers, registered once on the app.

Every error body is JSON: ``{"error", "detail", "detail_fr", "field"?}``, except on the
map pages (``/map``, ``/map/preview``) asked for by a browser (``Accept: text/html``):
those get the same French message as an HTML page (``cesp.maps.pages.error_page``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cesp.api.uploads import UploadTooLargeError
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

STATUS_BY_ERROR: dict[type[CespError], int] = {
    UploadTooLargeError: 413,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    RateLimitedError: 429,
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
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, UnauthorizedError):
        headers["WWW-Authenticate"] = "Bearer"
    return _answer(request, error.as_dict(), status, headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    first = problems[0] if problems else {}
    loc = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body")]
    field = ".".join(loc) or None
    detail = f"{field}: {first.get('msg', 'invalid value')}" if field else "invalid request"
    body = {
        "error": "invalid_parameter",
        "field": field,
        "detail": detail,
        "detail_fr": f"Paramètre invalide : {field}" if field else "Requête invalide",
        "problems": [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg")}
            for e in problems
        ],
    }
    return _answer(request, body, 422, {})


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    body = {"error": "http_error", "detail": str(error.detail), "detail_fr": str(error.detail)}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def register(app: FastAPI) -> None:
    """Install the handlers on ``app``."""
    app.add_exception_handler(CespError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
