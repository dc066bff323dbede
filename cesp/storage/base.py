"""Declarative base shared by the domain packages' models.

Each domain package owns its models; this module owns none. Alembic owns the schema:
``Base.metadata.create_all`` is never called, because GeoAlchemy2's SpatiaLite DDL hooks
alter the shared metadata (a later PostGIS ``create_all`` in the same process would lose
its GIST indexes).
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING)
