"""One bulk check job from file to file, as ``cesp check-bulk`` runs it.

The sites file is opened and its first slice parsed by a thread while the zoning index
loads (``index_for_job``: mapped from the cache in milliseconds, without SQLAlchemy, or
built and stored),
then slices are checked as they are read (``cesp.eligibility.bulk``). Both command-line
paths call this: the full ``typer`` command and the short path that starts without
the rest of the command line (``cesp.cli.bulk_entry``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cesp.eligibility.bulk import check_bulk, read_ahead
from cesp.eligibility.bulk_files import BLOCK_BYTES, open_sites, write_types
from cesp.eligibility.index_cache import index_for_job
from cesp.errors import InvalidInputError
from cesp.output_paths import output_file
from cesp.spreadsheets import Dialect

Progress = Callable[[str, int, int], None]


ANSWER_EXTENSIONS = (".csv", ".txt")


def check_output(target: Path, source: Path | None = None) -> None:
    """Refuse, before any work, an output the job could not write at its end (the
    answers go to a temporary file beside it, renamed onto it), one that would replace
    the sites file itself, and a name a spreadsheet would open as something else
    (``-o out.xlsx`` holding CSV text)."""
    output_file(target, ANSWER_EXTENSIONS, example="reponses.csv")
    if source is not None and target.resolve() == source.resolve():
        raise InvalidInputError(
            f"output: {target} is the sites file itself: write the answers to another file",
            message_fr=f"Sortie : {target} est le fichier des lieux lui-même : écrivez les "
            "réponses dans un autre fichier.",
            field="output",
        )
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInputError(
            f"output: the folder {folder} does not exist: create it or write elsewhere",
            message_fr=f"Sortie : le dossier {folder} n'existe pas : créez-le ou écrivez ailleurs.",
            field="output",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInputError(
            f"output: cannot write in the folder {folder}: write elsewhere",
            message_fr=f"Sortie : écriture impossible dans le dossier {folder} : écrivez ailleurs.",
            field="output",
        )


def run_bulk_job(
    database_url: str,
    source: Path,
    target: Path,
    default_date: date,
    default_profession: str,
    borderline_m: float,
    cache_dir: str | Path | None,
    progress: Progress | None = None,
    dialect: Dialect = Dialect.DATAGOUV,
    echo: bool = False,
) -> dict[str, int]:
    """Check every row of ``source`` into ``target`` written in ``dialect``; returns the
    counts by status; in the datagouv dialect, with its ``.csvt`` beside it for QGIS.
    The database is opened only when the index of its current state is not stored
    (``index_for_job``)."""
    check_output(target, source)
    size = max(source.stat().st_size, 1)
    first_rows: list[int] = []

    def expected_rows(done: int) -> int:
        if not first_rows:
            first_rows.append(done)
        return int(first_rows[0] * max(size / BLOCK_BYTES, 1.0))

    slices = read_ahead(open_sites(source))  # header checked; first slice read meanwhile
    if progress:
        progress("index", 0, 1)
    with index_for_job(database_url, borderline_m, cache_dir, echo) as index:
        if progress:
            progress("index", 1, 1)
        counts = check_bulk(
            index,
            slices,
            target,
            default_date,
            default_profession,
            progress,
            expected_rows,
            dialect,
        )
    if dialect is Dialect.DATAGOUV:  # as every datagouv CSV this service writes
        write_types(target)
    return counts
