from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings
from cesp.zones.decrees import Decree
from tests.api.live_server import LiveServer
from tests.api.ogc_database import zoned_database
from tests.zones.helpers import build_template, fill_scratch


@pytest.fixture
def client(reference_engine: sa.Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def template(database_url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Paris and the petite couronne, loaded once per module (a file to copy on SpatiaLite)."""
    return build_template(database_url, data_dir, tmp_path_factory)


@pytest.fixture
def engine(scratch_engine: sa.Engine, scratch_url: str, data_dir: Path, template) -> sa.Engine:
    """The scratch database holding 75, 92 and 93, no decree."""
    return fill_scratch(scratch_engine, scratch_url, data_dir, template)


@pytest.fixture(scope="module")
def zoned(
    database_url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Decree, Decree]:
    """The OGC tests' database (``tests.api.ogc_database``), once per module."""
    return zoned_database(database_url, data_dir, tmp_path_factory)


@pytest.fixture(scope="module")
def db(zoned: tuple[str, Decree, Decree]) -> Iterator[sa.Engine]:
    """An engine on the OGC tests' database."""
    engine = create_engine(zoned[0])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def ogc_server(zoned: tuple[str, Decree, Decree], data_dir: Path) -> Iterator[LiveServer]:
    """``cesp serve`` on the OGC tests' database, for real clients (GDAL, QGIS, OWSLib)."""
    live = LiveServer(zoned[0], data_dir, CESP_LOG_LEVEL="WARNING").start()
    yield live
    live.stop()
