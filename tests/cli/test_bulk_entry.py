"""``cesp check-bulk`` as a user runs it: its own process, started without the rest of
the command line, with the same answers and messages as the full command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.bulk_entry import bulk_summary
from cesp.cli.main import app
from tests.zones.helpers import publish_codes

SITES = (
    "id;lon;lat;date\n"
    "a;2.4397;48.9086;2013-01-01\n"
    "b;2.3522;48.8566;2013-01-01\n"
    "c;x;48.9;2013-01-01\n"
    "d;2.4397;48.9086;2011-01-01\n"
)
NOT_NEEDED = ("typer", "rich", "fastapi", "starlette", "geopandas", "pandas", "pyogrio")


@pytest.fixture
def zoned_url(idf_engine: sa.Engine, scratch_url: str, tmp_path: Path) -> str:
    """75, 92 and 93 with decree 12-209 (2012)."""
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    return scratch_url


# ``python -m cesp.cli.main ARGS`` (what the ``cesp`` script runs), writing at exit the
# modules the process ended with to the file named by the first argument (the short
# path ends with ``os._exit``, which skips ``atexit``: the listing is written there too).
RUN = (
    "import atexit, os, runpy, sys\n"
    "listing = sys.argv.pop(1)\n"
    "write = lambda: open(listing, 'w').write('\\n'.join(sorted(sys.modules)))\n"
    "atexit.register(write)\n"
    "exit_now = os._exit\n"
    "os._exit = lambda code: (write(), exit_now(code))\n"
    "runpy.run_module('cesp.cli.main', run_name='__main__', alter_sys=True)\n"
)


def _cesp(url: str, *args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CESP_INDEX_CACHE_DIR": str(cache)}
    listing = cache.parent / "modules.txt"
    return subprocess.run(
        [sys.executable, "-c", RUN, str(listing), "--database-url", url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _imported(cache: Path) -> set[str]:
    return set((cache.parent / "modules.txt").read_text().split())


def test_a_bulk_check_imports_only_what_it_needs_and_answers_as_the_full_command(
    zoned_url: str, tmp_path: Path
):
    source = tmp_path / "in.csv"
    source.write_text(SITES, encoding="utf-8")
    short, full = tmp_path / "short.csv", tmp_path / "full.csv"

    done = _cesp(zoned_url, "check-bulk", str(source), "-o", str(short), cache=tmp_path / "c")
    assert done.returncode == 0, done.stderr
    assert "4 lignes écrites" in done.stderr and "invalid: 1" in done.stderr
    loaded = _imported(tmp_path / "c")
    assert "cesp.eligibility.bulk_job" in loaded
    assert [m for m in NOT_NEEDED if m in loaded] == [], "imported without being used"
    assert "sqlalchemy" in loaded, "the first job builds the index from the database"

    again = tmp_path / "again.csv"
    done = _cesp(zoned_url, "check-bulk", str(source), "-o", str(again), cache=tmp_path / "c")
    assert done.returncode == 0, done.stderr
    loaded = _imported(tmp_path / "c")
    opened = [m for m in ("sqlalchemy", "cesp.storage.engine", "alembic") if m in loaded]
    assert opened == [], "the index of this state is stored: no engine needed"
    assert again.read_bytes() == short.read_bytes()

    result = CliRunner().invoke(
        app, ["--database-url", zoned_url, "check-bulk", str(source), "-o", str(full)]
    )
    assert result.exit_code == 0, result.output
    assert short.read_bytes() == full.read_bytes(), "same answers, byte for byte"


def test_bad_input_on_the_short_path_says_what_to_fix(zoned_url: str, tmp_path: Path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(SITES, encoding="utf-8")
    cache = tmp_path / "c"

    bad_date = _cesp(
        zoned_url, "check-bulk", str(source), "-o", str(target), "--date", "x", cache=cache
    )
    assert bad_date.returncode == 2 and "AAAA-MM-JJ" in bad_date.stderr
    assert "YYYY-MM-DD" in bad_date.stderr, "English after French"

    missing = _cesp(
        zoned_url, "check-bulk", str(tmp_path / "nope.csv"), "-o", str(target), cache=cache
    )
    assert missing.returncode == 2 and "introuvable" in missing.stderr

    no_columns = tmp_path / "columns.csv"
    no_columns.write_text("id,x,y\n1,650000,6860000\n", encoding="utf-8")
    refused = _cesp(zoned_url, "check-bulk", str(no_columns), "-o", str(target), cache=cache)
    assert refused.returncode == 2 and "Colonnes manquantes" in refused.stderr
    assert not target.exists(), "nothing written for a refused file"

    # An output the job could not write at its end is refused before any work, on both
    # command-line paths (``--dialect`` is not taken by the short one).
    for extra in ([], ["--dialect", "excel-fr"]):
        nowhere = tmp_path / "no-such-folder" / "out.csv"
        lost = _cesp(zoned_url, "check-bulk", str(source), "-o", str(nowhere), *extra, cache=cache)
        assert lost.returncode == 2, lost.stderr
        assert "n'existe pas" in lost.stderr and "does not exist" in lost.stderr
        assert "Traceback" not in lost.stderr
        folder = _cesp(
            zoned_url, "check-bulk", str(source), "-o", str(tmp_path), *extra, cache=cache
        )
        assert folder.returncode == 2 and "est un dossier" in folder.stderr, folder.stderr
        assert "is a folder" in folder.stderr
        itself = _cesp(zoned_url, "check-bulk", str(source), "-o", str(source), *extra, cache=cache)
        assert itself.returncode == 2 and "fichier des lieux lui-même" in itself.stderr
        workbook = tmp_path / "out.xlsx"
        named = _cesp(
            zoned_url, "check-bulk", str(source), "-o", str(workbook), *extra, cache=cache
        )
        assert named.returncode == 2 and ".csv" in named.stderr and not workbook.exists()
    assert not (tmp_path / "no-such-folder").exists()
    assert source.read_text(encoding="utf-8") == SITES, "the sites file is untouched"


def test_the_answers_file_is_readable_as_any_new_file_is(zoned_url: str, tmp_path: Path):
    """Written to a temporary file (mode 0600) and renamed: it gets the umask's mode."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(SITES, encoding="utf-8")
    old = os.umask(0o022)
    try:
        done = _cesp(zoned_url, "check-bulk", str(source), "-o", str(target), cache=tmp_path / "c")
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o777 == 0o644


def test_help_and_unknown_options_go_to_the_full_command_line(zoned_url: str, tmp_path: Path):
    shown = _cesp(zoned_url, "check-bulk", "--help", cache=tmp_path / "c")
    assert shown.returncode == 0 and "--profession" in shown.stdout
    unknown = _cesp(zoned_url, "check-bulk", "in.csv", "--frobnicate", cache=tmp_path / "c")
    assert unknown.returncode == 2 and "frobnicate" in unknown.stderr


def test_the_closing_line_agrees_in_number():
    assert bulk_summary({"eligible": 1}, Path("o.csv")) == (
        "1 ligne écrite dans o.csv (eligible: 1)."
    )
    assert bulk_summary({}, Path("o.csv")).startswith("0 ligne écrite")
    assert bulk_summary({"eligible": 1, "invalid": 2}, Path("o.csv")).startswith("3 lignes écrites")
