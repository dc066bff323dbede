"""The real thing: ``cesp serve`` in a subprocess, queried over loopback HTTP."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.api.live_server import LiveServer


@pytest.fixture
def server(reference_engine: sa.Engine, database_url: str, data_dir: Path) -> Iterator[LiveServer]:
    running = LiveServer(database_url, data_dir, CESP_INDEX_WARMUP="false").start()
    yield running
    running.stop()


def test_served_api_answers_over_http(server: LiveServer) -> None:
    response = httpx.get(f"{server.base}/api/v1/communes", params={"lon": 2.44, "lat": 48.91})
    assert response.status_code == 200
    assert response.json()["commune"]["code"] == "93008"
    missing = httpx.get(f"{server.base}/api/v1/communes/00000")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    server.stop()
    assert "GET /api/v1/communes 200" in server.logs(), "one log line per request"
