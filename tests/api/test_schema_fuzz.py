"""Schemathesis against the running server: no 500 answer, and every answer matches the
OpenAPI schema (bounded: a few examples per operation, a hard deadline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.api.live_server import LiveServer

EXAMPLES_PER_OPERATION = 12


@pytest.fixture(scope="module")
def base_url(reference_engine: sa.Engine, database_url: str, data_dir: Path) -> Iterator[str]:
    server = LiveServer(database_url, data_dir, CESP_LOG_LEVEL="WARNING").start()
    yield server.base
    server.stop()


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def api_schema(base_url: str):
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance], timeout=30)


ogc_schema = schemathesis.pytest.from_fixture("ogc_api_schema")


@pytest.fixture(scope="module")
def ogc_api_schema(base_url: str):
    """The OGC API's own OpenAPI 3.0 document, with one items path per collection."""
    return schemathesis.openapi.from_url(f"{base_url}/ogc/api")


@ogc_schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_ogc_api_conforms_to_its_own_definition(case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance], timeout=30)
