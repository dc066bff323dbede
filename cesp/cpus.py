"""How many processors this process may use (its CPU affinity, not the machine's count:
a container or ``taskset`` gives fewer)."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on (at least one)."""
    return max(1, len(os.sched_getaffinity(0)))
