"""The API's own documentation: ``/docs`` and ``/redoc`` served offline, and an OpenAPI
document that says who may call each route and which errors it answers.

Swagger UI and ReDoc come from the ``fastapi-offline`` package's static files (no CDN:
the service runs on intranets, and the maps already avoid CDNs). The OpenAPI document
is FastAPI's, completed here in one place rather than route by route:

- the ``bearerAuth`` scheme (Swagger UI's Authorize button), required on the routes of
  ``KEYED`` and optional elsewhere (a key lifts the anonymous rate limit);
- the error statuses each route really gives, all with the ``ErrorBody`` model: 401 for
  a bad key on every route, 403 on keyed routes, 429 for anonymous callers, 413 on
  uploads, 409 where a state conflict is possible. ``tests/api/test_api_docs.py``
  checks ``KEYED`` against the ``authorize`` calls of the routes, so a new keyed route
  cannot go undocumented.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from cesp.access import ACTIONS

ASSETS_URL = "/docs-assets"
# ReDoc's footer draws Redocly's logo from their CDN: the script is served with our own
# image in its place, so that the page asks nothing of the outside network.
REDOC_URL = f"{ASSETS_URL}/redoc.js"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
BEARER = "bearerAuth"

# (method, path template) -> the action of ``cesp.access.ACTIONS`` the route authorizes.
KEYED: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/decrees"): "decree.write",
    ("POST", "/api/v1/decrees/{decree_id}/publish"): "decree.write",
    ("POST", "/api/v1/zone-categories/aliases"): "decree.write",
    ("POST", "/api/v1/relocations/validate"): "relocation.validate",
    ("GET", "/api/v1/relocations/{decision_id}"): "relocation.read",
    ("GET", "/api/v1/relocations"): "relocation.read",
    ("GET", "/api/v1/beneficiaries/{beneficiary_id}/ledger"): "ledger.read",
    ("POST", "/api/v1/beneficiaries/{beneficiary_id}/periods"): "ledger.write",
    ("POST", "/api/v1/beneficiaries/{beneficiary_id}/events"): "ledger.write",
    ("GET", "/api/v1/audit"): "audit.read",
    ("POST", "/api/v1/posts"): "post.write",
    ("PATCH", "/api/v1/posts/{post_id}"): "post.write",
    ("POST", "/api/v1/campaigns"): "campaign.manage",
    ("PUT", "/api/v1/campaigns/{campaign_id}/candidates"): "campaign.manage",
    ("POST", "/api/v1/campaigns/{campaign_id}/status"): "campaign.manage",
    ("POST", "/api/v1/campaigns/{campaign_id}/choices"): "choice.make",
    ("POST", "/api/v1/campaigns/{campaign_id}/applications"): "choice.make",
    ("GET", "/api/v1/campaigns/{campaign_id}/applications/mine"): "choice.make",
    ("POST", "/api/v1/campaigns/{campaign_id}/allocations"): "campaign.manage",
    ("GET", "/api/v1/campaigns/{campaign_id}/proposals"): "post.write",
    ("POST", "/api/v1/proposals/{proposal_id}/decision"): "post.write",
    ("GET", "/api/v1/campaigns/{campaign_id}/history"): "campaign.manage",
    ("GET", "/api/v1/me"): "choice.make",
    ("GET", "/api/v1/beneficiaries/{beneficiary_id}/engagement"): "beneficiary.read",
}

# Routes that read a request body of their own size limit (CESP_MAX_UPLOAD_MB, batch size).
UPLOADS = frozenset({("POST", "/api/v1/decrees"), ("POST", "/api/v1/eligibility/batch")})

# Routes whose answer can be a state conflict (ConflictError: 409).
CONFLICTS = frozenset(
    {
        ("POST", "/api/v1/decrees"),
        ("POST", "/api/v1/decrees/{decree_id}/publish"),
        ("POST", "/api/v1/zone-categories/aliases"),
        ("POST", "/api/v1/posts"),
        ("PATCH", "/api/v1/posts/{post_id}"),
        ("POST", "/api/v1/campaigns"),
        ("PUT", "/api/v1/campaigns/{campaign_id}/candidates"),
        ("POST", "/api/v1/campaigns/{campaign_id}/status"),
        ("POST", "/api/v1/campaigns/{campaign_id}/choices"),
        ("POST", "/api/v1/campaigns/{campaign_id}/applications"),
        ("POST", "/api/v1/campaigns/{campaign_id}/allocations"),
        ("POST", "/api/v1/proposals/{proposal_id}/decision"),
    }
)

ERROR_TEXT = {
    "401": "No valid API key: the Authorization header is not 'Bearer <key>', or the key is "
    "unknown or revoked",
    "403": "The key's role or region does not allow this",
    "409": "The current state forbids it (e.g. not_your_turn, no_place_left, already_chosen, "
    "already published)",
    "413": "The request body or upload is larger than the service accepts",
    "429": "Too many anonymous requests from this client; wait for Retry-After seconds or "
    "use a key",
}


def _roles(action: str) -> str:
    return ", ".join(sorted(ACTIONS[action]))


def _add_error(responses: dict[str, Any], status: str) -> None:
    """Document ``status`` with the error body (keeping a route's own description)."""
    response = responses.setdefault(status, {"description": ERROR_TEXT[status]})
    response.setdefault("content", {}).setdefault(
        "application/json", {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
    )


def complete_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the security scheme and the error responses to FastAPI's OpenAPI document."""
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "An API key made by `cesp keys create` (roles ars, cng, intern, admin), sent as "
            "`Authorization: Bearer <key>`. Reads need none; a key lifts the anonymous "
            "rate limit."
        ),
    }
    components.setdefault("schemas", {}).setdefault(
        "ErrorBody",
        {
            "title": "ErrorBody",
            "type": "object",
            "required": ["error", "detail", "detail_fr"],
            "properties": {
                "error": {"type": "string"},
                "detail": {"type": "string"},
                "detail_fr": {"type": "string"},
                "field": {"type": "string", "nullable": True},
            },
        },
    )
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            key = (method.upper(), path)
            responses = operation.setdefault("responses", {})
            _add_error(responses, "401")
            if key in KEYED:
                operation["security"] = [{BEARER: []}]
                _add_error(responses, "403")
                roles = f"Needs a key with role {_roles(KEYED[key])}."
                description = operation.get("description", "")
                if roles not in description:
                    operation["description"] = f"{description}\n\n{roles}".strip()
            else:
                operation["security"] = [{}, {BEARER: []}]
                _add_error(responses, "429")
            if key in UPLOADS:
                _add_error(responses, "413")
            if key in CONFLICTS:
                _add_error(responses, "409")
    return schema


def install(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets locally, with the completed schema.

    The app must be created with ``docs_url=None, redoc_url=None``."""
    assets = resources.files("fastapi_offline") / "static"
    redoc_js: list[bytes] = []

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc_script() -> Response:
        if not redoc_js:
            text = (assets / "redoc.standalone.js").read_text("utf-8")
            redoc_js.append(text.replace(REDOCLY_LOGO, f"{ASSETS_URL}/favicon.png").encode())
        return Response(
            redoc_js[0],
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount(ASSETS_URL, StaticFiles(directory=str(assets)), name="docs-assets")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_schema(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            # No badge fetched from the public validator: nothing leaves the service.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title=f"{app.title} – API",
            redoc_js_url=REDOC_URL,
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
