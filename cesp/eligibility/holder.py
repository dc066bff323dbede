"""The current zoning index of a process, rebuilt when the database says it changed.

Each API worker holds one. A background thread polls the index version (bumped in the
same transaction that publishes a decree or loads reference data) and, when it moved,
builds a whole new index and swaps it in with one assignment: requests always see a
complete index, the old one or the new one, never a half-built one. With a cache
directory, "builds" means "loads what another worker or command already built for this
database state, or builds and stores it" (``cesp.eligibility.index_cache``).

With a ``ServedVersion`` shared by the workers of one server, a publication is seen in
order (issue 20): the holder announces a version there before it swaps it in, and
``current()`` (what requests ask) catches up with the announced version before it
answers, so no worker answers from the old zoning once any worker answered from the new
one. The publishing request calls ``refresh()`` before it returns: the new index is
built and stored by then, and the other workers only load it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa

from cesp.eligibility.index_cache import load_index
from cesp.eligibility.served_version import ServedVersion
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.storage.versioning import read_index_version

log = logging.getLogger(__name__)


class IndexHolder:
    """Holds the current ``ZoningIndex`` and keeps it fresh."""

    def __init__(
        self,
        engine: sa.Engine,
        borderline_m: float = 50.0,
        poll_seconds: float = 2.0,
        on_swap: Callable[[ZoningIndex], None] | None = None,
        cache_dir: str | None = None,
        served: ServedVersion | None = None,
    ):
        """``on_swap`` is called with each index swapped in (the API records metrics);
        ``cache_dir`` keeps built indexes on disk (None or empty: build every time);
        ``served`` is the version shared by the workers of one server (None: this
        process alone)."""
        self.engine = engine
        self.served = served
        self.cache_dir = cache_dir
        self.on_swap = on_swap
        self.borderline_m = borderline_m
        self.poll_seconds = poll_seconds
        self._index: ZoningIndex | None = None
        self._build_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def index(self) -> ZoningIndex:
        """The current index (built on first use)."""
        current = self._index
        if current is None:
            with self._build_lock:
                current = self._index
                if current is None:
                    current = load_index(self.engine, self.borderline_m, self.cache_dir)
                    self._swap(current)
        return current

    @property
    def built(self) -> ZoningIndex | None:
        """The current index if one was built (never builds)."""
        return self._index

    def is_current(self, index: ZoningIndex) -> bool:
        """Whether ``index`` is at least the version announced by any worker (about a
        microsecond: one ``fstat``, no database round trip)."""
        return self.served is None or index.version >= self.served.read()

    def current(self) -> ZoningIndex:
        """The index to answer with: the current one, after catching up with the version
        another worker announced if this one is behind (blocks while it loads)."""
        index = self.index
        if self.is_current(index):
            return index
        with self._build_lock:
            index = self.index
            if self.is_current(index):
                return index
            fresh = load_index(self.engine, self.borderline_m, self.cache_dir)
            self._swap(fresh)
        self._log_swap(fresh)
        return fresh

    def refresh(self) -> bool:
        """Rebuild if the database version moved; True when a new index was swapped in."""
        with self.engine.connect() as conn:
            version = read_index_version(conn)
        current = self._index
        if current is not None and current.version == version:
            return False
        with self._build_lock:
            if self._index is not None and self._index.version == version:
                return False
            fresh = load_index(self.engine, self.borderline_m, self.cache_dir)
            self._swap(fresh)
        self._log_swap(fresh)
        return True

    def _log_swap(self, fresh: ZoningIndex) -> None:
        log.info(
            "zoning index version %s %s in %.2fs (%d decrees)",
            fresh.version,
            fresh.origin,
            fresh.build_seconds,
            len(fresh.decrees),
        )

    def _swap(self, fresh: ZoningIndex) -> None:
        """Announce, then serve ``fresh``: the order matters (see the module docstring)."""
        if self.served is not None:
            self._announce(self.served, fresh.version)
        self._index = fresh
        if self.on_swap is not None:
            try:
                self.on_swap(fresh)
            except Exception:  # a failing observer must not stop serving the new index
                log.exception("zoning index observer failed")

    def _announce(self, served: ServedVersion, version: int) -> None:
        """Raise the shared version to ``version``. A higher one already there is a
        worker that loaded a later state meanwhile (requests will catch up with it),
        unless the database is now behind it: re-created under the same URL, which the
        shared version then follows down."""
        served.raise_to(version)
        announced = served.read()
        if version >= announced:
            return
        with self.engine.connect() as conn:
            in_database = read_index_version(conn)
        if in_database < announced:
            log.warning(
                "database index version %s is behind the announced %s: the database was "
                "re-created; following it",
                in_database,
                announced,
            )
            served.lower_to(in_database)

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.refresh()
            except Exception:  # keep serving the last good index
                log.exception("zoning index refresh failed")

    def start(self) -> None:
        """Start polling in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._poll, name="index-poll", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
