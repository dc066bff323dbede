"""Resumable HTTP download of one file into ``NAME.part``, with retries.

The part file is the resume point: a new attempt asks for ``Range: bytes=N-`` where N is
its size. Servers answer in three ways and each is handled:

- ``206 Partial Content`` starting at N: append;
- ``200 OK`` (the server ignores ranges): start the part over from zero;
- ``416 Range Not Satisfiable``: the part already holds the whole file when the
  server's ``Content-Range: bytes */LEN`` says LEN == N; otherwise the part is stale and
  the download restarts from zero.

Transient faults (connection refused or cut, timeouts, a body shorter than its
``Content-Length``, 429 and 5xx answers) are retried with exponential backoff; the bytes
received so far stay in the part file, so each retry resumes. Other HTTP answers (404,
403...) fail at once: retrying would not change them. This module knows nothing of the
manifest; ``cesp/geo/fetch.py`` decides what to download and checks the result.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from cesp.errors import ReferenceDataError

log = logging.getLogger(__name__)

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_RESTARTS = 2

ByteProgress = Callable[[int, int | None], None]
"""Called with (bytes in the part file, expected total or None) as data arrives."""


class DownloadError(ReferenceDataError):
    """A file could not be downloaded (after retries, or a permanent HTTP answer)."""

    code = "download_failed"


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, and how long to wait between them (doubling, capped)."""

    attempts: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failure (a server's Retry-After wins)."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff_s)
        return min(self.backoff_s * 2 ** (failures - 1), self.max_backoff_s)


@dataclass(frozen=True)
class DownloadOutcome:
    """What one download did: bytes received (all attempts), whether it ended by resuming."""

    received: int
    resumed: bool


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class _Restart(Exception):
    """The part file is unusable: it was deleted; start over at once."""


_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


def _range_start_and_total(header: str | None) -> tuple[int | None, int | None]:
    match = _CONTENT_RANGE.match(header or "")
    if not match:
        return None, None
    start = int(match.group(1)) if match.group(1) is not None else None
    total = int(match.group(3)) if match.group(3) != "*" else None
    return start, total


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


@dataclass
class _Transfer:
    """Bytes received over every attempt of one download."""

    received: int = 0


def _attempt(
    client: httpx.Client,
    url: str,
    part: Path,
    expected_size: int | None,
    progress: ByteProgress,
    transfer: _Transfer,
) -> bool:
    """One GET, resuming ``part``; returns whether it resumed."""
    have = part.stat().st_size if part.exists() else 0
    if expected_size is not None and have > expected_size:
        part.unlink()
        have = 0
    if expected_size is not None and have == expected_size > 0:
        progress(have, expected_size)
        return True
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status == 416 and have:
            _, total = _range_start_and_total(response.headers.get("Content-Range"))
            if total == have:
                progress(have, have)
                return True
            part.unlink()
            raise _Restart(f"{url}: stale partial file ({have} bytes, server has {total})")
        if status in TRANSIENT_STATUS:
            raise _Transient(f"HTTP {status}", _retry_after(response))
        if status == 206 and have:
            start, _ = _range_start_and_total(response.headers.get("Content-Range"))
            if start != have:
                part.unlink()
                raise _Restart(f"{url}: server resumed at {start} instead of {have}")
            mode, resumed = "ab", True
        elif status == 200:
            if have:
                log.info("%s ignored the Range header: downloading from the start", url)
            mode, resumed, have = "wb", False, 0
        else:
            raise DownloadError(
                f"{url} answered HTTP {status}",
                message_fr=f"{url} répond HTTP {status} (adresse à vérifier)",
                field="url",
            )
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else expected_size
        done = have
        progress(done, total)
        with part.open(mode) as handle:
            # No chunk size: httpx would hold back a partial chunk and lose it on a cut.
            for chunk in response.iter_bytes():
                handle.write(chunk)
                done += len(chunk)
                transfer.received += len(chunk)
                progress(done, total)
            handle.flush()
            os.fsync(handle.fileno())
        return resumed


def download(
    client: httpx.Client,
    url: str,
    part: Path,
    *,
    expected_size: int | None = None,
    retry: RetryPolicy | None = None,
    progress: ByteProgress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DownloadOutcome:
    """Download ``url`` into ``part``, resuming what ``part`` already holds.

    Parameters
    ----------
    client
        An httpx client (its timeouts apply to each attempt).
    url
        What to fetch.
    part
        The partial file; it holds the whole body on return. It is kept on failure so
        that the next run resumes.
    expected_size
        Size the file must reach, when known: a part of that size is complete without
        a request; a larger one is stale.
    retry
        Attempts and backoff for transient faults.
    progress
        Receives (bytes so far, total) as data arrives.
    sleep
        How to wait between attempts (tests pass a no-op).

    Returns
    -------
    DownloadOutcome

    Raises
    ------
    DownloadError
        A permanent HTTP answer, or transient faults on every attempt.
    """
    policy = retry or RetryPolicy()
    report = progress or (lambda _done, _total: None)
    part.parent.mkdir(parents=True, exist_ok=True)
    failures = restarts = 0
    transfer = _Transfer()
    while True:
        try:
            resumed = _attempt(client, url, part, expected_size, report, transfer)
            return DownloadOutcome(transfer.received, resumed)
        except _Restart as exc:
            restarts += 1
            log.info("%s", exc)
            if restarts > MAX_RESTARTS:
                raise DownloadError(
                    f"{exc}; gave up after {restarts} restarts",
                    message_fr=f"reprise impossible de {url} : le serveur répond de façon "
                    "incohérente",
                    field="url",
                ) from exc
        except (_Transient, httpx.TransportError) as exc:
            failures += 1
            reason = f"{type(exc).__name__}: {exc}"
            if failures >= policy.attempts:
                raise DownloadError(
                    f"{url}: {reason} (after {failures} attempts; the partial file is kept "
                    "and the next run resumes it)",
                    message_fr=f"échec du téléchargement de {url} après {failures} essai(s) "
                    f"({reason}) ; relancez la commande pour reprendre",
                    field="url",
                ) from exc
            wait = policy.delay(failures, getattr(exc, "retry_after", None))
            log.warning("%s: %s; retry %d in %.1f s", url, reason, failures, wait)
            sleep(wait)
        except httpx.HTTPError as exc:
            raise DownloadError(
                f"{url}: {type(exc).__name__}: {exc}",
                message_fr=f"réponse illisible de {url} ({exc})",
                field="url",
            ) from exc
