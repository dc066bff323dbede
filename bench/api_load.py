"""Load test of a single eligibility check against a running server on 127.0.0.1.

Sends requests at a fixed rate (open loop: each request is scheduled at its time,
whatever the previous ones do) for a bounded duration, and prints the achieved rate and
p50 / p99 latency. Loopback only.

Each sending thread opens its own keep-alive connection and sends a first request
before the clock starts: creating an ``httpx.Client`` costs tens of milliseconds (its
TLS context), and 64 of them created during the run made the first 2.5 seconds of
requests wait behind the client itself, not the server. Latency is counted from the
time a request was due, so a client that falls behind shows in the figures instead of
hiding (coordinated omission); the time from sending alone is printed beside it.

    cesp serve --workers 2 &
    python -m bench.api_load --url http://127.0.0.1:8000 --rate 200 --seconds 20

A Python client shares the machine's cores and the GIL with itself: beyond a few dozen
threads on two cores its own scheduling shows in the tail. ``bench/eligibility_load.lua``
drives the same requests from ``wrk`` (C) for comparison.
"""

from __future__ import annotations

import argparse
import itertools
import random
import threading
import time
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
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    host = urlparse(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only: --url must point at 127.0.0.1")
    total = int(args.rate * args.seconds)
    rng = random.Random(1)
    minx, miny, maxx, maxy = PARIS_REGION
    points = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(total)]
    from_due = np.full(total, np.nan)
    from_send = np.full(total, np.nan)
    statuses = np.zeros(total, dtype=int)
    ready = threading.Barrier(args.threads + 1)
    start = [0.0]
    next_request = itertools.count()  # next() on a count is atomic under the GIL

    def sender() -> None:
        with httpx.Client(base_url=args.url, timeout=10) as client:
            lon, lat = points[0]
            client.get("/api/v1/eligibility", params={"lon": lon, "lat": lat})
            ready.wait()
            while (i := next(next_request)) < total:
                due = start[0] + i / args.rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                lon, lat = points[i]
                sent = time.perf_counter()
                try:
                    answer = client.get(
                        "/api/v1/eligibility", params={"lon": lon, "lat": lat, "date": args.date}
                    )
                    statuses[i] = answer.status_code
                except httpx.HTTPError:
                    statuses[i] = -1
                done = time.perf_counter()
                from_due[i] = (done - max(due, start[0])) * 1000
                from_send[i] = (done - sent) * 1000

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    start[0] = time.perf_counter() + 0.5  # set before the barrier lets the senders read it
    ready.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start[0]
    ok = statuses == 200
    print(
        f"{total} requests in {elapsed:.1f} s ({total / elapsed:.0f} req/s, target "
        f"{args.rate:.0f}, {args.threads} client threads); ok {ok.sum()}, errors {(~ok).sum()}; "
        f"latency from due time p50 {np.nanpercentile(from_due, 50):.1f} ms, "
        f"p99 {np.nanpercentile(from_due, 99):.1f} ms, max {np.nanmax(from_due):.1f} ms "
        f"(from sending: p50 {np.nanpercentile(from_send, 50):.1f} ms, "
        f"p99 {np.nanpercentile(from_send, 99):.1f} ms)"
    )


if __name__ == "__main__":
    main()
