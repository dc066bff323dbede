"""Rate limits shared by every worker: GCRA buckets in one small SQLite file.

Why this shape (issue 19):

- **Shared by the workers.** ``cesp serve --workers N`` runs N processes; a bucket per
  process gave each client N times its budget and made the answer depend on which
  worker took the connection. The buckets live in one SQLite file (WAL, no fsync) that
  ``cesp serve`` creates empty in a private temporary directory before the workers
  start (``prepare_store``), like the metrics directory. The ``limits`` library was
  considered: its shared storages (Redis, Memcached, MongoDB, etcd) each need a server
  this service does not run, and its memory storage is per process. A whole check is
  one ``BEGIN IMMEDIATE`` transaction here, atomic across processes, about 30 µs.
- **Bounded and expiring.** GCRA (generic cell rate algorithm, the token bucket as one
  number per client: its "theoretical arrival time") keeps a row only while the client
  is within ``burst`` requests of its limit; a sweep every few seconds deletes the rows
  whose time has passed. Past ``max_keys`` live rows, a *new* client shares one overflow
  bucket with the other newcomers: rotating addresses cannot reset the limits of the
  clients already tracked (the old limiter emptied every bucket at 100,000 clients).
- **Grouped addresses.** An IPv6 client is its /64 (one household or one server gets a
  /64, and picking a new address inside it is free); an IPv4 client is its address.
- **Several budgets.** ``anonymous`` requests; ``pages`` for the continuation pages of
  OGC ``/items`` (GDAL pages by 10 by default: a copy of the collections is hundreds
  of requests, which counts as one download here, see ``cesp.api.auth``); ``failed-key``
  for wrong API keys, counted against the caller's address so that guessing keys or
  sending a bogus ``Authorization`` header costs more than it gains.
"""

from __future__ import annotations

import ipaddress
import math
import os
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

STORE_ENV = "CESP_RATE_LIMIT_STORE"
SWEEP_SECONDS = 5.0
DEFAULT_MAX_KEYS = 200_000


@dataclass(frozen=True)
class Budget:
    """``per_minute`` units per client, ``burst`` of them at once (0 per minute: off)."""

    name: str
    per_minute: float
    burst: int

    @property
    def interval(self) -> float:
        """Seconds one unit takes to come back."""
        return 60.0 / self.per_minute


def client_key(host: str | None) -> str:
    """The identity a client is limited as: its IPv4 address, or its IPv6 /64.

    An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) is its IPv4 address. A host that
    is not an address (``testclient``, a Unix socket) is kept as it is.
    """
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def prepare_store() -> Path | None:
    """Point ``CESP_RATE_LIMIT_STORE`` at a new empty file unless the operator set it.

    Returns the directory to remove at exit (ours), None if the path is the operator's.
    Called by ``cesp serve`` before the workers start, so that they all share it."""
    if os.environ.get(STORE_ENV):
        return None
    directory = Path(tempfile.mkdtemp(prefix="cesp-ratelimit-"))
    os.environ[STORE_ENV] = str(directory / "buckets.sqlite")
    return directory


class RateStore:
    """GCRA buckets in SQLite: a file shared by processes, or private memory (``None``).

    Parameters
    ----------
    path
        The SQLite file (created if missing); ``None`` or empty keeps the buckets in this
        process's memory (tests, a single process without ``cesp serve``).
    max_keys
        Live clients tracked one by one; newcomers beyond share an overflow bucket.
    """

    def __init__(self, path: str | Path | None, max_keys: int = DEFAULT_MAX_KEYS):
        self.max_keys = max_keys
        self._lock = threading.Lock()
        target = str(path) if path else ":memory:"
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            target, timeout=5.0, isolation_level=None, check_same_thread=False
        )
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, tat REAL NOT NULL)"
        )
        self._next_sweep = 0.0
        self._full = False

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def _sweep(self, now: float) -> None:
        self._db.execute("DELETE FROM buckets WHERE tat <= ?", (now,))
        live = self._db.execute("SELECT count(*) FROM buckets").fetchone()[0]
        self._full = live >= self.max_keys
        self._next_sweep = now + SWEEP_SECONDS

    def take(self, client: str, budget: Budget, cost: float = 1.0) -> int:
        """Spend ``cost`` units of ``client``'s ``budget``.

        Returns 0 when allowed, else the whole seconds to wait (for ``Retry-After``);
        a refused request spends nothing.
        """
        if budget.per_minute <= 0:
            return 0
        key = f"{budget.name}:{client}"
        with self._lock:
            now = time.time()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if now >= self._next_sweep:
                    self._sweep(now)
                row = self._db.execute("SELECT tat FROM buckets WHERE key = ?", (key,)).fetchone()
                if row is None and self._full:
                    key = f"{budget.name}:overflow"
                    row = self._db.execute(
                        "SELECT tat FROM buckets WHERE key = ?", (key,)
                    ).fetchone()
                tat = max(row[0], now) if row is not None else now
                new_tat = tat + cost * budget.interval
                allowed_until = now + budget.burst * budget.interval
                if new_tat > allowed_until:
                    self._db.execute("COMMIT")
                    return max(1, math.ceil(new_tat - allowed_until))
                self._db.execute(
                    "INSERT INTO buckets (key, tat) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET tat = excluded.tat",
                    (key, new_tat),
                )
                self._db.execute("COMMIT")
                return 0
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def exhausted(self, client: str, budget: Budget) -> int:
        """Seconds until ``client`` may spend one unit of ``budget`` again (0: now)."""
        if budget.per_minute <= 0:
            return 0
        with self._lock:
            row = self._db.execute(
                "SELECT tat FROM buckets WHERE key = ?", (f"{budget.name}:{client}",)
            ).fetchone()
        if row is None:
            return 0
        now = time.time()
        wait = row[0] + budget.interval - (now + budget.burst * budget.interval)
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def tracked(self) -> int:
        """How many buckets are stored (live or not yet swept)."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM buckets").fetchone()[0])
