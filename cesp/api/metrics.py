"""Prometheus metrics of one API process, and ``GET /metrics``.

What an operator watches: requests by route *template* (``/api/v1/decrees/{decree_id}``,
never the raw path, which would make one series per decree id and per scanner probe),
their latency, and the zoning index each worker serves (version, decrees, build time).

With several workers (``cesp serve --workers N``) each worker is its own process, so
``cesp serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at an empty directory before
starting them; prometheus_client then keeps every value in a per-process file there,
and whichever worker answers ``/metrics`` adds all the files up (counters and
histograms summed; the index gauges reported per live worker, labelled ``pid``). The
mode is fixed when prometheus_client is first imported, which in a worker happens
after ``cesp serve`` set the variable.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cesp.eligibility.zoning_index import ZoningIndex

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "<unmatched>"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
BUILD_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

router = APIRouter(tags=["operations"])


def multiprocess_dir() -> str | None:
    """The shared metrics directory when workers are separate processes, else None."""
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """The instruments of one application, in a registry of its own (so that two apps
    in one test process do not share counts)."""

    def __init__(self) -> None:
        self.directory = multiprocess_dir()
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "cesp_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "cesp_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.index_build = Histogram(
            "cesp_index_build_seconds",
            "Time to build a worker's zoning index (at start-up and after each publication)",
            buckets=BUILD_BUCKETS,
            registry=self.registry,
        )
        self.index_version = Gauge(
            "cesp_index_version",
            "Index version (database counter) of the zoning index a worker serves",
            multiprocess_mode="liveall",
            registry=self.registry,
        )
        self.index_decrees = Gauge(
            "cesp_index_decrees",
            "Published decrees held in a worker's zoning index",
            multiprocess_mode="liveall",
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        """Count one answered request."""
        template = route or UNMATCHED_ROUTE
        self.requests.labels(method, template, str(status)).inc()
        self.latency.labels(method, template).observe(seconds)

    def observe_index(self, index: ZoningIndex) -> None:
        """Record a zoning index swapped in (called by ``IndexHolder``)."""
        self.index_build.observe(index.build_seconds)
        self.index_version.set(index.version)
        self.index_decrees.set(len(index.decrees))

    def exposition(self) -> bytes:
        """The text exposition: this process's registry, or all workers' files."""
        if self.directory is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=self.directory)
        return generate_latest(merged)

    def close(self) -> None:
        """Forget this process's live gauges (a worker that stops serves no index)."""
        if self.directory is not None:
            multiprocess.mark_process_dead(os.getpid(), self.directory)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def get_metrics(request: Request) -> Response:
    """Prometheus text exposition of the service's metrics (summed over workers; a
    thread, since it reads one file per worker)."""
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
