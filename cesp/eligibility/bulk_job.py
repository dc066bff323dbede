"""One bulk check job from file to file, as ``cesp check-bulk`` runs it.

The sites file is opened and its first slice parsed by a thread while the zoning index
loads (``index_for_job``: mapped from the cache in milliseconds, or built and stored),
then slices are checked as they are read (``cesp.eligibility.bulk``). Both command-line
paths call this: the full ``typer`` command and the short path that starts without
the rest of the command line (``cesp.cli.bulk_entry``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from cesp.eligibility.bulk import check_bulk, read_ahead
from cesp.eligibility.bulk_files import BLOCK_BYTES, open_sites
from cesp.eligibility.index_cache import index_for_job
from cesp.spreadsheets import Dialect

Progress = Callable[[str, int, int], None]


def run_bulk_job(
    engine: sa.Engine,
    source: Path,
    target: Path,
    default_date: date,
    default_profession: str,
    borderline_m: float,
    cache_dir: str | Path | None,
    progress: Progress | None = None,
    dialect: Dialect = Dialect.DATAGOUV,
) -> dict[str, int]:
    """Check every row of ``source`` into ``target`` written in ``dialect``; returns the
    counts by status."""
    size = max(source.stat().st_size, 1)
    first_rows: list[int] = []

    def expected_rows(done: int) -> int:
        if not first_rows:
            first_rows.append(done)
        return int(first_rows[0] * max(size / BLOCK_BYTES, 1.0))

    slices = read_ahead(open_sites(source))  # header checked; first slice read meanwhile
    if progress:
        progress("index", 0, 1)
    with index_for_job(engine, borderline_m, cache_dir) as index:
        if progress:
            progress("index", 1, 1)
        return check_bulk(
            index,
            slices,
            target,
            default_date,
            default_profession,
            progress,
            expected_rows,
            dialect,
        )
