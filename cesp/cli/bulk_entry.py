"""``cesp check-bulk`` started without the rest of the command line.

A bulk job of a few thousand rows is over in well under a second of real work, so
start-up is most of what it costs: the full command line (typer, rich, and through
the other commands geopandas, the map and ledger modules) takes longer to import than
the job takes to run. ``run_if_check_bulk`` is called first thing by
``cesp.cli.main``: when the command line is exactly a bulk check
(``cesp [--database-url URL] [--data-dir DIR] check-bulk SOURCE -o OUTPUT [--date D]
[--profession P]``), it runs the job here, importing only what the job needs, and
exits. Anything else (``--help``, another command, an option this parser does not
know) returns, and typer handles the command line as usual, with the same job behind
it (``cesp.eligibility.bulk_job``).

The progress bar (rich) is drawn only when a person watches (stderr is a terminal);
messages and exit codes are those of the full command: 2 for bad input, 1 for other
errors, French first and English after.
"""

from __future__ import annotations

import argparse
import importlib.abc
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

COMMAND = "check-bulk"
Progress = Callable[[str, int, int], None]


def bulk_summary(counts: dict[str, int], output: Path) -> str:
    """The closing line of a bulk check, in French."""
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    rows = sum(counts.values())
    written = "ligne écrite" if rows < 2 else "lignes écrites"  # French: 0 and 1 singular
    return f"{rows} {written} dans {output} ({summary})."


class _Refused(Exception):
    """Not a command line this parser takes: typer handles it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Refused(message)


def _parse(argv: Sequence[str]) -> argparse.Namespace | None:
    if COMMAND not in argv or any(a in ("--help", "-h") for a in argv):
        return None
    split = list(argv).index(COMMAND)
    root = _Parser(add_help=False)
    root.add_argument("--database-url")
    root.add_argument("--data-dir", type=Path)
    command = _Parser(add_help=False)
    command.add_argument("source", type=Path)
    command.add_argument("-o", "--output", type=Path, required=True)
    command.add_argument("--date")
    command.add_argument("--profession", default="medecin")
    try:
        options = root.parse_args(argv[:split])
        command.parse_args(argv[split + 1 :], namespace=options)
    except _Refused:
        return None
    return options


@contextmanager
def _watched_progress() -> Iterator[Progress | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from cesp.cli.console import progress_bar  # rich: only when someone watches

    with progress_bar() as update:
        yield update


class _NoPandas(importlib.abc.MetaPathFinder):
    """Refuses ``import pandas``: pyarrow then runs as where pandas is not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        """Refuse pandas, leave every other module to the other finders."""
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not used by a CSV bulk check")


@contextmanager
def _without_pandas(source: Path) -> Iterator[None]:
    """For a plain CSV, run the job as if pandas were not installed.

    pyarrow imports pandas (0.4 s) the first time it builds an array, only to check
    whether its input is a pandas object; the job never hands it one. A workbook is
    read with pandas (``cesp.tabular``): then nothing is changed.
    """
    from cesp.eligibility.bulk_files import plain_utf8

    if "pandas" in sys.modules or not plain_utf8(source):
        yield
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _run(options: argparse.Namespace) -> int:
    from cesp.errors import CespError, InvalidInputError

    if not options.source.is_file():
        _say(f"Erreur : fichier introuvable : {options.source}")
        _say(f"Invalid value for 'SOURCE': File '{options.source}' does not exist.")
        return 2
    try:
        return _job(options)
    except CespError as error:
        _say(f"Erreur : {error.message_fr}")
        if error.message != error.message_fr:
            _say(error.message)
        return 2 if isinstance(error, InvalidInputError) else 1


def _job(options: argparse.Namespace) -> int:
    from datetime import date

    from cesp.cli.dates import parse_date
    from cesp.eligibility.bulk_job import run_bulk_job
    from cesp.storage.settings import Settings
    from cesp.zones.professions import parse_profession

    overrides: dict[str, object] = {}
    if options.database_url:
        overrides["database_url"] = options.database_url
    if options.data_dir:
        overrides["data_dir"] = options.data_dir
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        _say(f"Configuration invalide : {exc}")
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    profession = parse_profession(options.profession).value
    when = parse_date(options.date) or date.today()
    # The job opens the database only when it must (``cesp.eligibility.bulk_job``), and
    # closes it properly before returning: the exit below skips teardown.
    with _watched_progress() as update, _without_pandas(options.source):
        counts = run_bulk_job(
            settings.database_url,
            options.source,
            options.output,
            when,
            profession,
            settings.borderline_m,
            settings.index_cache_dir,
            update,
            echo=settings.sql_echo,
        )
    _say(bulk_summary(counts, options.output))
    return 0


def _exit_at_once(code: int) -> NoReturn:
    """End the process without the interpreter's teardown.

    Once the job has returned, its output is renamed into place, its threads have
    ended and its connections are closed: what remains is freeing every module and
    array one by one, an eighth of a second (a tenth of a 100,000-row job) for what the
    kernel does at once. Logs and the standard streams are flushed first."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_if_check_bulk(argv: Sequence[str] | None = None) -> None:
    """Run a bulk check command line here and exit; return for any other."""
    options = _parse(sys.argv[1:] if argv is None else argv)
    if options is not None:
        # Before pyarrow is imported: its own allocator (mimalloc) keeps what the job's
        # threads free for reuse, 60 MB more at the peak of a 100,000-row job than the
        # system's, which gives it back, for the same CPU time (``/usr/bin/time``, three
        # runs of each at 100,000 and 1,000,000 rows). Whoever set it chooses.
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
        _exit_at_once(_run(options))
