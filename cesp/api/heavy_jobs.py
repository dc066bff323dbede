"""A bound on the heavy jobs (batches, imports) one worker computes at once.

Heavy work runs in the thread pool, never on the event loop (a 20 MB CSV batch parsed on
the loop froze every other request of its worker, ``/healthz`` included, for 20 s).
The thread pool alone would queue any number of jobs, each holding its body in memory;
past ``heavy_jobs_per_worker`` running jobs, the next caller gets 503 with
``Retry-After`` at once (the answer a load balancer or a client retry understands).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from cesp.errors import CespError

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5


class BusyError(CespError):
    """Every heavy-job slot of the worker is taken."""

    code = "busy"

    def __init__(self, retry_after: int = RETRY_AFTER_SECONDS):
        super().__init__(
            f"the server is computing other batches or imports: retry in {retry_after} s",
            message_fr=(
                f"Le service traite déjà d'autres lots ou imports : réessayez dans {retry_after} s."
            ),
        )
        self.retry_after = retry_after


class HeavyJobs:
    """At most ``limit`` jobs of this worker in the thread pool at once."""

    def __init__(self, limit: int):
        """``limit`` slots (``Settings.heavy_jobs_per_worker``)."""
        self.limit = limit
        self.running = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot while the block runs, or raise ``BusyError`` when every slot is
        taken (batches hold one while a child process computes them:
        ``cesp.api.job_processes``).

        The counter is only touched on the event loop (one thread): no lock needed."""
        if self.running >= self.limit:
            raise BusyError()
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1

    async def run(self, job: Callable[[], T]) -> T:
        """Run ``job`` in a thread, or raise ``BusyError`` when every slot is taken."""
        with self.slot():
            return await run_in_threadpool(job)

    def __repr__(self) -> str:
        return f"HeavyJobs({self.running}/{self.limit})"
