"""``cesp zones export`` and ``cesp zones communes``: the files an ARS officer opens."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pyogrio
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from cesp.cli.main import app
from cesp.field_schema import ELIGIBLE_COMMUNE_FIELDS, ZONE_FIELDS
from tests.zones.helpers import publish_codes

runner = CliRunner()


@pytest.fixture
def zoned_url(idf_engine: sa.Engine, scratch_url: str, tmp_path: Path) -> str:
    """75, 92 and 93 with decree 12-209 (2012)."""
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    return scratch_url


def _run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.output


def test_zones_export_on_a_french_date_has_the_schema_fields(zoned_url: str, tmp_path: Path):
    target = tmp_path / "zones.gpkg"
    code, out = _run(
        zoned_url, "zones", "export", "--region", "11", "--date", "01/01/2013", "-o", str(target)
    )
    assert code == 0, out
    info = pyogrio.read_info(target)
    assert list(info["fields"]) == ZONE_FIELDS.names and info["features"] > 0
    back = pyogrio.read_dataframe(target)
    assert set(back["arrete"]) == {"12-209"} and back["insee_com"].notna().all()


def test_the_output_name_says_the_format_and_a_name_that_says_none_is_refused(
    zoned_url: str, tmp_path: Path
):
    """``-o zones.geojson`` is GeoJSON (it was a GeoPackage under that name), ``.zip`` a
    zipped shapefile; a folder, ``.txt`` or a ``--format`` the name contradicts gets
    exit 2 and the extensions that work, in French then English, and nothing written."""
    args = ("zones", "export", "--region", "11", "--date", "01/01/2013", "-o")
    geojson = tmp_path / "zones.geojson"
    code, out = _run(zoned_url, *args, str(geojson))
    assert code == 0, out
    assert pyogrio.read_info(geojson)["driver"] == "GeoJSON"
    zipped = tmp_path / "zones.zip"
    code, out = _run(zoned_url, *args, str(zipped))
    assert code == 0, out
    assert pyogrio.read_info(f"/vsizip/{zipped}/zones.shp")["features"] > 0
    for target, extra, said in (
        (tmp_path, (), "est un dossier"),
        (tmp_path / "zones.txt", (), "l'extension ne dit pas"),
        (tmp_path / "zones", (), ".gpkg, .shp, .zip, .geojson"),
        (tmp_path / "other.gpkg", ("--format", "geojson"), ".geojson ou .json"),
    ):
        code, out = _run(zoned_url, *args, str(target), *extra)
        assert code == 2 and said in " ".join(out.split()), out
        assert "Traceback" not in out
    assert not (tmp_path / "zones.txt").exists() and not (tmp_path / "other.gpkg").exists()
    assert not (tmp_path / "zones").exists()


def test_zones_list_for_a_spreadsheet(zoned_url: str, tmp_path: Path):
    """The zones without geometry, same fields: a French Excel file and a typed XLSX."""
    target = tmp_path / "zones.csv"
    args = ("zones", "export", "--region", "11", "--date", "01/01/2013", "-o")
    code, out = _run(zoned_url, *args, str(target), "--format", "csv", "--dialect", "excel-fr")
    assert code == 0, out
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert list(rows[0]) == ZONE_FIELDS.names
    assert {r["debut"] for r in rows} == {"24/05/2012"} and {r["fin"] for r in rows} == {""}
    assert {r["ouvre_cesp"] for r in rows} == {"oui"}
    workbook = tmp_path / "zones.xlsx"
    code, out = _run(zoned_url, *args, str(workbook), "--format", "xlsx")
    assert code == 0, out
    sheet = load_workbook(workbook)["zones"]
    assert [c.value for c in sheet[1]] == ZONE_FIELDS.names
    assert sheet.cell(2, ZONE_FIELDS.names.index("signe") + 1).is_date
    code, out = _run(zoned_url, *args, str(tmp_path / "zones.txt"), "--format", "csv")
    assert code == 2 and ".csv" in out


def test_communes_csv_with_its_csvt_and_the_xlsx(zoned_url: str, tmp_path: Path):
    target = tmp_path / "communes.csv"
    args = ("zones", "communes", "--region", "11", "--date", "01/01/2013")
    code, out = _run(zoned_url, *args, "-o", str(target))
    assert code == 0, out
    assert "communes.csvt" in " ".join(out.split())
    assert target.with_suffix(".csvt").read_bytes().decode() == ELIGIBLE_COMMUNE_FIELDS.csvt()
    done = subprocess.run(
        [shutil.which("ogrinfo") or "ogrinfo", "-ro", "-al", "-so", str(target)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "insee_com: String" in done.stdout and "couverture: Real" in done.stdout
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["insee_com"] for r in rows} >= {"93008", "93027"}

    workbook = tmp_path / "communes.xlsx"
    code, out = _run(zoned_url, *args, "-o", str(workbook))
    assert code == 0, out
    sheet = load_workbook(workbook)["communes"]
    assert [c.value for c in sheet[1]] == ELIGIBLE_COMMUNE_FIELDS.names
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref

    code, out = _run(zoned_url, *args, "-o", str(tmp_path / "c.ods"))
    assert code == 2 and ".xlsx" in out
