"""The real thing: ``cesp serve`` in a subprocess, queried over loopback HTTP."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(reference_engine: sa.Engine, database_url: str, data_dir: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "CESP_DATABASE_URL": database_url, "CESP_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "cesp.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise AssertionError(process.stdout.read() if process.stdout else "server died")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            logs = process.stdout.read()
            assert "GET /api/v1/communes" in logs, "one log line per request"


def test_served_api_answers_over_http(server: str) -> None:
    response = httpx.get(f"{server}/api/v1/communes", params={"lon": 2.44, "lat": 48.91})
    assert response.status_code == 200
    assert response.json()["commune"]["code"] == "93008"
    missing = httpx.get(f"{server}/api/v1/communes/00000")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
