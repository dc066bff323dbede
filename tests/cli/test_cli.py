"""The ``cesp`` command line, run in-process against a real database."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app

runner = CliRunner()


def _run(url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_db_init_then_load_then_query(
    scratch_url: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "index-cache"
    monkeypatch.setenv("CESP_INDEX_CACHE_DIR", str(cache))
    code, out = _run(scratch_url, data_dir, "db", "init")
    assert code == 0 and "Schéma à jour" in out
    code, out = _run(scratch_url, data_dir, "geo", "load", "--departements", "93")
    assert code == 0 and "39 communes" in out
    assert "Index des zones prêt" in out and len(list(cache.glob("index-*.bin"))) == 1
    code, out = _run(scratch_url, data_dir, "geo", "load", "--departements", "93")
    assert code == 0 and "inchangé" in out
    code, out = _run(scratch_url, data_dir, "geo", "search", "courneuve")
    assert code == 0 and out.startswith("93027\tLa Courneuve")
    code, out = _run(scratch_url, data_dir, "geo", "locate", "2.389", "48.9236")
    assert code == 0 and "93027" in out


def test_bad_input_exits_non_zero_with_a_message(scratch_url: str, data_dir: Path) -> None:
    _run(scratch_url, data_dir, "db", "init")
    code, out = _run(scratch_url, data_dir, "geo", "load", "--departements", "99")
    assert code == 2 and "inconnu" in out
    code, out = _run(scratch_url, data_dir, "geo", "commune", "93027", "--date", "hier")
    assert code == 2 and "AAAA-MM-JJ" in out


def test_load_before_init_says_to_init(tmp_path: Path, data_dir: Path) -> None:
    code, out = _run(f"sqlite:///{tmp_path / 'new.sqlite'}", data_dir, "geo", "load")
    assert code == 1 and "cesp db init" in out


def test_invalid_database_url(data_dir: Path) -> None:
    code, out = _run("mysql://x", data_dir, "db", "init")
    assert code == 2 and "CESP_DATABASE_URL" in out


def test_region_load(scratch_url: str, data_dir: Path, scratch_engine: sa.Engine) -> None:
    code, out = _run(scratch_url, data_dir, "geo", "load", "--region", "94")
    assert code == 0, out
    with scratch_engine.connect() as conn:
        deps = {
            r[0]
            for r in conn.execute(sa.text("SELECT DISTINCT departement_code FROM commune_units"))
        }
    assert deps == {"2A", "2B"}


def test_a_command_on_a_database_without_schema_says_to_run_db_init_and_creates_nothing(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'absent' / 'cesp.sqlite'}"
    result = runner.invoke(
        app, ["--database-url", url, "--data-dir", str(data_dir), "keys", "list"]
    )
    assert result.exit_code != 0
    assert "cesp db init" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2, "one line in French, one in English"
    assert list(tmp_path.iterdir()) == [], "no database file or folder was created"


def test_db_info_prints_where_the_data_lives(tmp_path: Path, data_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cesp.sqlite'}"
    absent = runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), "db", "info"])
    assert absent.exit_code == 1 and "cesp db init" in absent.output
    assert runner.invoke(app, ["--database-url", url, "db", "init"]).exit_code == 0
    ready = runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), "db", "info"])
    assert ready.exit_code == 0, ready.output
    assert str(tmp_path / "cesp.sqlite") in ready.output and "à jour" in ready.output
    assert str(data_dir) in ready.output
