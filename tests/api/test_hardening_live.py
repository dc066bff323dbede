"""Issue 20 against a real ``cesp serve``: a heavy batch does not hold up ``/healthz``,
an oversized body is refused at once without the server growing, and a GeoJSON ``crs``
link makes the server fetch nothing."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from tests.api.live_server import LiveServer

HEALTHZ_DELAY_SECONDS = 0.2  # the bound on /healthz while a batch is computed
BIG_BODY = 240 * 1024 * 1024


@pytest.fixture
def token(engine: sa.Engine) -> str:
    with write_transaction(engine) as conn:
        _, secret = create_key(conn, "cng", "cng", None, Actor("test", "admin"))
    return secret


@pytest.fixture
def server(token: str, scratch_url: str, data_dir: Path) -> Iterator[LiveServer]:
    running = LiveServer(scratch_url, data_dir, CESP_LOG_LEVEL="WARNING").start()
    yield running
    running.stop()


def rss_kb(server: LiveServer) -> int:
    """Resident memory of the server process, from /proc."""
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def healthz_seconds(
    base: str, count: int, until: subprocess.Popen[bytes] | None = None
) -> list[float]:
    """Times of ``count`` /healthz requests (and more until process ``until`` ends)."""
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        while len(times) < count or (until is not None and until.poll() is None):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            times.append(time.perf_counter() - started)
            time.sleep(0.02)
    return times


BATCH_SENDER = """
import sys, httpx
base, token, body, answer = sys.argv[1:]
sent = httpx.post(
    base + "/api/v1/eligibility/batch",
    content=open(body, "rb").read(),
    headers={"content-type": "application/json", "Authorization": "Bearer " + token},
    timeout=120,
)
assert sent.status_code == 200, sent.text[:500]
open(answer, "wb").write(sent.content)
"""


def test_a_heavy_batch_does_not_hold_up_healthz(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    """/healthz is polled from the moment the batch is sent until it is answered (the
    batch is computed in a child process of the worker: ``cesp.api.job_processes``)."""
    baseline = statistics.median(healthz_seconds(server.base, 20))
    sites = [{"id": str(i), "lon": 2.3 + i * 1e-6, "lat": 48.85} for i in range(100_000)]
    body = tmp_path / "batch.json"
    body.write_text(json.dumps({"date": "2024-01-01", "sites": sites}))
    answer = tmp_path / "answer.json"
    # The batch is sent and its 30 MB answer read by another process: in a thread of this
    # one, reading it would delay this process's own /healthz requests.
    sender = subprocess.Popen(
        [sys.executable, "-c", BATCH_SENDER, server.base, token, str(body), str(answer)]
    )
    during = healthz_seconds(server.base, 15, until=sender)
    assert sender.wait(timeout=120) == 0
    assert len(json.loads(answer.read_text())["results"]) == 100_000
    worst = max(during) - baseline
    print(
        f"\n/healthz: median {baseline:.3f} s before, worst delay {worst:.3f} s over {len(during)}"
    )
    assert worst < HEALTHZ_DELAY_SECONDS, f"healthz delayed by {worst:.3f}s: {during}"


def _raw_request(base: str, head: str, body: Iterator[bytes]) -> tuple[bytes, float]:
    """Send ``head`` then body chunks until the server answers; (answer, seconds)."""
    parts = urlsplit(base)
    started = time.perf_counter()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode())
        sock.setblocking(False)
        answer = b""
        for chunk in body:
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(65536)
            if answer:
                break
            try:
                sock.sendall(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                time.sleep(0.01)
        sock.setblocking(True)
        sock.settimeout(10)
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
    return answer, time.perf_counter() - started


def _chunks(total: int, size: int = 1 << 20) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"[" + b" " * (size - 2) + b"]"


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_oversized_body_is_refused_at_once_and_the_server_does_not_grow(
    server: LiveServer, framing: str
) -> None:
    before = rss_kb(server)
    path = "/api/v1/eligibility/batch"
    if framing == "content-length":
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {BIG_BODY}\r\n\r\n"
        )
        body = _chunks(BIG_BODY)
    else:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        )
        body = (f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in _chunks(BIG_BODY))
    answer, seconds = _raw_request(server.base, head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert seconds < 1.0, f"refused after {seconds:.2f}s"
    grown_mb = (rss_kb(server) - before) / 1024
    assert grown_mb < 20, f"server grew by {grown_mb:.0f} MB"
    assert httpx.get(f"{server.base}/healthz").status_code == 200


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.25]]]')

    def log_message(self, *_args: object) -> None:
        return None


def test_a_geojson_crs_link_makes_the_server_fetch_nothing(server: LiveServer, token: str) -> None:
    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    port = listener.server_address[1]
    _Recorder.seen = []
    try:
        for crs in (
            {"type": "link", "properties": {"href": f"http://127.0.0.1:{port}/crs.wkt"}},
            {"type": "name", "properties": {"name": f"http://127.0.0.1:{port}/name"}},
        ):
            zone = {
                "type": "Feature",
                "properties": {"nom_zone": "Bobigny"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[2.43, 48.9], [2.46, 48.9], [2.46, 48.92], [2.43, 48.9]]],
                },
            }
            document = {"type": "FeatureCollection", "crs": crs, "features": [zone]}
            answer = httpx.post(
                f"{server.base}/api/v1/decrees",
                data={
                    "region": "11",
                    "reference": "SSRF-1",
                    "signed": "2012-05-24",
                    "effective_from": "2012-05-24",
                    "profession": "medecin",
                    "dry_run": "true",
                },
                files={"file": ("zones.geojson", json.dumps(document).encode())},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            assert answer.status_code == 422, answer.text
            assert answer.json()["field"] == "file" and "crs" in answer.json()["detail"]
        time.sleep(0.5)
        assert _Recorder.seen == [], f"the server fetched {_Recorder.seen}"
    finally:
        listener.shutdown()
