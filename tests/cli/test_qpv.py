"""``cesp geo load-qpv``, a separate QPV decree imported ``--complementary``, and
``cesp check --insee`` on a commune partly eligible through its QPV."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from tests.geo.qpv_contours import write_contours
from tests.zones.published_layouts import paps_csv_cp1252, qpv_decree

runner = CliRunner()


def _run(url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), *args])
    return result.exit_code, " ".join(result.output.split())


def _import(path: Path, reference: str, day: str, *extra: str) -> list[str]:
    return [
        "zones",
        "import",
        str(path),
        "--region=11",
        f"--reference={reference}",
        f"--signed={day}",
        f"--effective-from={day}",
        "--profession=medecin",
        "--no-index",
        *extra,
    ]


def test_qpv_contours_then_a_complementary_qpv_decree_then_a_check_by_code(
    idf_engine: sa.Engine, scratch_url: str, data_dir: Path, tmp_path: Path
) -> None:
    contours = write_contours(idf_engine, tmp_path / "qpv.geojson")
    code, out = _run(scratch_url, data_dir, "geo", "load-qpv", str(contours), "--generation=2024")
    assert code == 2 and "n'est pas un code de QPV de la génération 2024" in out, out
    code, out = _run(scratch_url, data_dir, "geo", "load-qpv", str(contours), "--generation=2015")
    assert code == 0 and "Contours des QPV 2015 chargés : 4 quartiers" in out, out

    principal, _ = paps_csv_cp1252(tmp_path)
    code, out = _run(
        scratch_url, data_dir, *_import(principal, "18-100", "2018-03-01", "--publish")
    )
    assert code == 0, out

    decree, _ = qpv_decree(tmp_path)
    args = _import(decree, "18-QPV", "2018-09-01", "--complementary")
    code, out = _run(scratch_url, data_dir, *args, "--dry-run")
    assert code == 0, out
    assert "Lignes retenues : 3" in out and "ignorées (autres régions) : 1" in out
    assert "zones de QPV : 3" in out and "sa catégorie prime sur celle du territoire" in out
    assert "Arrêté complémentaire : complète l'arrêté 18-100" in out
    assert "les deux restent en vigueur" in out
    code, out = _run(scratch_url, data_dir, *args, "--publish")
    assert code == 0 and "statut published" in out and "clos au" not in out, out

    code, out = _run(scratch_url, data_dir, "zones", "list", "--date", "2019-01-01")
    assert "18-100" in out and "18-QPV" in out and "complète l'arrêté 1" in out, out

    code, out = _run(scratch_url, data_dir, "check", "--insee", "92002", "--date", "2019-01-01")
    assert "n'est qu'en partie en zone éligible" in out, out
    assert "Seul le quartier prioritaire « QPV Noyer Doré (QP092001) »" in out, out
