"""The index state read with the bare driver: the same string as through SQLAlchemy, and
None (the full path then speaks) for anything it cannot read."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cesp.storage.direct_state import read_index_state
from cesp.storage.versioning import bump_index_version, index_state


def test_the_state_read_directly_is_the_one_read_through_the_engine(
    idf_engine: sa.Engine, scratch_url: str
):
    with idf_engine.connect() as conn:
        through_engine = index_state(conn)
    assert read_index_state(scratch_url) == through_engine

    with idf_engine.begin() as conn:
        bump_index_version(conn)
    changed = read_index_state(scratch_url)
    assert changed is not None and changed != through_engine
    with idf_engine.connect() as conn:
        assert changed == index_state(conn)


def test_what_cannot_be_read_directly_gives_none_and_creates_nothing(tmp_path: Path):
    missing = tmp_path / "absent.sqlite"
    assert read_index_state(f"sqlite:///{missing}") is None
    assert not missing.exists(), "no empty database left behind"

    empty = tmp_path / "empty.sqlite"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    assert read_index_state(f"sqlite:///{empty}") is None, "no schema"

    for url in (
        "sqlite://",
        "sqlite:///:memory:",
        f"sqlite:///{empty}?mode=ro",
        "mysql://cesp@localhost/cesp",
        "postgresql+psycopg://nobody:wrong@127.0.0.1:1/none",
    ):
        assert read_index_state(url) is None, url
