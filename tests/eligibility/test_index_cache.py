"""The zoning index kept on disk: reused, never stale, safe with several processes."""

from __future__ import annotations

import struct
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cesp.audit import Actor
from cesp.eligibility import index as index_module
from cesp.eligibility.cache_files import HEADER, MAGIC, read_file, write_file
from cesp.eligibility.check import check, evaluate_points
from cesp.eligibility.holder import IndexHolder
from cesp.eligibility.index import build_index
from cesp.eligibility.index_cache import IndexCache, database_identity, engine_url, index_for_job
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.eligibility.zoning_index import CommuneLayers, ZoningIndex
from cesp.storage.versioning import bump_index_version
from cesp.zones.publication import publish_decree
from tests.zones.helpers import REFERENCE_2018, import_codes, publish_drawn_2018

DRANCY_WEST = PointSite(2.425, 48.925)
BOBIGNY = PointSite(2.4397, 48.9086)


class CountingBuild:
    """The real ``build_index``, counting its calls (thread-safe)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(
        self, engine: sa.Engine, borderline_m: float, layers: CommuneLayers | None = None
    ) -> ZoningIndex:
        with self._lock:
            self.calls += 1
        return build_index(engine, borderline_m, layers)


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("index-*.bin"))


def _answers(index: ZoningIndex, n: int = 3_000) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(2.2, 2.6, n), rng.uniform(48.75, 49.0, n)
    on = np.where(np.arange(n) % 2 == 0, date(2013, 1, 1), date(2018, 6, 1))
    answers = evaluate_points(
        index, lon, lat, np.array([d.toordinal() for d in on]), np.full(n, "medecin", object)
    )
    return answers.status, answers.commune_row, answers.nearest_row, answers.distance_m


def test_a_second_process_loads_the_index_instead_of_building_it(
    idf_engine, decree_2012, decree_2018, tmp_path
):
    build = CountingBuild()
    first = IndexCache(tmp_path / "cache", build).load_or_build(idf_engine)
    assert build.calls == 1 and len(_files(tmp_path / "cache")) == 1

    again = IndexCache(tmp_path / "cache", build).load_or_build(idf_engine)
    assert build.calls == 1, "loaded from disk"
    assert (first.origin, again.origin) == ("built", "loaded")
    assert again is not first and again.version == first.version
    for ours, theirs in zip(_answers(again), _answers(first), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    built, loaded = (i.communes["EPSG:2154"].grid.polygons.all() for i in (first, again))
    assert shapely.equals_exact(built, loaded, tolerance=0).all(), "the same polygons back"
    with idf_engine.connect() as conn:  # the qualifying zones' tree is rebuilt on demand
        assert check(again, conn, CommuneSite("93008"), date(2013, 1, 1)).status == "eligible"
        assert check(again, conn, CommuneSite("75101"), date(2013, 1, 1)).nearest is not None


def test_a_job_uses_the_index_while_it_is_written_and_ends_once_it_is_on_disk(
    idf_engine, decree_2012, tmp_path
):
    build = CountingBuild()
    writing = IndexCache(tmp_path / "cache", build)
    index = writing.load_or_build(idf_engine, store_later=True)
    waiting = IndexCache(tmp_path / "cache", build)
    loaded: list[ZoningIndex] = []
    other = threading.Thread(target=lambda: loaded.append(waiting.load_or_build(idf_engine)))
    other.start()  # another job waits on the lock, then loads what was written
    assert check(index, None, BOBIGNY, date(2013, 1, 1)).status == "eligible"
    writing.wait()
    other.join()
    assert len(_files(tmp_path / "cache")) == 1 and build.calls == 1
    assert loaded[0].origin == "loaded"

    with index_for_job(engine_url(idf_engine), 50.0, tmp_path / "fresh") as job_index:
        assert job_index.origin == "built"
    assert len(_files(tmp_path / "fresh")) == 1, "written before the job ends"


def test_a_job_finds_the_stored_index_without_opening_an_engine(
    idf_engine, decree_2012, tmp_path, monkeypatch
):
    url = engine_url(idf_engine)
    with index_for_job(url, 50.0, tmp_path / "cache") as built:
        assert built.origin == "built"

    def no_engine(*args: object, **kwargs: object) -> None:
        raise AssertionError("an engine was opened for a stored index")

    with monkeypatch.context() as patched:
        patched.setattr("cesp.storage.engine.create_engine", no_engine)
        patched.setattr("cesp.storage.schema.require_schema", no_engine)
        with index_for_job(url, 50.0, tmp_path / "cache") as stored:
            assert stored.origin == "loaded" and stored.state == built.state
            assert check(stored, None, BOBIGNY, date(2013, 1, 1)).status == "eligible"

    # A publication changes the state read directly too: the next job builds again.
    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    with index_for_job(url, 50.0, tmp_path / "cache") as after:
        assert after.origin == "built" and after.state != built.state
        assert check(after, None, DRANCY_WEST, date(2018, 6, 1)).status == "eligible"


def test_the_database_identity_leaves_the_password_out_and_keeps_the_rest():
    base = "postgresql+psycopg://cesp:secret@db.example:5432/cesp"
    assert database_identity(base) == database_identity(base.replace("secret", "n%40w"))
    for other in (
        "postgresql+psycopg://other:secret@db.example:5432/cesp",
        "postgresql+psycopg://cesp:secret@db.example:5433/cesp",
        "postgresql+psycopg://cesp:secret@db.example:5432/cesp_2",
        "sqlite:///var/cesp.sqlite",
    ):
        assert database_identity(other) != database_identity(base), other
    # As typed in the settings and as the engine renders it: one database, one identity.
    for typed in (
        base,
        "sqlite:///var/cesp.sqlite",
        "sqlite:////srv/a b/cesp.sqlite",
        "postgresql+psycopg://cesp:p%40ss%2Fw@db:5432/cesp?sslmode=require",
        "postgresql+psycopg://cesp@/cesp?host=/var/run/postgresql",
    ):
        rendered = make_url(typed).render_as_string(hide_password=False)
        assert database_identity(rendered) == database_identity(typed), typed


def test_a_publication_makes_the_stored_index_stale(idf_engine, decree_2012, tmp_path):
    build = CountingBuild()
    cache = IndexCache(tmp_path / "cache", build)
    before = cache.load_or_build(idf_engine)
    assert check(before, None, DRANCY_WEST, date(2018, 6, 1)).status == "not_eligible"
    old_file = _files(tmp_path / "cache")

    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    after = cache.load_or_build(idf_engine)

    assert build.calls == 2, "the new state is not on disk: built"
    assert after.version > before.version
    assert REFERENCE_2018 in {d.reference for d in after.decrees.values()}
    assert check(after, None, DRANCY_WEST, date(2018, 6, 1)).status == "eligible"
    assert _files(tmp_path / "cache") != old_file, "the older state's file is dropped"
    assert len(_files(tmp_path / "cache")) == 1


def test_a_publication_rebuilds_the_zones_and_reuses_the_commune_layer(
    idf_engine, decree_2012, tmp_path, monkeypatch
):
    built: list[int] = []
    real = index_module._commune_tables
    monkeypatch.setattr(
        index_module, "_commune_tables", lambda rows: built.append(len(rows)) or real(rows)
    )
    cache = IndexCache(tmp_path / "cache")
    before = cache.load_or_build(idf_engine)
    assert len(built) == 1 and len(list((tmp_path / "cache").glob("communes-*.bin"))) == 1

    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    after = cache.load_or_build(idf_engine)
    assert len(built) == 1, "the commune layer came from disk"
    assert after.commune_state == before.commune_state and after.state != before.state
    assert check(after, None, DRANCY_WEST, date(2018, 6, 1)).status == "eligible"
    assert check(after, None, BOBIGNY, date(2013, 1, 1)).status == "eligible", "12-209 by code"
    for ours, theirs in zip(_answers(after), _answers(build_index(idf_engine)), strict=True):
        np.testing.assert_array_equal(ours, theirs)

    so_far = len(built)
    with idf_engine.begin() as conn:  # what every reference load records
        conn.execute(
            sa.text(
                "INSERT INTO reference_loads (loaded_at, data_dir, departements, fingerprint, "
                "communes, former_units, approximate_units, seconds) "
                "VALUES (:at, 'x', '75', 'f', 0, 0, 0, 0)"
            ),
            {"at": datetime.now(UTC)},
        )
        bump_index_version(conn)
    cache.load_or_build(idf_engine)
    assert len(built) == so_far + 1, "a new reference geography: its commune layer is built"
    assert len(list((tmp_path / "cache").glob("communes-*.bin"))) == 1, "the old one dropped"


def test_a_draft_decree_leaves_the_stored_index_in_use(idf_engine, decree_2012, tmp_path):
    build = CountingBuild()
    cache = IndexCache(tmp_path / "cache", build)
    cache.load_or_build(idf_engine)
    report = import_codes(
        idf_engine,
        tmp_path / "draft.csv",
        "code_insee;zone\n93027;Courneuve\n",
        reference="18-0042",
        signed=date(2018, 3, 1),
        effective_from=date(2018, 4, 1),
        category="ZIP",
    )
    assert report.status == "imported"  # a draft, for review

    assert cache.load_or_build(idf_engine).origin == "loaded" and build.calls == 1
    with idf_engine.begin() as conn:
        publish_decree(conn, report.decree.id, Actor("test", "admin"))
    assert cache.load_or_build(idf_engine).origin == "built" and build.calls == 2


def test_a_database_filled_by_hand_under_the_same_version_is_not_served_stale(
    idf_engine, decree_2012, tmp_path
):
    """Rows changed without a version bump (a restore, a hand edit) change the state."""
    build = CountingBuild()
    cache = IndexCache(tmp_path / "cache", build)
    cache.load_or_build(idf_engine)
    with idf_engine.begin() as conn:
        version = conn.execute(sa.text("SELECT version FROM index_version")).scalar_one()
        conn.execute(sa.text("DELETE FROM zone_communes WHERE commune_code = '93008'"))
        assert conn.execute(sa.text("SELECT version FROM index_version")).scalar_one() == version
    fresh = cache.load_or_build(idf_engine)
    assert build.calls == 2
    assert check(fresh, None, BOBIGNY, date(2013, 1, 1)).status == "not_eligible"


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :]


def _manifest_at(data: bytes) -> int:
    key_length = struct.unpack("<I", data[len(MAGIC) : len(MAGIC) + 4])[0]
    return len(MAGIC) + HEADER.size + key_length + 10


def _without_an_array(path: Path, key: str) -> None:
    """Checksums right, contents incomplete: a writer of another version, say."""
    meta, arrays = read_file(path, key)
    arrays = {name: array for name, array in arrays.items() if not name.endswith(".cells")}
    write_file(path, key, meta, arrays)


DAMAGES = {
    "truncated": lambda data: data[: len(data) // 2],
    "overwritten": lambda data: data[:-100] + bytes([0xA5]) * 100,
    "garbage": lambda data: b"not an index at all",
    "empty": lambda data: b"",
    "header only": lambda data: data[:20],
    "one byte flipped in the arrays": lambda data: _flip(data, len(data) * 2 // 3),
    "one byte flipped in the manifest": lambda data: _flip(data, _manifest_at(data)),
    "bytes appended": lambda data: data + b"\0" * 64,
    "first page zeroed": lambda data: bytes(4096) + data[4096:],
    "the former pickle format": lambda data: b"CESPIDX1" + data[8:],
}


@pytest.mark.parametrize("damage", [*DAMAGES, "an array missing"])
def test_a_damaged_file_is_ignored_and_rebuilt(idf_engine, decree_2012, tmp_path, caplog, damage):
    build = CountingBuild()
    cache = IndexCache(tmp_path / "cache", build)
    good = cache.load_or_build(idf_engine)
    [path] = _files(tmp_path / "cache")
    if damage == "an array missing":
        _without_an_array(path, cache.key(engine_url(idf_engine), good.state, good.borderline_m))
    else:
        path.write_bytes(DAMAGES[damage](path.read_bytes()))

    rebuilt = cache.load_or_build(idf_engine)
    assert build.calls == 2
    assert rebuilt.version == good.version
    assert check(rebuilt, None, BOBIGNY, date(2013, 1, 1)).status == "eligible"
    assert "damaged, rebuilding" in caplog.text
    assert cache.load_or_build(idf_engine) is not None and build.calls == 2, "rewritten whole"


def test_concurrent_processes_build_once_and_all_get_the_index(idf_engine, decree_2012, tmp_path):
    """Four workers starting together on an empty cache: one builds (the others wait on
    the lock file, then load what it wrote)."""
    build = CountingBuild()
    results: list[ZoningIndex] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        try:
            start.wait()
            results.append(IndexCache(tmp_path / "cache", build).load_or_build(idf_engine))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert build.calls == 1
    assert len({r.version for r in results}) == 1 and len(results) == 4
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.suffix == ".tmp"] == []


def test_readers_never_see_a_half_written_file(idf_engine, decree_2012, tmp_path):
    """Two writers store the same index over and over while a reader loads it: every
    load is whole (temporary file, then rename)."""
    cache = IndexCache(tmp_path / "cache")
    index = cache.load_or_build(idf_engine)
    key = cache.key(engine_url(idf_engine), index.state, index.borderline_m)
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            cache.store(key, index)

    writers = [threading.Thread(target=writer) for _ in range(2)]
    for thread in writers:
        thread.start()
    try:
        loads = [cache.load(key) for _ in range(20)]
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert all(loaded is not None and loaded.version == index.version for loaded in loads)


def test_holders_of_two_workers_share_one_build(idf_engine, decree_2012, tmp_path):
    directory = str(tmp_path / "cache")
    first = IndexHolder(idf_engine, cache_dir=directory)
    first_index = first.index
    second = IndexHolder(idf_engine, cache_dir=directory)
    assert second.index.version == first_index.version
    assert (first_index.origin, second.index.origin) == ("built", "loaded")
    assert len(_files(tmp_path / "cache")) == 1

    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    assert first.refresh() is True and second.refresh() is True
    assert first.index.version == second.index.version > first_index.version
    assert (first.index.origin, second.index.origin) == ("built", "loaded")
    assert check(second.index, None, DRANCY_WEST, date(2018, 6, 1)).status == "eligible"


def test_a_cache_directory_that_cannot_be_used_only_costs_a_build(
    idf_engine, decree_2012, tmp_path, caplog
):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be")
    build = CountingBuild()
    index = IndexCache(blocked / "cache", build).load_or_build(idf_engine)
    assert build.calls == 1
    assert check(index, None, BOBIGNY, date(2013, 1, 1)).status == "eligible"
    assert "unusable" in caplog.text


def test_a_loaded_index_decodes_only_the_polygons_a_point_lies_on(
    idf_engine, decree_2012, tmp_path
):
    cache = IndexCache(tmp_path / "cache")
    cache.load_or_build(idf_engine)
    loaded = cache.load_or_build(idf_engine)
    grid = loaded.communes["EPSG:2154"].grid
    polygons = grid.polygons
    assert loaded.origin == "loaded" and not polygons._decoded.any(), "opened, nothing decoded"
    assert check(loaded, None, BOBIGNY, date(2013, 1, 1)).status == "eligible"
    _answers(loaded, 200)
    assert not polygons._decoded.any(), "points in boundary cells: decided from the cells' edges"
    # A point on a commune's vertex is too close to call from the edges: GEOS decides,
    # decoding the communes whose boundary reaches that cell only.
    x, y = grid.vertices[:1, 0], grid.vertices[:1, 1]
    point, _ = grid.pairs(x, y)
    assert len(point) >= 1
    assert 0 < polygons._decoded.sum() < len(polygons)
