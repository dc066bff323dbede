"""One engine factory for both backends.

- ``sqlite:///...``: SpatiaLite. Python's bundled ``sqlite3`` here cannot load
  extensions, so the DB-API module is ``sqlean`` (sqlean.py), which can. Every new
  connection loads ``mod_spatialite``; a new file gets ``InitSpatialMetaData`` once.
  pysqlite's own transaction handling does not emit ``BEGIN`` before DDL and commits
  behind SQLAlchemy's back, so we take over: autocommit at the driver level and an
  explicit ``BEGIN`` on SQLAlchemy's ``begin`` event (the recipe from the SQLAlchemy
  docs). That makes imports genuinely all-or-nothing.
- ``postgresql+psycopg://...``: PostGIS, which must already be installed in the
  database (``CREATE EXTENSION postgis`` needs a superuser; ``.ci/run`` does it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from cesp.errors import StorageError

log = logging.getLogger(__name__)

SPATIALITE_MODULES = ("mod_spatialite", "mod_spatialite.so", "libspatialite")
WRITE_OPTION = "cesp_write"


def _load_spatialite(dbapi_connection: Any) -> None:
    dbapi_connection.enable_load_extension(True)
    errors = []
    try:
        for name in SPATIALITE_MODULES:
            try:
                dbapi_connection.load_extension(name)
                return
            except Exception as exc:  # the driver raises its own OperationalError
                errors.append(f"{name}: {exc}")
    finally:
        dbapi_connection.enable_load_extension(False)
    raise StorageError(
        "Cannot load the SpatiaLite extension (" + "; ".join(errors) + "). "
        "Install it with: apt-get install libsqlite3-mod-spatialite",
        message_fr="Extension SpatiaLite introuvable : installez libsqlite3-mod-spatialite.",
    )


def _bundled_libraries_first(gdal: bool) -> None:
    """Load the wheels' own GEOS, PROJ and GDAL (with its SQLite) before SpatiaLite.

    SQLite loads ``mod_spatialite`` with ``RTLD_GLOBAL``, which puts the system's
    libgeos, libproj and libsqlite3 in the process-wide symbol scope; a wheel library
    loaded after that can bind to those other versions (seen: GDAL crashing while
    writing a GeoPackage, GEOS rejecting its own WKB). Loaded first, each binds to its
    own copy. Most modules import shapely and pyproj anyway; GDAL (pyogrio) is
    otherwise imported only by the commands that read or write files; a process that
    never does (``gdal=False``) spares its import (half a second: pyogrio imports
    pandas and geopandas).
    """
    if gdal:
        import pyogrio  # noqa: F401
    import pyproj  # noqa: F401
    import shapely  # noqa: F401


def _sqlite_engine(url: str, echo: bool, gdal: bool) -> Engine:
    import sqlean

    _bundled_libraries_first(gdal)

    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        module=sqlean,
        echo=echo,
        connect_args={"timeout": 30, "check_same_thread": False},
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        _load_spatialite(dbapi_connection)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        has_meta = cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='spatial_ref_sys'"
        ).fetchone()
        if not has_meta:
            log.info("initialising SpatiaLite metadata in %s", parsed.database)
            cursor.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the write lock up front (no deadlock on lock upgrade in WAL mode);
        # readers take none, so they never block a writer.
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def create_engine(url: str, *, echo: bool = False, gdal: bool = True) -> Engine:
    """Return an engine for a SpatiaLite or PostGIS URL.

    Parameters
    ----------
    url
        ``sqlite:///var/cesp.sqlite`` or ``postgresql+psycopg://user:pw@host/db``.
    echo
        Log every SQL statement (debugging).
    gdal
        False in a process that never reads or writes GIS files (``cesp check-bulk``):
        SpatiaLite then loads without GDAL loaded first (see ``_bundled_libraries_first``).
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo, gdal)
    if url.startswith("postgresql"):
        return sa.create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)
    raise StorageError(
        f"Unsupported database URL {url!r}: use sqlite:/// or postgresql+psycopg://",
        message_fr="URL de base de données non prise en charge.",
        field="CESP_DATABASE_URL",
    )


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A transaction that will write: committed on success, rolled back on any error.

    On SpatiaLite it starts with ``BEGIN IMMEDIATE`` so that two writers queue on the
    busy timeout instead of failing when one upgrades its read lock.
    """
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            yield connection


def backend_name(engine: Engine | sa.Connection) -> str:
    """``spatialite`` or ``postgis``: the name used in logs, health and SQL choices."""
    return "spatialite" if engine.dialect.name == "sqlite" else "postgis"
