"""The queries that tell what a zoning index is built from, as one string per state.

Kept apart from ``cesp.storage.versioning`` (SQLAlchemy) so that the same SQL and the
same joining of its values serve a process that reads them with the bare DB-API driver
(``cesp.storage.direct_state``: a bulk job whose index is already on disk never imports
SQLAlchemy). One query, one string: both paths must name the same state.
"""

from __future__ import annotations

from collections.abc import Sequence

_IN_INDEX = "SELECT id FROM decrees WHERE status IN ('published', 'superseded')"
# Only rows the index reads count: a draft decree imported for review leaves the
# state, and the stored index, as they were.
INDEX_STATE_SQL = (
    "SELECT v.version, v.updated_at, "
    "(SELECT count(*) FROM commune_units), (SELECT max(id) FROM commune_units), "
    f"(SELECT count(*) FROM decrees WHERE id IN ({_IN_INDEX})), "
    f"(SELECT max(id) FROM decrees WHERE id IN ({_IN_INDEX})), "
    "(SELECT count(*) FROM decrees WHERE status = 'published'), "
    f"(SELECT count(*) FROM zones WHERE decree_id IN ({_IN_INDEX})), "
    f"(SELECT max(id) FROM zones WHERE decree_id IN ({_IN_INDEX})), "
    "(SELECT count(*) FROM zone_communes WHERE zone_id IN "
    f"(SELECT id FROM zones WHERE decree_id IN ({_IN_INDEX}))), "
    "(SELECT count(*) FROM zone_categories) "
    "FROM index_version v WHERE v.id = 1"
)
COMMUNE_STATE_SQL = (
    "SELECT (SELECT max(id) FROM reference_loads), (SELECT count(*) FROM commune_units), "
    "(SELECT max(id) FROM commune_units)"
)
# On PostgreSQL: a database dropped and created again under the same name gets a new id.
DATABASE_OID_SQL = "SELECT oid FROM pg_database WHERE datname = current_database()"


def state_string(values: Sequence[object], database_oid: object | None = None) -> str:
    """The values of a state query's one row as the database driver gives them, joined,
    with the PostgreSQL database's id after them when there is one.

    Examples
    --------
    >>> state_string((3, "2026-12-04 10:00:00", 41000), database_oid=16384)
    '3|2026-12-04 10:00:00|41000|16384'
    """
    parts = [str(value) for value in values]
    if database_oid is not None:
        parts.append(str(database_oid))
    return "|".join(parts)
