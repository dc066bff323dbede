"""What ``cesp serve`` writes in its log, read back from a real server's output.

One JSON object per line; one line per request with its route template, status,
duration, client, request id and the key holder's name, never the key. Behind a
trusted proxy the client is the one named in ``X-Forwarded-For``, which is also who
the anonymous rate limit counts.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from tests.api.live_server import LiveServer

FORM = {
    "region": "11",
    "reference": "LOG-1",
    "signed": "2012-05-24",
    "effective_from": "2012-05-24",
    "profession": "medecin",
    "dry_run": "true",
}
FORGED_ID = 'x" , "status": 200, "y'


def json_lines(server: LiveServer) -> list[dict]:
    """Every line of the server's output, parsed (fails on a line that is not JSON)."""
    return [json.loads(line) for line in server.logs().splitlines() if line.strip()]


def requests_in(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line.get("logger") == "cesp.access"]


def test_one_json_line_per_request_with_its_fields_and_never_the_key(
    engine: sa.Engine, scratch_url: str, data_dir: Path
) -> None:
    with write_transaction(engine) as conn:
        _, token = create_key(conn, "ARS IDF", "ars", "11", Actor("test", "admin"))
    server = LiveServer(scratch_url, data_dir).start()
    try:
        asked = time.perf_counter()
        traced = httpx.get(
            f"{server.base}/api/v1/communes/93027", headers={"X-Request-ID": "trace-42"}
        )
        round_trip_ms = (time.perf_counter() - asked) * 1000
        assert traced.headers["x-request-id"] == "trace-42"
        forged = httpx.get(f"{server.base}/api/v1/decrees/7", headers={"X-Request-ID": FORGED_ID})
        assert forged.status_code == 404
        assert forged.headers["x-request-id"] not in ("", FORGED_ID)
        keyed = httpx.post(
            f"{server.base}/api/v1/decrees",
            files={"file": ("z.csv", b"code_insee;nom_zone\n93027;La Courneuve\n")},
            data=FORM,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert keyed.status_code == 200, keyed.text
        assert httpx.get(f"{server.base}/no/such/page").status_code == 404
    finally:
        server.stop()
    assert token not in server.logs()
    lines = json_lines(server)
    assert any(line["logger"].startswith("uvicorn") for line in lines), "uvicorn's too"
    by_id = {line["request_id"]: line for line in requests_in(lines)}
    first = by_id["trace-42"]
    assert first["method"] == "GET"
    assert first["route"] == "/api/v1/communes/{code}"
    assert first["path"] == "/api/v1/communes/93027"
    assert first["status"] == 200
    # The server's time for the request, within the client's round trip around it.
    assert 0 < first["duration_ms"] <= round_trip_ms
    assert first["client"] == "127.0.0.1"
    assert first["level"] == "INFO"
    assert first["pid"] > 0 and first["time"].endswith("+00:00")
    assert "actor" not in first, "anonymous requests name no actor"
    not_found = by_id[forged.headers["x-request-id"]]
    assert (not_found["route"], not_found["status"]) == ("/api/v1/decrees/{decree_id}", 404)
    posted = by_id[keyed.headers["x-request-id"]]
    assert (posted["method"], posted["actor"], posted["status"]) == ("POST", "ARS IDF", 200)
    unmatched = [line for line in by_id.values() if line["path"] == "/no/such/page"]
    assert [(u["route"], u["status"]) for u in unmatched] == [(None, 404)]


def test_the_client_behind_a_trusted_proxy_is_the_forwarded_one(
    engine: sa.Engine, scratch_url: str, data_dir: Path
) -> None:
    limited = {"CESP_RATE_LIMIT_PER_MINUTE": "1", "CESP_RATE_LIMIT_BURST": "2"}
    server = LiveServer(scratch_url, data_dir, **limited).start()
    url = f"{server.base}/api/v1/communes/93027"
    try:
        first = [
            httpx.get(url, headers={"X-Forwarded-For": "203.0.113.5"}).status_code for _ in range(3)
        ]
        other = httpx.get(url, headers={"X-Forwarded-For": "203.0.113.6"}).status_code
    finally:
        server.stop()
    assert first == [200, 200, 429], "the forwarded client has its own bucket"
    assert other == 200, "another forwarded client is not limited by the first"
    clients = {
        line["client"] for line in requests_in(json_lines(server)) if line["path"] != "/healthz"
    }
    assert clients == {"203.0.113.5", "203.0.113.6"}


def test_forwarded_for_from_an_untrusted_peer_is_ignored_and_text_logs(
    engine: sa.Engine, scratch_url: str, data_dir: Path
) -> None:
    server = LiveServer(
        scratch_url,
        data_dir,
        serve_args=["--forwarded-allow-ips", "192.0.2.1"],
        CESP_LOG_FORMAT="text",
    ).start()
    try:
        answer = httpx.get(
            f"{server.base}/api/v1/communes/93027",
            headers={"X-Forwarded-For": "203.0.113.5", "X-Request-ID": "plain-1"},
        )
        assert answer.status_code == 200
    finally:
        server.stop()
    line = next(x for x in server.logs().splitlines() if "request_id=plain-1" in x)
    assert not line.startswith("{")
    assert "INFO" in line and "GET /api/v1/communes/93027 200" in line
    assert "client=127.0.0.1" in line, "X-Forwarded-For of an untrusted peer is ignored"
