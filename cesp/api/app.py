"""Application factory: ``create_app(settings)``.

The engine is opened in the lifespan and disposed at shutdown; routes get a
connection per request. One log line per request, with method, path, status and time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request, Response

from cesp import __version__
from cesp.api import errors
from cesp.api.auth import RateLimiter, get_actor
from cesp.api.routes import audit, communes, decrees, eligibility, health, zones
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings
from cesp.zones.holder import IndexHolder

log = logging.getLogger("cesp.access")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application for ``settings`` (read from the environment if None)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_engine(settings.database_url, echo=settings.sql_echo)
        app.state.holder = IndexHolder(
            app.state.engine, settings.borderline_m, settings.index_poll_seconds
        )
        app.state.holder.start()
        try:
            yield
        finally:
            app.state.holder.stop()
            app.state.engine.dispose()

    app = FastAPI(
        title="cesp-zones",
        version=__version__,
        description="Zones déficitaires du contrat d'engagement de service public (CESP).",
        lifespan=lifespan,
        dependencies=[Depends(get_actor)],
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    errors.register(app)
    app.include_router(health.router)
    app.include_router(communes.router)
    app.include_router(decrees.router)
    app.include_router(zones.router)
    app.include_router(eligibility.router)
    app.include_router(audit.router)

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        log.info(
            "%s %s %s %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    return app
