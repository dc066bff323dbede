"""Download the official reference files into a data directory: ``cesp data fetch``.

For each manifest source (``cesp/geo/sources.py``) the file ends up at
``DEST/<name>``, the exact layout ``cesp geo load`` reads, or not at all:

1. a file already there that passes verification is kept (a second run downloads
   nothing); one that fails is removed and fetched again;
2. the body is downloaded to ``NAME.part`` (resumed if a part exists; a zip archive
   goes to ``NAME.zip.part`` and its member is extracted to ``NAME.part``);
3. ``NAME.part`` is verified (``cesp/geo/verify.py``), then renamed onto ``NAME``
   (atomic on one filesystem). A part that fails verification is deleted; a part left
   by a failed download is kept so that the next run resumes it.

One failing file does not stop the others: the report lists each outcome and the CLI
exits non-zero if any failed.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import httpx

from cesp import __version__
from cesp.errors import InvalidInputError, ReferenceDataError
from cesp.geo.download import DownloadError, DownloadOutcome, RetryPolicy, download
from cesp.geo.sources import Manifest, Source, load_manifest
from cesp.geo.verify import VerificationError, verify_file

log = logging.getLogger(__name__)

Status = Literal["present", "downloaded", "failed"]


@dataclass(frozen=True)
class FetchResult:
    """The outcome for one source."""

    source: Source
    status: Status
    received: int = 0
    resumed: bool = False
    replaced: bool = False
    warnings: tuple[str, ...] = ()
    error: ReferenceDataError | None = None


@dataclass(frozen=True)
class FetchReport:
    """Outcomes of a fetch, in manifest order."""

    dest: Path
    results: tuple[FetchResult, ...]

    def with_status(self, status: Status) -> list[FetchResult]:
        """The results that ended in ``status``."""
        return [r for r in self.results if r.status == status]

    @property
    def ok(self) -> bool:
        """Every selected file is in place and verified (optional ones aside: reference
        data loaded by its own command, whose absence breaks nothing else)."""
        return not self.required_failures

    @property
    def required_failures(self) -> list[FetchResult]:
        """Failed files that are not optional."""
        return [r for r in self.with_status("failed") if not r.source.optional]

    @property
    def optional_failures(self) -> list[FetchResult]:
        """Failed optional files (e.g. the TVS correspondence)."""
        return [r for r in self.with_status("failed") if r.source.optional]

    @property
    def received(self) -> int:
        """Bytes received over the network during this run."""
        return sum(r.received for r in self.results)


class FetchListener(Protocol):
    """Receives progress, e.g. to draw one progress bar per file."""

    def started(self, source: Source, total: int | None) -> None:
        """A download begins (not called for files already present)."""

    def advanced(self, source: Source, done: int, total: int | None) -> None:
        """Bytes arrived for ``source``."""

    def finished(self, result: FetchResult) -> None:
        """``source`` is done, whatever the outcome."""


class _Silent:
    def started(self, source: Source, total: int | None) -> None:
        return None

    def advanced(self, source: Source, done: int, total: int | None) -> None:
        return None

    def finished(self, result: FetchResult) -> None:
        return None


def default_client() -> httpx.Client:
    """An HTTP client for publishers: redirects followed, generous read timeout.

    Proxies come from the usual environment variables (``HTTPS_PROXY``, ``NO_PROXY``),
    as deployments behind a corporate proxy need.
    """
    return httpx.Client(
        follow_redirects=True,
        timeout=httpx.Timeout(60.0, connect=15.0),
        headers={"User-Agent": f"cesp-zones/{__version__} (reference data fetch)"},
    )


def _part(path: Path, suffix: str = ".part") -> Path:
    return path.with_name(path.name + suffix)


def _extract(archive: Path, source: Source, target: Path) -> None:
    """Copy the archive member to ``target``; a bad archive is a verification failure."""
    member = source.archive_member or ""
    try:
        with (
            zipfile.ZipFile(archive) as bundle,
            bundle.open(member) as src,
            target.open("wb") as dst,
        ):
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
    except KeyError as exc:
        raise VerificationError(
            f"{source.name}: the archive has no member {member}",
            message_fr=f"{source.name} : l'archive ne contient pas {member}",
            field=source.name,
        ) from exc
    except zipfile.BadZipFile as exc:
        raise VerificationError(
            f"{source.name}: the downloaded archive is not a valid zip ({exc})",
            message_fr=f"{source.name} : l'archive téléchargée est invalide ou incomplète",
            field=source.name,
        ) from exc


def _named(source: Source, error: DownloadError) -> DownloadError:
    """The same error, its message prefixed with the file it is about."""
    named = DownloadError(
        f"{source.name}: {error.message}",
        message_fr=f"{source.name} : {error.message_fr}",
        field=source.name,
    )
    named.__cause__ = error
    return named


def _download_verified(
    source: Source,
    final: Path,
    url: str,
    client: httpx.Client,
    retry: RetryPolicy,
    listener: FetchListener,
    sleep: Callable[[float], None],
) -> tuple[DownloadOutcome, list[str]]:
    """Download to the part file, extract if zipped, verify, rename onto ``final``.

    A part that fails verification is deleted; the error says whether it had been
    resumed (its first bytes may come from a stale run), so the caller can retry afresh.
    """
    part = _part(final)
    download_to = _part(final, ".zip.part") if source.archive_member else part
    outcome = download(
        client,
        url,
        download_to,
        expected_size=None if source.archive_member else source.expected_size,
        retry=retry,
        progress=lambda done, total: listener.advanced(source, done, total),
        sleep=sleep,
    )
    try:
        if source.archive_member:
            try:
                _extract(download_to, source, part)
            finally:
                download_to.unlink(missing_ok=True)
        warnings = verify_file(part, source)
    except VerificationError as exc:
        part.unlink(missing_ok=True)
        exc.resumed = outcome.resumed
        raise
    os.replace(part, final)
    return outcome, warnings


def _fetch_one(
    source: Source,
    dest: Path,
    url: str,
    client: httpx.Client,
    retry: RetryPolicy,
    listener: FetchListener,
    sleep: Callable[[float], None],
) -> FetchResult:
    final = dest / source.name
    replaced = False
    if final.is_file():
        try:
            warnings = verify_file(final, source)
            return FetchResult(source, "present", warnings=tuple(warnings))
        except VerificationError as exc:
            log.warning("%s fails verification (%s): fetching it again", final, exc.message)
            final.unlink()
            replaced = True
    listener.started(source, None if source.archive_member else source.expected_size)
    try:
        outcome, warnings = _download_verified(source, final, url, client, retry, listener, sleep)
    except VerificationError as exc:
        if not exc.resumed:
            return FetchResult(source, "failed", replaced=replaced, error=exc)
        log.warning("%s: a resumed part failed verification; downloading afresh", source.name)
        try:
            outcome, warnings = _download_verified(
                source, final, url, client, retry, listener, sleep
            )
        except VerificationError as again:
            return FetchResult(source, "failed", replaced=replaced, error=again)
        except DownloadError as again:
            return FetchResult(source, "failed", replaced=replaced, error=_named(source, again))
    except DownloadError as exc:
        return FetchResult(source, "failed", replaced=replaced, error=_named(source, exc))
    except OSError as exc:
        error = ReferenceDataError(
            f"{source.name}: cannot write in {final.parent}: {exc}",
            message_fr=f"{source.name} : écriture impossible dans {final.parent} ({exc.strerror})",
            field="dest",
        )
        return FetchResult(source, "failed", replaced=replaced, error=error)
    return FetchResult(
        source,
        "downloaded",
        received=outcome.received,
        resumed=outcome.resumed,
        replaced=replaced,
        warnings=tuple(warnings),
    )


@contextmanager
def _client(given: httpx.Client | None) -> Iterator[httpx.Client]:
    if given is not None:
        yield given
        return
    with default_client() as client:
        yield client


def fetch_reference(
    dest: Path,
    sources: Iterable[Source] | None = None,
    *,
    manifest: Manifest | None = None,
    base_url: str | None = None,
    client: httpx.Client | None = None,
    retry: RetryPolicy | None = None,
    listener: FetchListener | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Download and verify reference files into ``dest``.

    Parameters
    ----------
    dest
        Data directory to fill (created if needed); ``CESP_DATA_DIR=dest cesp geo load``
        works once every source is fetched.
    sources
        Which files (default: the whole manifest); see ``Manifest.select``.
    manifest
        The manifest (default: the one shipped with the package).
    base_url
        A mirror replacing every publisher, laid out as ``<base_url>/<publisher>/<path>``.
    client, retry, listener, sleep
        HTTP client, retry policy, progress receiver, and wait function.

    Returns
    -------
    FetchReport
        One result per source; ``report.ok`` is false if any file failed. A failed
        file is never left under its final name.

    Raises
    ------
    InvalidInputError
        ``base_url`` is not an http(s) URL.

    Examples
    --------
    >>> report = fetch_reference(Path("data/reference"))  # doctest: +SKIP
    >>> report.ok, len(report.with_status("downloaded"))  # doctest: +SKIP
    (True, 108)
    """
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise InvalidInputError(
            f"base URL must start with http:// or https://, got {base_url!r}",
            message_fr=f"L'adresse du miroir doit commencer par http:// ou https:// : {base_url}",
            field="base_url",
        )
    manifest = manifest or load_manifest()
    chosen = tuple(sources) if sources is not None else manifest.sources
    policy = retry or RetryPolicy()
    receiver: FetchListener = listener or _Silent()
    dest.mkdir(parents=True, exist_ok=True)
    results = []
    with _client(client) as http:
        for source in chosen:
            url = manifest.url(source, base_url)
            result = _fetch_one(source, dest, url, http, policy, receiver, sleep)
            if result.error is not None:
                log.error("%s", result.error.message)
            receiver.finished(result)
            results.append(result)
    return FetchReport(dest, tuple(results))
