"""Column types that read back the same on both backends.

SQLite has no timestamp type: a ``DateTime(timezone=True)`` column holds text, and
SQLAlchemy's SQLite ``DATETIME`` writes it without its offset (reading back a naive
datetime), while the rows the service wrote with bound parameters carry ``+00:00``.
``UTCDateTime`` writes UTC with its offset and always reads back an aware datetime, as
PostGIS's ``timestamptz`` does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect

SQLITE_UTC_FORMAT = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d+00:00"
)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware timestamp, stored in UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        """SQLite's text keeps the offset; PostGIS has ``timestamptz``."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sqlite.DATETIME(storage_format=SQLITE_UTC_FORMAT))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The timestamp in UTC."""
        if value is None:
            return None
        # A naive timestamp is taken as UTC, as the SQL it replaces stored it.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """An aware timestamp, whatever the row was written with."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)
