"""The metadata shared by the domain packages' tables.

Each domain package owns its tables (SQLAlchemy Core ``Table`` objects in its
``tables`` module, on this metadata); this module owns none. ``cesp.storage.tables``
imports them all, so that Alembic compares the migrations with the whole set.

Alembic owns the schema: ``metadata.create_all`` is never called, because GeoAlchemy2's
SpatiaLite DDL hooks alter the shared metadata (a later PostGIS ``create_all`` in the
same process would lose its GIST indexes).
"""

from __future__ import annotations

from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)
