"""The API documentation: served offline, and true about keys and errors."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from cesp.access import ACTIONS
from cesp.api.api_docs import CONFLICTS, KEYED, UPLOADS
from cesp.api.app import create_app
from cesp.storage.settings import Settings
from tests.api.live_server import LiveServer
from tests.maps.browser import chromium, chromium_available, screenshot


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    app = create_app(Settings(index_warmup=False))
    with TestClient(app) as client:
        answer = client.get("/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def _routes() -> list[tuple[str, APIRoute]]:
    """(full path, route) of every documented route, routers included."""
    app = create_app(Settings(index_warmup=False))
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path:
            found.append((context.path, route))
    return found


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def test_the_keyed_routes_of_the_docs_are_those_that_take_the_caller() -> None:
    """A route that needs a key takes the caller (``actor``) to authorize it, in the route
    or in the domain function it calls; a route that does not take it cannot need one."""
    takes_actor: set[tuple[str, str]] = set()
    routes = _routes()
    assert len(routes) > 30
    for path, route in routes:
        if "actor" in inspect.signature(route.endpoint).parameters:
            takes_actor |= {(method, path) for method in route.methods - {"HEAD"}}
    assert set(KEYED) == takes_actor, "update KEYED in cesp/api/api_docs.py to match the routes"
    assert set(KEYED.values()) <= set(ACTIONS)


def test_a_keyed_route_called_without_a_key_answers_401_as_documented(
    client: TestClient,
) -> None:
    for method, path, body in (
        ("GET", "/api/v1/audit", None),
        ("GET", "/api/v1/me", None),
        ("POST", "/api/v1/campaigns", {"year": 2026, "kind": "internat"}),
        ("GET", "/api/v1/relocations/1", None),
    ):
        answer = client.request(method, path, json=body)
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.json()["detail_fr"]


def test_openapi_declares_the_bearer_scheme_and_where_it_is_needed(
    schema: dict[str, Any],
) -> None:
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    for method, path, operation in _operations(schema):
        if (method, path) in KEYED:
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert "Needs a key with role" in operation["description"]
        else:
            assert {} in operation["security"], f"{method} {path} must stay anonymous"


def test_openapi_documents_the_errors_each_route_gives(schema: dict[str, Any]) -> None:
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"401"}
        expected |= {"403"} if (method, path) in KEYED else {"429"}
        expected |= {"413"} if (method, path) in UPLOADS else set()
        expected |= {"409"} if (method, path) in CONFLICTS else set()
        assert expected <= set(responses), (method, path, sorted(responses))
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == ref
    choices = schema["paths"]["/api/v1/campaigns/{campaign_id}/choices"]["post"]["responses"]
    assert "409" in choices and "422" in choices


def _body_schema(schema: dict[str, Any], path: str) -> dict[str, Any]:
    content = schema["paths"][path]["post"]["requestBody"]["content"]
    media = content.get("application/json") or content["multipart/form-data"]
    body: dict[str, Any] = media["schema"]
    if "$ref" in body:  # a named model; the batch route inlines its own (it also takes CSV)
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/relocations/validate",
        "/api/v1/eligibility/batch",
        "/api/v1/campaigns/{campaign_id}/choices",
        "/api/v1/campaigns/{campaign_id}/applications",
    ],
)
def test_request_bodies_carry_an_example_and_described_fields(
    schema: dict[str, Any], path: str
) -> None:
    body = _body_schema(schema, path)
    assert body.get("examples"), f"{path}: no example of the whole body"
    for name, field in body["properties"].items():
        assert field.get("description"), f"{path}: field {name} has no description"


def test_decree_import_form_describes_what_the_ars_fills_in(schema: dict[str, Any]) -> None:
    form = _body_schema(schema, "/api/v1/decrees")
    for name in ("region", "reference", "signed", "effective_from", "profession"):
        field = form["properties"][name]
        assert field.get("description") and field.get("examples"), name
    assert form["properties"]["signed"]["examples"] == ["2012-05-24"]


@pytest.fixture(scope="module")
def server(reference_engine: sa.Engine, database_url: str, data_dir: Path) -> Iterator[LiveServer]:
    running = LiveServer(database_url, data_dir, CESP_INDEX_WARMUP="false").start()
    yield running
    running.stop()


def test_docs_assets_are_served_by_the_service(server: LiveServer) -> None:
    page = httpx.get(f"{server.base}/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text.split("<body")[0]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.js"):
        answer = httpx.get(f"{server.base}/docs-assets/{asset}")
        assert answer.status_code == 200 and len(answer.content) > 100_000, asset


@pytest.mark.skipif(not chromium_available(), reason="Debian chromium not installed")
@pytest.mark.parametrize("page_path", ["/docs", "/redoc"])
def test_docs_render_in_a_browser_with_nothing_from_outside(
    server: LiveServer, page_path: str
) -> None:
    with chromium() as session:
        page = session.page({"width": 1366, "height": 800})
        page.goto(f"{server.base}{page_path}")
        if page_path == "/docs":
            page.get_by_text("/api/v1/eligibility").first.wait_for(timeout=30_000)
            authorize = page.get_by_role("button", name=re.compile("Authorize"))
            assert authorize.is_visible(), "the Bearer scheme gives an Authorize button"
            authorize.click()
            assert page.get_by_text("bearerAuth").first.is_visible()
        else:
            page.get_by_text("/api/v1/eligibility").first.wait_for(timeout=30_000)
        screenshot(page, f"api-docs{page_path.replace('/', '-')}")
        assert session.outside_requests() == []
        assert session.console_errors == []
