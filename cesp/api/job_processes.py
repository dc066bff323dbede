"""Eligibility batches computed in child processes of the worker, not in its threads.

Why (issue 20): a 100,000-site batch run in a thread of the worker still delayed its
``/healthz`` by 0.3 to 0.7 s here. The batch thread holds the GIL for the JSON parse,
pydantic, numpy and the per-site loops, and every time the event loop gives the GIL up
(at each ``epoll`` wait, each socket write) it waits for the batch thread to hand it
back: up to ``sys.getswitchinterval()`` (5 ms) each time, and longer during one long C
call. A request's dozens of hand-overs added up to about 100 ms each, 0.3 s at worst. A
child process has a GIL of its own: the worker's loop only receives the body, hands it
over a pipe and sends the answer back.

The price, said plainly: each child opens its own database engine and holds its own
zoning index (loaded from the stored index of ``CESP_INDEX_CACHE_DIR``, which the
worker or the publisher stored already: the child reads it, it does not build it unless
the cache is off). One child starts with the worker when ``index_warmup`` is on (spawning
one during a batch, and its imports, delayed ``/healthz`` by up to 0.6 s here), others
with the batches that need them (spawned: a fork of a worker with threads could inherit
a held lock); they stay, at most ``heavy_jobs_per_worker`` of them,
at a lower CPU priority than the worker (``CHILD_NICENESS``).
Before each job a child asks the database for the index version (one query) and loads
the newer index if there is one, and it follows the served version of the server
(``cesp.eligibility.served_version``): a batch never answers from an older zoning than
the single checks of any worker.

Domain errors come back as they were raised (field and French text kept); a child that
died (killed, out of memory) answers 503 with ``Retry-After`` and is replaced.
"""

from __future__ import annotations

import asyncio
import logging
import logging.config
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from cesp.api.heavy_jobs import BusyError
from cesp.api.log_format import LogFormat, logging_config
from cesp.eligibility.holder import IndexHolder
from cesp.eligibility.served_version import ServedVersion
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import CespError
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
Job = Callable[..., T]  # job(index, engine, *args), a module-level function

_holder: IndexHolder | None = None  # in a child: its own index, kept between jobs
# Batches are throughput work, the worker's requests latency work: on a machine with few
# cores the children yield the CPU to the event loops first (``nice(2)``: 10 lower).
CHILD_NICENESS = 10


@dataclass(frozen=True)
class _Failure:
    """A domain error sent back from a child (some subclasses take other constructor
    arguments than their ``args``: rebuilt here without calling their ``__init__``)."""

    kind: type[CespError]
    message: str
    state: dict[str, Any]

    def rebuild(self) -> CespError:
        error = self.kind.__new__(self.kind)
        Exception.__init__(error, self.message)
        error.__dict__.update(self.state)
        return error


def _start_child(
    database_url: str,
    borderline_m: float,
    cache_dir: str,
    served: str,
    log_format: LogFormat,
    log_level: str,
) -> None:
    """Open the child's engine and holder (its index is loaded by the first job).

    A spawned child inherits the worker's stdout but not its logging set-up: without
    the server's configuration its warnings would be plain lines among the JSON ones.
    Ctrl-C reaches the whole process group; the worker stops its children itself, so a
    child ignores it rather than print a traceback."""
    global _holder
    logging.config.dictConfig(logging_config(log_format, log_level))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(CHILD_NICENESS)
    engine = create_engine(database_url)
    _holder = IndexHolder(
        engine,
        borderline_m,
        cache_dir=cache_dir or None,
        served=ServedVersion(served) if served else None,
    )


def _run_in_child(job: Job[T], args: tuple[Any, ...]) -> T | _Failure:
    assert _holder is not None, "child not started"
    _holder.refresh()
    index: ZoningIndex = _holder.current()
    try:
        return job(index, _holder.engine, *args)
    except CespError as error:
        return _Failure(type(error), error.message, dict(error.__dict__))


def _ready() -> None:
    """A job that only makes the pool start a child."""


class JobProcesses:
    """The child processes of one worker (started on first use)."""

    def __init__(self, settings: Settings):
        """Children open ``settings.database_url``; at most ``heavy_jobs_per_worker``."""
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            settings = self.settings
            self._pool = ProcessPoolExecutor(
                max_workers=settings.heavy_jobs_per_worker,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child,
                initargs=(
                    settings.database_url,
                    settings.borderline_m,
                    settings.index_cache_dir or "",
                    settings.index_version_file,
                    settings.log_format,
                    settings.log_level,
                ),
            )
        return self._pool

    def start(self) -> None:
        """Start one child now, in the background (the worker does not wait for it)."""
        self._executor().submit(_ready)

    async def run(self, job: Job[T], *args: Any) -> T:
        """``job(index, engine, *args)`` in a child; its domain errors raised here."""
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self._executor(), _run_in_child, job, args)
        except BrokenProcessPool:
            log.error("a batch process died; starting new ones")
            self.close()
            raise BusyError() from None
        if isinstance(answer, _Failure):
            raise answer.rebuild()
        return answer

    def close(self, wait: bool = False) -> None:
        """Stop the children: after one died, at once; at shutdown (``wait``), by
        terminating them, then waiting until the pool has let them go, so that its queues
        and semaphores are released (otherwise multiprocessing's resource tracker warns
        of leaked semaphores on stderr). Terminated, not awaited: a child still starting
        (at a low priority, on a busy machine) or in the middle of a batch would hold the
        worker's exit for as long, past the supervisor's patience."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if wait:
            # The executor has no public way to stop its processes; _processes is the
            # pid -> Process map it keeps (CPython 3.8 to 3.13).
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=wait, cancel_futures=True)
