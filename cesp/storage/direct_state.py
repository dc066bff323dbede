"""The index state of a database read with the bare DB-API driver, without SQLAlchemy.

A bulk job whose zoning index is already on disk needs one thing from the database: the
state string that names the stored file (``cesp.storage.versioning.index_state``).
Through SQLAlchemy that costs its import, an engine, the schema check and, on
SQLite, loading SpatiaLite: 0.16-0.22 s and 29 MB here (7-11 ms and 2 MB this way),
a sixth of a 100,000-row job. Here the same query (``cesp.storage.state_queries``) goes through the
driver SQLAlchemy itself would use (``sqlean`` for SQLite, ``psycopg`` for PostgreSQL),
so the values, and the string, are the same.

Anything unusual (a URL form this module does not parse, a missing file, no schema, a
server that refuses) gives None: the caller then takes the full path, which opens the
engine and reports any problem in the usual words. A wrong answer here can only make
the stored index look absent, never make another state's index look current: the
string is compared with the one stored inside the file.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from cesp.storage.state_queries import DATABASE_OID_SQL, INDEX_STATE_SQL, state_string

log = logging.getLogger(__name__)
TIMEOUT_S = 30  # as the engine's (``cesp.storage.engine``)


def sqlite_path(url: str) -> str | None:
    """The file of a plain ``sqlite:///path`` URL (relative to the working directory, as
    for SQLAlchemy), or None for any other form (memory, options, escapes).

    Examples
    --------
    >>> sqlite_path("sqlite:///var/cesp.sqlite"), sqlite_path("sqlite:////srv/cesp.sqlite")
    ('var/cesp.sqlite', '/srv/cesp.sqlite')
    >>> sqlite_path("sqlite://"), sqlite_path("sqlite:///:memory:"), sqlite_path("sqlite:///a?x=1")
    (None, None, None)
    """
    scheme, _, rest = url.partition("://")
    if scheme not in ("sqlite", "sqlite+pysqlite") or not rest.startswith("/"):
        return None
    path = rest[1:]
    if not path or path == ":memory:" or any(c in path for c in "?%#"):
        return None
    return path


def postgresql_conninfo(url: str) -> str | None:
    """The libpq URI of a ``postgresql+psycopg://`` URL, or None for another backend."""
    for prefix in ("postgresql+psycopg://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return None


def read_index_state(url: str) -> str | None:
    """``index_state`` of the database at ``url``, or None when it cannot be read this way."""
    try:
        path = sqlite_path(url)
        if path is not None:
            return _sqlite_state(path)
        conninfo = postgresql_conninfo(url)
        if conninfo is not None:
            return _postgresql_state(conninfo)
    except Exception:  # any driver error: the full path will say what is wrong
        log.debug("index state not read directly from the database", exc_info=True)
    return None


def _sqlite_state(path: str) -> str:
    import sqlean

    # ``mode=rw``: an absent file is an error here, not a new empty database.
    connection = sqlean.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=TIMEOUT_S)
    try:
        values = connection.execute(INDEX_STATE_SQL).fetchone()
    finally:
        connection.close()
    if values is None:
        raise LookupError("no index version row")
    return state_string(values)


def _postgresql_state(conninfo: str) -> str:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=TIMEOUT_S) as connection:
        values = connection.execute(INDEX_STATE_SQL).fetchone()
        oid = connection.execute(DATABASE_OID_SQL).fetchone()
    if values is None or oid is None:
        raise LookupError("no index version row")
    return state_string(values, oid[0])
