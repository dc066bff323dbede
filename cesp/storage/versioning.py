"""A version number that changes whenever what the in-memory index holds changes.

Publishing a decree and loading reference geography bump it in their own transaction;
every API worker polls it and rebuilds its index when it moves.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from cesp.storage.state_queries import (
    COMMUNE_STATE_SQL,
    DATABASE_OID_SQL,
    INDEX_STATE_SQL,
    state_string,
)
from cesp.storage.tables import index_version


def bump_index_version(conn: sa.Connection) -> None:
    """Increment the version (inside the caller's transaction)."""
    conn.execute(
        sa.update(index_version)
        .where(index_version.c.id == 1)
        .values(version=index_version.c.version + 1, updated_at=datetime.now(UTC))
    )


def read_index_version(conn: sa.Connection) -> int:
    """The current version."""
    version = sa.select(index_version.c.version).where(index_version.c.id == 1)
    return int(conn.execute(version).scalar_one())


def index_state(conn: sa.Connection) -> str:
    """What an index built now would be built from, as one string: the version and the
    time of its last bump, row counts and largest ids of the tables the index reads, and
    on PostgreSQL the database's own id (a database dropped and created again under the
    same name gets a new one).

    The version alone would do for a database changed only through this service (every
    change to what the index holds bumps it, with the time), but a database can also be
    re-created, or filled by hand, under the same URL: then its counts differ. An index
    kept on disk is reused only for an identical state (``cesp.eligibility.index_cache``).
    Only rows the index reads count: a draft decree imported for review leaves the
    state, and the stored index, as they were.
    """
    return _state(conn, INDEX_STATE_SQL)


def commune_state(conn: sa.Connection) -> str:
    """What the commune layer of an index is built from: the last reference load (every
    ``cesp geo load`` that changes something records one) and the commune units' count
    and largest id. A decree publication leaves it as it was, so an index built after a
    publication reuses the commune layer kept on disk."""
    return _state(conn, COMMUNE_STATE_SQL)


def _state(conn: sa.Connection, sql: str) -> str:
    """The values of a one-row query joined, and on PostgreSQL the database's own id (a
    database dropped and created again under the same name gets a new one)."""
    # The driver's own values (no SQLAlchemy type processing), as the bare-driver
    # reading of ``cesp.storage.direct_state`` gets them: one string per state.
    values = conn.exec_driver_sql(sql).one()
    oid = None
    if conn.dialect.name == "postgresql":
        oid = conn.exec_driver_sql(DATABASE_OID_SQL).scalar_one()
    return state_string(values, oid)
