"""Shared fixtures: a real database per backend, never a mock.

``CESP_TEST_DATABASE_URL`` selects the backend (``.ci/run`` runs the suite once with a
SpatiaLite file and once with PostGIS). The ``reference_engine`` fixture loads all of
France once per session; tests that change the reference data use ``scratch_engine``,
a second, emptied database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cesp.geo.loader import load_reference
from cesp.storage import schema
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings
from tests.zones.helpers import PETITE_COURONNE, cached_template, fill_scratch


def _reset(engine: sa.Engine) -> None:
    """Empty a database by migrating it down to nothing, then back up."""
    schema.downgrade(engine, "base")
    schema.upgrade(engine)


@pytest.fixture(scope="session", autouse=True)
def scratch_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every temporary file of the tests and of the processes they start (server logs,
    browser profiles, uploads spooled by servers) goes under pytest's own temporary
    folder, which pytest prunes, not loose in the system's /tmp."""
    import tempfile

    path = tmp_path_factory.mktemp("tmp")
    before_env, before_dir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(path)
    tempfile.tempdir = str(path)
    yield path
    tempfile.tempdir = before_dir
    if before_env is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before_env


@pytest.fixture(scope="session", autouse=True)
def index_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Zoning indexes built by the tests (servers, commands) go to a temporary directory,
    not to the developer's ``var/cache/index``; a test may still point elsewhere."""
    path = tmp_path_factory.mktemp("index-cache")
    before = os.environ.get("CESP_INDEX_CACHE_DIR")
    os.environ["CESP_INDEX_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("CESP_INDEX_CACHE_DIR", None)
    else:
        os.environ["CESP_INDEX_CACHE_DIR"] = before


@pytest.fixture(scope="session", autouse=True)
def map_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Map shapes simplified by the tests (servers, commands) go to a temporary
    directory, not to the developer's ``cache/maps``."""
    path = tmp_path_factory.mktemp("map-cache")
    before = os.environ.get("CESP_MAP_CACHE_DIR")
    os.environ["CESP_MAP_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("CESP_MAP_CACHE_DIR", None)
    else:
        os.environ["CESP_MAP_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = Settings().data_dir
    assert (path / "cog" / "communes.csv").is_file(), (
        f"reference data not found in {path}: set CESP_DATA_DIR"
    )
    return path


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CESP_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'reference.sqlite'}"


@pytest.fixture(scope="session")
def backend(database_url: str) -> str:
    return "spatialite" if database_url.startswith("sqlite") else "postgis"


@pytest.fixture(scope="session")
def reference_engine(database_url: str, data_dir: Path) -> Iterator[sa.Engine]:
    """A database holding all of France, loaded once per session."""
    engine = create_engine(database_url)
    _reset(engine)
    load_reference(engine, data_dir)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(reference_engine: sa.Engine) -> Iterator[sa.Connection]:
    with reference_engine.connect() as connection:
        yield connection


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> str:
    """URL of an empty database distinct from the reference one."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'scratch.sqlite'}"
    url = make_url(database_url)
    return url.set(database=f"{url.database}_2").render_as_string(hide_password=False)


@pytest.fixture
def scratch_engine(scratch_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(scratch_url)
    _reset(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=data_dir, index_warmup=False)


@pytest.fixture(scope="session")
def petite_couronne_template(
    database_url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path | None:
    return cached_template(database_url, data_dir, tmp_path_factory, PETITE_COURONNE)


@pytest.fixture
def idf_engine(
    scratch_engine: sa.Engine,
    scratch_url: str,
    data_dir: Path,
    petite_couronne_template: Path | None,
) -> Iterator[sa.Engine]:
    """The scratch database with 75, 92 and 93 loaded and no decree."""
    yield fill_scratch(scratch_engine, scratch_url, data_dir, petite_couronne_template)
