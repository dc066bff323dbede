"""HEAD wherever GET works: same status and headers, no body (uptime probes, proxies)."""

from __future__ import annotations

import pytest

from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/ogc/collections", "/api/v1/eligibility?lon=2.4397&lat=48.9086&date=2013-01-01"],
)
def test_head_answers_as_get_without_the_body(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("etag") == got.headers.get("etag")


def test_head_keeps_the_errors_of_get(client: TestClient) -> None:
    assert client.head("/api/v1/no-such-route").status_code == 404
    bad = client.head("/api/v1/eligibility?lon=x&lat=48.9")
    assert bad.status_code == 422 and bad.content == b""
    assert client.head("/api/v1/eligibility/batch").status_code == 405, "POST only"
