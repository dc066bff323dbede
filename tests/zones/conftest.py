from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.zones.decrees import Decree
from tests.zones.helpers import (
    cached_template,
    fill_from,
    publish_codes,
    publish_drawn_2018,
)

TWO_REGIONS = "69,75,92,93"


@pytest.fixture
def two_regions_engine(
    scratch_engine: sa.Engine,
    scratch_url: str,
    database_url: str,
    data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[sa.Engine]:
    """The scratch database with 75, 92, 93 (Île-de-France, 11) and 69 (Rhône, region 84)."""
    template = cached_template(database_url, data_dir, tmp_path_factory, TWO_REGIONS)
    yield fill_from(scratch_engine, scratch_url, data_dir, template, TWO_REGIONS)


@pytest.fixture
def decree_2012(idf_engine: sa.Engine, tmp_path: Path) -> Decree:
    """Decree 12-209 (2012-05-24) of the codes of ``DECREE_2012``, published."""
    decree: Decree = publish_codes(idf_engine, tmp_path / "12-209.csv")
    return decree


@pytest.fixture
def decree_2018(idf_engine: sa.Engine, decree_2012: Decree, tmp_path: Path) -> Decree:
    """Drawn decree 17-1000 in force from 2018-01-01, superseding 12-209."""
    decree: Decree = publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    return decree
