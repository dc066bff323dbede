"""``cesp zones import`` of published layouts with no option, and ``cesp zones categories``."""

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from tests.geo.qpv_contours import load_contours
from tests.geo.tvs_tables import drees_csv, drees_zonage_tvs
from tests.zones.published_layouts import idf_2025_ods, zonage_ars_national

runner = CliRunner()


def _run(url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, "--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_national_export_dry_run_reports_rows_kept_and_skipped(
    idf_engine: sa.Engine, scratch_url: str, data_dir: Path, tmp_path: Path
) -> None:
    load_contours(idf_engine, tmp_path)
    path, _ = zonage_ars_national(tmp_path)
    code, out = _run(
        scratch_url,
        data_dir,
        "zones",
        "import",
        str(path),
        "--region=11",
        "--reference=18-100",
        "--signed=2018-03-01",
        "--effective-from=2018-03-01",
        "--profession=medecin",
        "--dry-run",
        "--no-index",
    )
    assert code == 0, out
    out = " ".join(out.split())
    assert "Lignes retenues : 8" in out and "Hors vivier 2" in out
    assert "ignorées (autres régions) : 4" in out and "« COM »" in out
    assert "zones de QPV : 3" in out and "feuille « QPV » : 4 ligne(s) de QPV lue(s)" in out


def test_map_option_and_categories_listing_and_alias(
    idf_engine: sa.Engine, scratch_url: str, data_dir: Path, tmp_path: Path
) -> None:
    path, _ = idf_2025_ods(tmp_path)
    args = [
        "zones",
        "import",
        str(path),
        "--region=11",
        "--reference=25-100",
        "--signed=2025-06-02",
        "--effective-from=2025-07-01",
        "--profession=medecin",
        "--dry-run",
        "--no-index",
    ]
    code, out = _run(scratch_url, data_dir, *args, "--map", "ZIP+=ZAC")
    assert code == 0, out
    assert "ZIP+" not in out.split("Zones")[1].split("Lignes")[0]  # mapped to ZAC
    code, out = _run(scratch_url, data_dir, *args, "--map", "ZIP+")
    assert code != 0 and "1_ZIP=ZIP" in out

    code, out = _run(scratch_url, data_dir, "zones", "categories", "--profession", "medecin")
    assert code == 0 and "arrete_2025" in out and "ignorées" in out
    code, out = _run(
        scratch_url,
        data_dir,
        "zones",
        "categories",
        "alias",
        "--profession=medecin",
        "--method=arrete_2025",
        "--code=HZ",
        "Non zoné",
    )
    assert code == 0 and "Non zoné" in out


def test_a_file_by_tvs_dry_runs_after_load_tvs(
    idf_engine: sa.Engine, scratch_url: str, data_dir: Path, tmp_path: Path
) -> None:
    code, out = _run(scratch_url, data_dir, "data", "load-tvs", str(drees_csv(tmp_path)))
    assert code == 0, out
    load_contours(idf_engine, tmp_path)  # the workbook has a Zonage_QPV sheet too
    code, out = _run(
        scratch_url,
        data_dir,
        "zones",
        "import",
        str(drees_zonage_tvs(tmp_path)),
        "--region=11",
        "--reference=18-TVS",
        "--signed=2018-03-01",
        "--effective-from=2018-03-01",
        "--profession=medecin",
        "--dry-run",
        "--no-index",
    )
    assert code == 0, out
    out = " ".join(out.split())
    assert "Lignes retenues : 4" in out and "Hors vivier 1" in out  # 3 TVS + 1 QPV
    assert "ignorées (autres régions) : 1" in out and "« Zonage_TVS »" in out
    assert "correspondance TVS du 2018-01-01" in out


def test_a_header_row_below_one_is_refused_before_any_reading(
    idf_engine: sa.Engine, scratch_url: str, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("code_insee;categorie\n93008;ZIP\n", encoding="utf-8")
    for bad in ("0", "-1"):
        code, out = _run(
            scratch_url,
            data_dir,
            "zones",
            "import",
            str(path),
            "--region=11",
            "--reference=R-1",
            "--signed=2018-03-01",
            "--effective-from=2018-03-01",
            f"--header-row={bad}",
            "--dry-run",
        )
        assert code == 2, out
        assert "header-row" in out and "1" in out
