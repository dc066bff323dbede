"""``GET /api/v1/eligibility`` answered by a ``PlainRoute``: the app-wide checks still
run, the query is validated by the model the OpenAPI document shows, errors read as
FastAPI's do."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import BaseModel

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.api.eligibility_schemas import EligibilityQuery
from cesp.api.plain_route import PlainRoute
from cesp.storage.settings import Settings

POINT = {"lon": "2.4417", "lat": "48.9245"}


def _client(scratch_url: str, data_dir: Path, **settings: int) -> TestClient:
    return TestClient(
        create_app(
            Settings(database_url=scratch_url, data_dir=data_dir, index_warmup=False, **settings)
        )
    )


def test_the_anonymous_rate_limit_applies_to_the_plain_route(
    engine: sa.Engine, scratch_url: str, data_dir: Path
):
    with _client(scratch_url, data_dir, rate_limit_per_minute=1, rate_limit_burst=2) as client:
        answers = [client.get("/api/v1/eligibility", params=POINT) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert answers[-1].json()["detail_fr"]


def test_a_bogus_key_is_refused_and_a_control_character_named(
    engine: sa.Engine, scratch_url: str, data_dir: Path
):
    with _client(scratch_url, data_dir, rate_limit_per_minute=0) as client:
        bogus = client.get(
            "/api/v1/eligibility", params=POINT, headers={"Authorization": "Bearer nope"}
        )
        assert bogus.status_code == 401 and bogus.json()["detail_fr"]
        nul = client.get("/api/v1/eligibility?lon=2.44&lat=48.92&profession=med%00ecin")
        assert nul.status_code == 422 and nul.json()["field"] == "profession"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lon=abc&lat=48.9", "lon"),
        ("lon=2.4&lat=100", "lat"),
        ("lon=2.4&lat=48.9&date=32/13/2020", "date"),
        ("insee=123456789012", "insee"),
        ("lon=2.4&lat=48.9&profession=" + "x" * 40, "profession"),
    ],
)
def test_a_bad_query_is_a_422_naming_the_field_in_both_languages(
    engine: sa.Engine, scratch_url: str, data_dir: Path, query: str, field: str
):
    with _client(scratch_url, data_dir, rate_limit_per_minute=0) as client:
        answer = client.get(f"/api/v1/eligibility?{query}")
    body = answer.json()
    assert answer.status_code == 422, body
    assert body["field"] == field and body["error"] == "invalid_parameter", body
    assert field in body["detail"] and field in body["detail_fr"], body
    assert "x-request-id" in answer.headers


def test_the_openapi_document_lists_every_field_of_the_query_model(
    engine: sa.Engine, scratch_url: str, data_dir: Path
):
    with _client(scratch_url, data_dir, rate_limit_per_minute=0) as client:
        operation = client.get("/openapi.json").json()["paths"]["/api/v1/eligibility"]["get"]
    listed = {p["name"]: p for p in operation["parameters"]}
    expected = {f.alias or name for name, f in EligibilityQuery.model_fields.items()}
    assert set(listed) == expected == {"lon", "lat", "x", "y", "insee", "date", "profession"}
    assert all(p["in"] == "query" and not p["required"] for p in listed.values())
    assert listed["lon"]["schema"]["anyOf"][0]["maximum"] == 180
    assert {"bearerAuth": []} in operation["security"] or {} in operation["security"]


class _Query(BaseModel):
    n: int = 1


def test_a_plain_route_refuses_an_endpoint_it_cannot_serve():
    async def two_queries(request: Request, a: int, b: int) -> Response:
        return Response()

    async def not_a_model(request: Request, a: int) -> Response:
        return Response()

    for endpoint in (two_queries, not_a_model):
        app = FastAPI()
        with pytest.raises(TypeError):
            app.router.add_api_route("/x", endpoint, route_class_override=PlainRoute)

    async def fine(request: Request, query: _Query = Query()) -> Response:  # noqa: B008
        return Response(str(query.n))

    app = FastAPI()
    app.router.add_api_route("/x", fine, route_class_override=PlainRoute)
    with TestClient(app) as client:
        assert client.get("/x?n=5").text == "5"
        assert client.get("/x?n=five").status_code == 422

    def sync_check(request: Request) -> None:
        return None

    async def needs_more(request: Request, other: int) -> None:
        return None

    for dependency in (sync_check, needs_more):
        app = FastAPI(dependencies=[Depends(dependency)])
        with pytest.raises(TypeError):
            app.router.add_api_route("/x", fine, route_class_override=PlainRoute)
