"""``/metrics`` of one process: Prometheus text that parses, by route template."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.storage.settings import Settings
from cesp.storage.versioning import read_index_version
from tests.zones.helpers import publish_codes


@pytest.fixture
def api(
    engine: sa.Engine, scratch_url: str, data_dir: Path, tmp_path: Path
) -> Iterator[TestClient]:
    publish_codes(engine, tmp_path / "2012.csv")
    settings = Settings(database_url=scratch_url, data_dir=data_dir, rate_limit_per_minute=0)
    with TestClient(create_app(settings)) as client:
        yield client


def samples(api: TestClient) -> dict[tuple[str, tuple], float]:
    answer = api.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def test_requests_are_counted_by_route_template(api: TestClient) -> None:
    asked = time.perf_counter()
    for code in ("93027", "93008", "92036"):
        assert api.get(f"/api/v1/communes/{code}").status_code == 200
    elapsed = time.perf_counter() - asked
    assert api.get("/api/v1/decrees/999").status_code == 404
    for probe in ("/wp-login.php", "/.env"):
        assert api.get(probe).status_code == 404
    found = samples(api)
    communes = (("method", "GET"), ("route", "/api/v1/communes/{code}"), ("status", "200"))
    assert found[("cesp_http_requests_total", communes)] == 3
    assert found[("cesp_http_request_duration_seconds_count", communes[:2])] == 3
    # The durations observed are the requests' own, within the time the test took.
    assert 0 < found[("cesp_http_request_duration_seconds_sum", communes[:2])] <= elapsed
    missing = (("method", "GET"), ("route", "/api/v1/decrees/{decree_id}"), ("status", "404"))
    assert found[("cesp_http_requests_total", missing)] == 1
    unmatched = (("method", "GET"), ("route", "<unmatched>"), ("status", "404"))
    assert found[("cesp_http_requests_total", unmatched)] == 2
    paths = {dict(labels).get("route") for _, labels in found}
    assert not any(p and ("93027" in p or "wp-login" in p) for p in paths), "no raw paths"


def test_index_version_decrees_and_build_time(api: TestClient, engine: sa.Engine) -> None:
    assert api.get("/api/v1/eligibility", params={"lon": 2.44, "lat": 48.91}).status_code == 200
    with engine.connect() as conn:
        version = read_index_version(conn)
    found = samples(api)
    assert found[("cesp_index_version", ())] == version
    assert found[("cesp_index_decrees", ())] == 1
    assert found[("cesp_index_build_seconds_count", ())] >= 1
    assert found[("cesp_index_build_seconds_sum", ())] > 0
