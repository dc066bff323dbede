from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.zones.helpers import build_template, fill_scratch


@pytest.fixture(scope="session")
def petite_couronne_template(
    database_url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path | None:
    return build_template(database_url, data_dir, tmp_path_factory)


@pytest.fixture
def idf_engine(
    scratch_engine: sa.Engine,
    scratch_url: str,
    data_dir: Path,
    petite_couronne_template: Path | None,
) -> Iterator[sa.Engine]:
    """The scratch database with 75, 92 and 93 loaded and no decree."""
    yield fill_scratch(scratch_engine, scratch_url, data_dir, petite_couronne_template)
