"""Sequential keep-alive latency of ``cesp serve --workers N`` against its peer, uvicorn's
own multi-worker server (``uvicorn --workers N``, the socket uvicorn binds itself), in
the same run, on 127.0.0.1.

A client that sends one request at a time on one connection is where a missing
TCP_NODELAY shows: each answer waits for the client's delayed ACK (~40 ms on Linux).

    python -m bench.serve_workers --database-url sqlite:///var/cesp.sqlite --workers 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import httpx

from cesp.api.server import APP

QUERY = {"lon": 2.44, "lat": 48.91, "date": "2026-06-01"}


def _wait(base: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("server exited")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                time.sleep(3)  # the other workers finish starting
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def _measure(command: list[str], port: int, env: dict[str, str], count: int) -> float:
    """Milliseconds per request, one connection, one request at a time."""
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait(base, process)
        with httpx.Client(base_url=base) as client:
            for _ in range(20):
                client.get("/api/v1/eligibility", params=QUERY)
            started = time.perf_counter()
            for _ in range(count):
                client.get("/api/v1/eligibility", params=QUERY).raise_for_status()
            return (time.perf_counter() - started) * 1000 / count
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    """Run both servers one after the other and print the figures and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--port", type=int, default=8742)
    args = parser.parse_args()
    env = {
        **os.environ,
        "CESP_DATABASE_URL": args.database_url,
        "CESP_RATE_LIMIT_PER_MINUTE": "0",
        "CESP_LOG_LEVEL": "WARNING",
    }
    workers, port = str(args.workers), str(args.port)
    peer = [sys.executable, "-m", "uvicorn", "--factory", APP, "--workers", workers]
    peer += ["--port", port, "--log-level", "warning"]
    ours = [sys.executable, "-m", "cesp.cli.main", "serve", "--workers", workers, "--port", port]
    peer_ms = _measure(peer, args.port, env, args.requests)
    ours_ms = _measure(ours, args.port, env, args.requests)
    print(
        f"{args.requests} sequential keep-alive requests, {args.workers} workers: "
        f"uvicorn --workers {peer_ms:.2f} ms/request, cesp serve --workers {ours_ms:.2f} "
        f"ms/request; uvicorn / cesp serve = {peer_ms / ours_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
