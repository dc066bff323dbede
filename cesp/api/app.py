"""Application factory: ``create_app(settings)``.

The engine is opened in the lifespan and disposed at shutdown; routes get a
connection per request. One log line per request, with method, path, status and time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cesp import __version__
from cesp.api import errors
from cesp.api.auth import RateLimiter, get_actor
from cesp.api.routes import audit, communes, decrees, eligibility, health, zones
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings
from cesp.zones.holder import IndexHolder

log = logging.getLogger("cesp.access")


class AccessLog:
    """One log line per request (method, path, status, milliseconds); pure ASGI, so it
    costs microseconds, unlike a ``BaseHTTPMiddleware``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and log it when the response has gone."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application for ``settings`` (read from the environment if None)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_engine(settings.database_url, echo=settings.sql_echo)
        app.state.holder = IndexHolder(
            app.state.engine, settings.borderline_m, settings.index_poll_seconds
        )
        if settings.index_warmup:
            try:
                app.state.holder.refresh()
            except Exception:  # an empty database still serves /healthz (503)
                log.exception("zoning index not built at start-up")
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

    app.add_middleware(AccessLog)
    return app
