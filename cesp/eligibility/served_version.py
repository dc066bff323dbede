"""The highest zoning index version any process of one server may answer with.

Why (issue 20): with several workers, each polling the database for a new index on its
own, a client opening a new connection per request saw the new zoning, then the old,
then the new for about 2 s after a publication. The order rule is: a process swaps a new
index in only *after* raising this shared number to its version, and every request
compares its process's index with the number before answering; a process behind it
catches up first (``cesp.eligibility.holder``). So once any process has answered from
version V, every request that arrives afterwards, at any process, is answered from V or
later.

The number is the *length* of a small file that ``cesp serve`` creates before its
workers start (``CESP_INDEX_VERSION_FILE``). The length of a file is read whole by one
``fstat`` (about a microsecond, no parsing, no database round trip per request) and
changed whole by one ``ftruncate``: a reader can never see half of a write, which an
8-byte number written into the file or a shared memory page could not promise from
Python. The file is sparse (a length of a few thousand costs no disk block). Writers
raise it under an exclusive ``flock``, never lower it, except when the database itself
went back (re-created under the same URL): see ``lower_to``.

One server on one host shares it; servers on other hosts behind one load balancer each
have their own and follow one another through the database poll
(``CESP_INDEX_POLL_SECONDS``), as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

VERSION_FILE_ENV = "CESP_INDEX_VERSION_FILE"


class ServedVersion:
    """The shared number, opened once per process."""

    def __init__(self, path: str | Path):
        """Open (or create, empty: version 0) the file at ``path``."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def read(self) -> int:
        """The highest version announced so far."""
        return os.fstat(self._fd).st_size

    def raise_to(self, version: int) -> None:
        """Announce ``version`` (no change if a higher one is already announced)."""
        with self._locked():
            if self.read() < version:
                os.ftruncate(self._fd, version)

    def lower_to(self, version: int) -> None:
        """Set the number to ``version`` even when lower: only when the database's own
        version went back (a database re-created under the same URL), else every request
        would wait for a version that will never come."""
        with self._locked():
            if self.read() > version:
                os.ftruncate(self._fd, version)

    def close(self) -> None:
        """Close the file (it stays for the other processes)."""
        with contextlib.suppress(OSError):
            os.close(self._fd)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def prepare_version_file() -> Path | None:
    """Point ``CESP_INDEX_VERSION_FILE`` at a new empty file unless the operator set it.

    Returns the directory to remove at exit (ours), None if the path is the operator's.
    Called by ``cesp serve`` before the workers start, so that they all share it."""
    if os.environ.get(VERSION_FILE_ENV):
        return None
    directory = Path(tempfile.mkdtemp(prefix="cesp-index-version-"))
    os.environ[VERSION_FILE_ENV] = str(directory / "served-version")
    return directory
