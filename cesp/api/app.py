"""Application factory: ``create_app(settings)``.

The engine is opened in the lifespan and disposed at shutdown; routes get a
connection per request. One log line per request, with method, path, status and time.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Scope

from cesp import __version__
from cesp.api import api_docs, errors, metrics
from cesp.api.access_log import AccessLog
from cesp.api.auth import RateLimiter, get_actor
from cesp.api.body_limit import BodyLimit
from cesp.api.dependencies import clean_parameters
from cesp.api.head_requests import HeadAsGet
from cesp.api.heavy_jobs import HeavyJobs
from cesp.api.job_processes import JobProcesses
from cesp.api.routes import (
    audit,
    beneficiaries,
    campaigns,
    categories,
    communes,
    decrees,
    eligibility,
    health,
    home,
    ledger,
    maps,
    ogc,
    posts,
    relocations,
    zones,
)
from cesp.api.security_headers import SecurityHeaders
from cesp.eligibility.holder import IndexHolder
from cesp.eligibility.served_version import ServedVersion
from cesp.keys import authenticate
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings

log = logging.getLogger("cesp.access")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application for ``settings`` (read from the environment if None)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_engine(settings.database_url, echo=settings.sql_echo)
        served = ServedVersion(settings.index_version_file) if settings.index_version_file else None
        app.state.holder = IndexHolder(
            app.state.engine,
            settings.borderline_m,
            settings.index_poll_seconds,
            on_swap=app.state.metrics.observe_index,
            cache_dir=settings.index_cache_dir,
            served=served,
        )
        if settings.index_warmup:
            try:
                app.state.holder.refresh()
            except Exception:  # an empty database still serves /healthz (503)
                log.exception("zoning index not built at start-up")
            app.state.job_processes.start()
        app.state.holder.start()
        # The index and the imported modules are long-lived: keep them out of the
        # collector's full passes, which a batch's 100,000 fresh objects trigger and
        # which hold the GIL (so the event loop) while they walk every object.
        gc.freeze()
        try:
            yield
        finally:
            app.state.job_processes.close(wait=True)
            app.state.holder.stop()
            if served is not None:
                served.close()
            app.state.engine.dispose()
            app.state.metrics.close()

    app = FastAPI(
        title="cesp-zones",
        version=__version__,
        description="Zones déficitaires du contrat d'engagement de service public (CESP).",
        lifespan=lifespan,
        dependencies=[Depends(get_actor), Depends(clean_parameters)],
        docs_url=None,
        redoc_url=None,
    )
    api_docs.install(app)
    app.state.settings = settings
    app.state.metrics = metrics.Metrics()
    app.state.rate_limiter = RateLimiter(settings)
    # Batches and decree imports are bounded apart: anonymous batches filling their slots
    # never refuse an ARS its publication.
    app.state.heavy_jobs = HeavyJobs(settings.heavy_jobs_per_worker)
    app.state.import_jobs = HeavyJobs(settings.heavy_jobs_per_worker)
    app.state.job_processes = JobProcesses(settings)
    errors.register(app)
    # Routes are matched in order: the eligibility check, most of the traffic, first
    # (each route tried before it costs a few microseconds a request).
    app.include_router(eligibility.router)
    app.include_router(home.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(communes.router)
    app.include_router(decrees.router)
    app.include_router(categories.router)
    app.include_router(zones.router)
    app.include_router(relocations.router)
    app.include_router(audit.router)
    app.include_router(posts.router)
    app.include_router(campaigns.router)
    app.include_router(beneficiaries.router)
    app.include_router(ledger.router)
    app.include_router(ogc.router)
    app.include_router(maps.router)
    maps.mount_assets(app)

    # Added last, runs first: the access log times the whole answer, compression
    # included, and answers what escapes everything else. The body limit comes before
    # any route reads a byte; the security headers sit inside compression, where an
    # HTML page's scripts can still be read to hash them. Bodies under 1 kB are not
    # worth a gzip header and the CPU.
    app.add_middleware(SecurityHeaders, map_tiles=settings.map_tiles)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(BodyLimit, settings=settings, key_is_valid=_key_is_valid)
    app.add_middleware(HeadAsGet)
    app.add_middleware(AccessLog, metrics=app.state.metrics)
    return app


def _key_is_valid(scope: Scope, token: str) -> bool:
    """Whether ``token`` is a live API key (for the body limit of keyed callers)."""
    engine = scope["app"].state.engine
    with engine.connect() as conn:
        return authenticate(conn, token) is not None
