"""Load test of a single eligibility check against a running server on 127.0.0.1.

Sends requests at a fixed rate (open loop: each request is scheduled at its time,
whatever the previous ones do) for a bounded duration, from a pool of threads, and
prints the achieved rate and p50 / p99 latency. Loopback only.

    cesp serve --workers 2 &
    python -m bench.api_load --url http://127.0.0.1:8000 --rate 200 --seconds 20
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import httpx
import numpy as np

PARIS_REGION = (2.0, 48.6, 2.7, 49.1)


def main() -> None:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--date", default="2026-06-01")
    parser.add_argument("--threads", type=int, default=64)
    args = parser.parse_args()
    host = urlparse(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only: --url must point at 127.0.0.1")
    total = int(args.rate * args.seconds)
    rng = random.Random(1)
    minx, miny, maxx, maxy = PARIS_REGION
    points = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(total)]
    latencies = np.full(total, np.nan)
    statuses = np.zeros(total, dtype=int)
    local = threading.local()

    def request(i: int, due: float) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=args.url, timeout=10)
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        lon, lat = points[i]
        started = time.perf_counter()
        try:
            answer = client.get(
                "/api/v1/eligibility", params={"lon": lon, "lat": lat, "date": args.date}
            )
            statuses[i] = answer.status_code
        except httpx.HTTPError:
            statuses[i] = -1
        latencies[i] = (time.perf_counter() - started) * 1000

    with httpx.Client(base_url=args.url) as warm:
        for lon, lat in points[:50]:
            warm.get("/api/v1/eligibility", params={"lon": lon, "lat": lat, "date": args.date})
    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        for i in range(total):
            pool.submit(request, i, start + i / args.rate)
    elapsed = time.perf_counter() - start
    ok = statuses == 200
    print(
        f"{total} requests in {elapsed:.1f} s ({total / elapsed:.0f} req/s, target "
        f"{args.rate:.0f}); ok {ok.sum()}, errors {(~ok).sum()}; latency p50 "
        f"{np.nanpercentile(latencies, 50):.1f} ms, p99 {np.nanpercentile(latencies, 99):.1f} ms, "
        f"max {np.nanmax(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
