"""Request dependencies: settings, engine and a database connection per request."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cesp.eligibility.holder import IndexHolder
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.storage.settings import Settings
from cesp.text import refuse_control_characters


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> sa.Engine:
    """The engine opened in the app's lifespan."""
    engine: sa.Engine = request.app.state.engine
    return engine


async def get_index(request: Request) -> ZoningIndex:
    """The worker's current zoning index (complete: old or new, never half-built), never
    older than the version another worker of the server already answered with.

    Async on purpose: sync dependencies cost a thread-pool hop per request. The index is
    built before the server accepts requests, and the check against the shared version
    is one ``fstat``; only a cold start without warm-up, or a worker behind a
    publication, waits here (in a thread: the loop keeps serving) for its index."""
    holder: IndexHolder = request.app.state.holder
    built = holder.built
    if built is not None and holder.is_current(built):
        return built
    return await run_in_threadpool(holder.current)


def get_connection(request: Request) -> Iterator[sa.Connection]:
    """A read connection for the duration of one request."""
    engine: sa.Engine = request.app.state.engine
    with engine.connect() as connection:
        yield connection


async def clean_parameters(request: Request) -> None:
    """Refuse a C0 control character in any query or path parameter (422 naming it).

    App-wide: a NUL reached PostgreSQL (which refuses it in text: a 500) and names,
    references or filters with control characters have no legitimate use."""
    for name, value in request.query_params.multi_items():
        refuse_control_characters(name, name)
        refuse_control_characters(value, name)
    for name, value in request.path_params.items():
        if isinstance(value, str):
            refuse_control_characters(value, name)
