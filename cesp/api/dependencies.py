"""Request dependencies: settings, engine and a database connection per request."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from fastapi import Request

from cesp.storage.settings import Settings
from cesp.zones.holder import IndexHolder
from cesp.zones.index import ZoningIndex


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> sa.Engine:
    """The engine opened in the app's lifespan."""
    engine: sa.Engine = request.app.state.engine
    return engine


def get_index(request: Request) -> ZoningIndex:
    """The worker's current zoning index (complete: old or new, never half-built)."""
    holder: IndexHolder = request.app.state.holder
    return holder.index


def get_connection(request: Request) -> Iterator[sa.Connection]:
    """A read connection for the duration of one request."""
    with get_engine(request).connect() as connection:
        yield connection
