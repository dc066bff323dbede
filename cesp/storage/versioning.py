"""A version number that changes whenever what the in-memory index holds changes.

Publishing a decree and loading reference geography bump it in their own transaction;
every API worker polls it and rebuilds its index when it moves.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

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
    in_index = "SELECT id FROM decrees WHERE status IN ('published', 'superseded')"
    return _state(
        conn,
        "SELECT v.version, v.updated_at, "
        "(SELECT count(*) FROM commune_units), (SELECT max(id) FROM commune_units), "
        f"(SELECT count(*) FROM decrees WHERE id IN ({in_index})), "
        f"(SELECT max(id) FROM decrees WHERE id IN ({in_index})), "
        "(SELECT count(*) FROM decrees WHERE status = 'published'), "
        f"(SELECT count(*) FROM zones WHERE decree_id IN ({in_index})), "
        f"(SELECT max(id) FROM zones WHERE decree_id IN ({in_index})), "
        "(SELECT count(*) FROM zone_communes WHERE zone_id IN "
        f"(SELECT id FROM zones WHERE decree_id IN ({in_index}))), "
        "(SELECT count(*) FROM zone_categories) "
        "FROM index_version v WHERE v.id = 1",
    )


def commune_state(conn: sa.Connection) -> str:
    """What the commune layer of an index is built from: the last reference load (every
    ``cesp geo load`` that changes something records one) and the commune units' count
    and largest id. A decree publication leaves it as it was, so an index built after a
    publication reuses the commune layer kept on disk."""
    return _state(
        conn,
        "SELECT (SELECT max(id) FROM reference_loads), (SELECT count(*) FROM commune_units), "
        "(SELECT max(id) FROM commune_units)",
    )


def _state(conn: sa.Connection, sql: str) -> str:
    """The values of a one-row query joined, and on PostgreSQL the database's own id (a
    database dropped and created again under the same name gets a new one)."""
    # Raw SQL: the values are hashed as the database gives them, one string per backend.
    parts = [str(value) for value in conn.execute(sa.text(sql)).one()]
    if conn.dialect.name == "postgresql":
        oid = "SELECT oid FROM pg_database WHERE datname = current_database()"
        parts.append(str(conn.execute(sa.text(oid)).scalar_one()))
    return "|".join(parts)
