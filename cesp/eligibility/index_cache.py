"""The built zoning index kept on disk, so that a process loads it instead of building it.

Building the national index takes seconds (42,000 commune polygons of all dates read
and projected, their grid, the outline segments of the zones); mapping it back takes
tens of milliseconds (``cesp.eligibility.cache_files``: named arrays, no pickle).
``cesp check``, every API worker and any job that must build go through
``IndexCache.load_or_build``; ``cesp check-bulk`` first looks for the stored index of
the database's state read with the bare driver (``IndexCache.load_stored``), without
importing SQLAlchemy.

Never stale: a file is named after the database (its URL, password left out) and after
everything the index depends on: the state of the database (``index_state``: the index
version, bumped with its time by every publication and reference load, and the row
counts of the tables read), the borderline band, the engine's source
(``cesp.eligibility.engine_source``: the engine package and every module it imports,
found by following imports) and the versions of the libraries whose objects it
holds. The file repeats that key inside and is used only when both agree; a new
decree changes the state, so the next load misses and builds.

Beside each index, its commune layer (``communes-…`` files, keyed by the reference
geography only): a build after a decree publication loads it instead of projecting and
gridding 42,000 polygons again, which halves the time a new decree takes to be served.

Safe with several processes: one process builds while the others wait on a lock file
(``flock``) and then load what it wrote; files are written under a temporary name and
renamed into place, so a reader sees a whole file or none (``cesp.eligibility.cache_files``).
A file that cannot be read back whole (truncated, damaged: checked with CRC-32s of the
manifest and the payload) is ignored, logged and rebuilt. Files hold arrays and JSON
only: reading one never runs code from it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np

from cesp.eligibility.cache_files import read_file, write_file
from cesp.eligibility.engine_source import source_digest
from cesp.eligibility.index_files import (
    index_from_arrays,
    index_to_arrays,
    layer_from_arrays,
    layer_to_arrays,
)
from cesp.eligibility.zoning_index import CommuneLayer, CommuneLayers, ZoningIndex
from cesp.storage.direct_state import read_index_state

if TYPE_CHECKING:  # SQLAlchemy is imported only by the paths that open an engine
    import sqlalchemy as sa

log = logging.getLogger(__name__)

KEPT_FILES = 8
T = TypeVar("T")
LIBRARIES = ("numpy", "shapely", "scipy", "pyproj")


@cache
def code_version() -> str:
    """A digest of the engine's source and of the library versions (once per process:
    the code a process runs does not change under it)."""
    digest = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:  # imported by the engine already; metadata look-ups cost more
        digest.update(f"{name}={import_module(name).__version__}".encode())
    digest.update(source_digest().encode())
    return digest.hexdigest()


def fresh_index(
    engine: sa.Engine, borderline_m: float = 50.0, layers: CommuneLayers | None = None
) -> ZoningIndex:
    """An index built from the database (``cesp.eligibility.index.build_index``).

    The builder is imported here, when an index is built: a process that maps a stored
    index (every bulk job and worker after the first) never imports it, nor through it
    the decree queries and the database tables (a fifth of a second of start-up)."""
    from cesp.eligibility.index import build_index

    return build_index(engine, borderline_m, layers)


def database_identity(url: str) -> str:
    """A short digest of a database URL, password left out, escapes undone (the URL as
    typed in the settings and as SQLAlchemy renders it name the same database). No
    SQLAlchemy here: a job that finds its index stored never imports it
    (``index_for_job``).

    Examples
    --------
    >>> database_identity("postgresql+psycopg://cesp:secret@db/cesp") == database_identity(
    ...     "postgresql+psycopg://cesp:other@db/cesp"
    ... )
    True
    """
    parts = urlsplit(url)
    credentials, at, host = parts.netloc.rpartition("@")
    user = unquote(credentials.partition(":")[0]) if at else ""
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    shown = f"{parts.scheme}://{user}@{host}{unquote(parts.path)}?{query}"
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def engine_url(engine: sa.Engine) -> str:
    """The URL an engine was made from, as its settings give it."""
    return engine.url.render_as_string(hide_password=False)


class IndexCache:
    """A directory of built indexes, one file per database state.

    Parameters
    ----------
    directory
        Where the files go (created when missing).
    build
        The builder, ``fresh_index`` by default (tests count its calls).
    """

    def __init__(
        self,
        directory: Path,
        build: Callable[[sa.Engine, float, IndexCache], ZoningIndex] = fresh_index,
    ):
        self.directory = Path(directory)
        self.build = build
        self._code = code_version()
        self._writer: threading.Thread | None = None

    def key(self, url: str, state: str, borderline_m: float) -> str:
        """The full key of an index: database, state, band and code."""
        return f"{database_identity(url)}|{state}|{borderline_m!r}|{self._code}"

    def path(self, key: str, kind: str = "index") -> Path:
        """The file holding the index (or the commune layer) of ``key``."""
        database = key.split("|", 1)[0]
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        return self.directory / f"{kind}-{database}-{digest}.bin"

    def layer_key(self, engine: sa.Engine, state: str) -> str:
        """The key of a commune layer: database, reference geography state and code."""
        return f"{database_identity(engine_url(engine))}|{state}|{self._code}"

    def load_layer(self, engine: sa.Engine, state: str) -> CommuneLayer | None:
        """The commune layer of the reference geography ``state``, if kept."""
        key = self.layer_key(engine, state)
        return self._read(self.path(key, "communes"), key, layer_from_arrays)

    def load_or_build(
        self, engine: sa.Engine, borderline_m: float = 50.0, store_later: bool = False
    ) -> ZoningIndex:
        """The index of the database's current state: from disk if there, else built
        (by one process at a time) and stored.

        With ``store_later`` a built index is written by a thread while the caller goes
        on using it (writing a national index takes a second or two); ``wait`` joins it,
        and other processes keep waiting on the lock until the file is in place.
        """
        from cesp.storage.versioning import index_state

        url = engine_url(engine)
        with engine.connect() as conn:
            key = self.key(url, index_state(conn), borderline_m)
        found = self.load(key)
        if found is not None:
            return found
        with contextlib.ExitStack() as stack:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                stack.enter_context(self._lock(database_identity(url)))
            except OSError:  # a cache that cannot be written must not stop the service
                log.warning("zoning index cache %s unusable", self.directory, exc_info=True)
                return self.build(engine, borderline_m, self)
            found = self.load(key)  # another process may have built it meanwhile
            if found is not None:
                return found
            index = self.build(engine, borderline_m, self)
            key = self.key(url, index.state, borderline_m)
            if store_later:
                lock = stack.pop_all()  # released by the writer once the file is in place
                self._writer = threading.Thread(
                    target=self._store_then_release,
                    args=(key, index, engine, lock),
                    name="index-store",
                )
                self._writer.start()
            else:
                self._store_quietly(key, index, engine)
            return index

    def load_stored(self, url: str, borderline_m: float = 50.0) -> ZoningIndex | None:
        """The stored index of the database's current state, its state read with the bare
        driver (``cesp.storage.direct_state``); None when there is none, or when the state
        cannot be read that way (``load_or_build`` then decides)."""
        state = read_index_state(url)
        return None if state is None else self.load(self.key(url, state, borderline_m))

    def wait(self) -> None:
        """Return once a store begun by ``load_or_build(store_later=True)`` is done."""
        if self._writer is not None:
            self._writer.join()
            self._writer = None

    def _store_quietly(self, key: str, index: ZoningIndex, engine: sa.Engine) -> None:
        try:
            self.store(key, index, engine)
        except OSError:
            log.warning("zoning index cache %s not written", self.directory, exc_info=True)

    def _store_then_release(
        self, key: str, index: ZoningIndex, engine: sa.Engine, lock: contextlib.ExitStack
    ) -> None:
        with lock:
            self._store_quietly(key, index, engine)

    def load(self, key: str) -> ZoningIndex | None:
        """The index stored under ``key``, or None (missing, other key, or damaged)."""
        path = self.path(key)
        started = time.perf_counter()
        index = self._read(path, key, index_from_arrays)
        if index is None:
            return None
        index.build_seconds = time.perf_counter() - started
        index.origin = "loaded"
        log.debug("zoning index version %s loaded from %s", index.version, path)
        return index

    def _read(
        self,
        path: Path,
        key: str,
        make: Callable[[dict[str, Any], dict[str, np.ndarray]], T],
    ) -> T | None:
        try:
            found = read_file(path, key)
        except FileNotFoundError:
            return None
        except Exception:  # damaged in any way: never trust it, build again
            log.warning("zoning index cache %s damaged, rebuilding", path, exc_info=True)
            return None
        if found is None:
            return None
        try:
            value = make(*found)
        except Exception:  # checksums right but contents not an index: build again
            log.warning("zoning index cache %s damaged, rebuilding", path, exc_info=True)
            return None
        if value is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # most recently used files are the ones kept
        return value

    def store(self, key: str, index: ZoningIndex, engine: sa.Engine | None = None) -> Path:
        """Write ``index`` under ``key`` (atomically), then drop older files. With the
        ``engine`` it was built from, also keep its commune layer when it is new."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path(key)
        write_file(target, key, *index_to_arrays(index))
        self._prune(target)
        if engine is not None and index.commune_state:
            layer_key = self.layer_key(engine, index.commune_state)
            layer = self.path(layer_key, "communes")
            if not layer.exists():
                kept = CommuneLayer(index.commune_state, index.communes)
                write_file(layer, layer_key, *layer_to_arrays(kept))
                self._prune(layer)
        return target

    def _prune(self, kept: Path) -> None:
        """Drop the other files of the same kind and database (older states) and, beyond
        ``KEPT_FILES``, the least recently used files of that kind of other databases."""
        database = kept.name.rsplit("-", 1)[0]
        kind = database.split("-", 1)[0]
        others = [p for p in self.directory.glob(f"{kind}-*.bin") if p != kept]
        stale = [p for p in others if p.name.rsplit("-", 1)[0] == database]
        rest = sorted(
            (p for p in others if p not in stale),
            key=lambda p: p.stat().st_mtime if p.exists() else 0.0,
            reverse=True,
        )
        for path in stale + rest[KEPT_FILES - 1 :]:
            with contextlib.suppress(OSError):
                path.unlink()

    @contextlib.contextmanager
    def _lock(self, database: str) -> Iterator[None]:
        """One builder per database at a time, across threads and processes."""
        with open(self.directory / f"index-{database}.lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def load_index(engine: sa.Engine, borderline_m: float, cache_dir: str | Path | None) -> ZoningIndex:
    """The zoning index through the cache in ``cache_dir``, or built when it is empty."""
    if not cache_dir:
        return fresh_index(engine, borderline_m)
    return IndexCache(Path(cache_dir)).load_or_build(engine, borderline_m)


@contextlib.contextmanager
def index_for_job(
    database_url: str, borderline_m: float, cache_dir: str | Path | None, echo: bool = False
) -> Iterator[ZoningIndex]:
    """The zoning index for one long job (``cesp check-bulk``).

    First the stored index of the database's current state, found without SQLAlchemy
    (``IndexCache.load_stored``): the usual case, once any command or worker has run
    since the last publication. Otherwise through an engine (schema checked, errors in
    the usual words): built, written to the cache while the job runs, and the job ends
    once it is written."""
    cache = IndexCache(Path(cache_dir)) if cache_dir else None
    stored = cache.load_stored(database_url, borderline_m) if cache else None
    if stored is not None:
        yield stored
        return
    from cesp.storage.engine import create_engine
    from cesp.storage.schema import require_schema

    # No GIS file is read or written by a bulk job: no GDAL (``cesp.storage.engine``).
    require_schema(database_url, gdal=False).dispose()
    engine = create_engine(database_url, echo=echo, gdal=False)
    try:
        if cache is None:
            yield fresh_index(engine, borderline_m)
            return
        try:
            yield cache.load_or_build(engine, borderline_m, store_later=True)
        finally:
            cache.wait()
    finally:
        engine.dispose()
