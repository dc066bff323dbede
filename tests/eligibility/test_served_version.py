"""The version shared by the workers of one server: a publication is seen in order.

Two holders on one database stand for two workers; the file is the one ``cesp serve``
would make. The live check with real workers is ``tests/api/test_workers.py``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from cesp.eligibility.check import check
from cesp.eligibility.holder import IndexHolder
from cesp.eligibility.served_version import ServedVersion
from cesp.eligibility.sites import PointSite
from cesp.storage.engine import write_transaction
from tests.zones.helpers import REFERENCE_2018, publish_drawn_2018

DRANCY_WEST = PointSite(2.425, 48.925)  # in the drawn 2018 zone only


def test_the_version_only_goes_up_and_is_shared_by_every_opener(tmp_path: Path) -> None:
    path = tmp_path / "run" / "served-version"
    first, second = ServedVersion(path), ServedVersion(path)
    assert first.read() == 0
    first.raise_to(7)
    assert second.read() == 7
    second.raise_to(3)
    assert first.read() == 7, "never lowered by an older version"
    second.lower_to(2)
    assert first.read() == 2, "lowered only on purpose (database re-created)"
    assert path.stat().st_blocks == 0, "sparse: the number costs no disk block"


def test_a_holder_behind_the_announced_version_catches_up_before_answering(
    idf_engine: sa.Engine, decree_2012: object, tmp_path: Path
) -> None:
    path = tmp_path / "served-version"
    publisher = IndexHolder(idf_engine, served=ServedVersion(path))
    other = IndexHolder(idf_engine, served=ServedVersion(path))
    old = other.index
    assert publisher.index.version == old.version

    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    assert other.current() is old, "nobody answered from the new zoning yet"
    assert publisher.refresh() is True
    assert ServedVersion(path).read() == publisher.index.version > old.version

    assert not other.is_current(old)
    fresh = other.current()
    assert fresh.version == publisher.index.version
    assert REFERENCE_2018 in {d.reference for d in fresh.decrees.values()}
    assert check(fresh, None, DRANCY_WEST, date(2018, 6, 1)).status == "eligible"
    assert other.current() is fresh, "caught up once"


def test_a_database_re_created_behind_the_announced_version_is_followed(
    idf_engine: sa.Engine, decree_2012: object, tmp_path: Path
) -> None:
    path = tmp_path / "served-version"
    ServedVersion(path).raise_to(10_000)  # from the database this URL named before
    holder = IndexHolder(idf_engine, served=ServedVersion(path))
    index = holder.current()
    with write_transaction(idf_engine) as conn:
        in_database = conn.execute(sa.text("SELECT version FROM index_version")).scalar_one()
    assert index.version == in_database < 10_000
    assert ServedVersion(path).read() == in_database
    assert holder.is_current(index), "no rebuild on every request"
