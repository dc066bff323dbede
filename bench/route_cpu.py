"""CPU time of one ``GET /api/v1/eligibility`` inside the application, against the bare
FastAPI route (``bench.bare_app``), measured in the same process and run.

No socket and no HTTP parsing: each request is handed to the ASGI application as
uvicorn would hand it over, with every middleware in place. CPU time of this process
(``time.process_time``), not wall time, so that other jobs on the machine move the
figures less; the best of five rounds of 2,000 points of the Paris area.

    python -m bench.route_cpu --database-url sqlite:///var/bench/national.sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import numpy as np

ASGIApp = Callable[..., Awaitable[None]]
Message = MutableMapping[str, Any]


def _scope(path: str, query: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _call(app: ASGIApp, path: str, query: str) -> int:
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(path, query), receive, send)
    return status


async def _per_request(app: ASGIApp, requests: list[tuple[str, str]], rounds: int = 5) -> float:
    """Best CPU seconds a request over ``rounds`` passes (after one warm-up pass)."""
    for path, query in requests:
        assert await _call(app, path, query) == 200, (path, query)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for path, query in requests:
            await _call(app, path, query)
        best = min(best, (time.process_time() - started) / len(requests))
    return best


async def _measure() -> None:
    from bench.bare_app import app as bare
    from cesp.api.app import create_app

    app = create_app()
    startup: asyncio.Queue[Message] = asyncio.Queue()
    answers: asyncio.Queue[Message] = asyncio.Queue()
    await startup.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, startup.get, answers.put)
    )
    started = await answers.get()
    assert started["type"] == "lifespan.startup.complete", started
    rng = np.random.default_rng(3)
    points = zip(rng.uniform(2.0, 2.7, 2000), rng.uniform(48.6, 49.1, 2000), strict=True)
    ours = [("/api/v1/eligibility", f"lon={x:.5f}&lat={y:.5f}&date=2026-06-01") for x, y in points]
    cost = await _per_request(app, ours)
    peer = await _per_request(bare, [("/bare", "")] * len(ours))
    print(f"GET /api/v1/eligibility  {cost * 1000:.3f} ms CPU a request")
    print(f"bare FastAPI route       {peer * 1000:.3f} ms CPU a request")
    print(f"ratio                    {cost / peer:.1f}x the bare route")
    await startup.put({"type": "lifespan.shutdown"})
    await lifespan


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///var/bench/national.sqlite")
    args = parser.parse_args()
    os.environ["CESP_DATABASE_URL"] = args.database_url
    os.environ.setdefault("CESP_RATE_LIMIT_PER_MINUTE", "0")
    os.environ.setdefault("CESP_LOG_LEVEL", "WARNING")
    os.environ["CESP_INDEX_WARMUP"] = "false"  # no batch child process to start
    asyncio.run(_measure())


if __name__ == "__main__":
    main()
