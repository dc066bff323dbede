"""Exports for ARS staff: zones for QGIS, eligible communes for spreadsheets."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from cesp.errors import InvalidInputError
from cesp.field_schema import ELIGIBLE_COMMUNE_FIELDS, ZONE_FIELDS
from cesp.geo.crs import LAMBERT93, WGS84
from cesp.spreadsheets import Dialect
from cesp.zones.cells import safe_cell
from cesp.zones.export import (
    _dbf_text,
    communes_csv,
    communes_xlsx,
    communes_zip,
    default_export_crs,
    eligible_communes,
    write_zones,
    zones_frame,
    zones_in_force,
)
from cesp.zones.importer import import_decree
from tests.zones.helpers import request

IN_FORCE = date(2018, 6, 1)
DECREE = (
    "code_insee;nom_zone;categorie\n"
    "93027;Zone Nord – Épinay;ZIP\n"
    "93001;Zone Nord – Épinay;ZIP\n"
    "93008;=1+1 Bobigny;ZAC\n"
    "93006;Bagnolet;Zone de vigilance\n"
    "75118;ZUS 18ème;ZIP\n"
)


@pytest.fixture
def published(idf_engine, tmp_path: Path):
    """A 2018 decree (ZIP, ZAC and a non-qualifying ZV zone), published."""
    path = tmp_path / "zonage-2018.csv"
    path.write_text(DECREE)
    in_2018 = request(
        reference="18-001", signed=date(2018, 1, 1), effective_from=date(2018, 1, 1), publish=True
    )
    import_decree(idf_engine, path, in_2018, actor="test")
    with idf_engine.connect() as conn:
        decrees, zones = zones_in_force(conn, IN_FORCE, "medecin", "11")
        frame = zones_frame(conn, decrees, zones)
    assert [d.reference for d in decrees] == ["18-001"]
    return frame


@pytest.mark.parametrize(
    ("fmt", "crs"),
    [("gpkg", WGS84), ("gpkg", LAMBERT93), ("shp", LAMBERT93), ("shp", WGS84), ("geojson", WGS84)],
)
def test_zones_round_trip(published, tmp_path: Path, fmt: str, crs: str):
    suffix = {"shp": ".zip"}.get(fmt, f".{fmt}")
    path = write_zones(published, tmp_path / "export" / f"zones{suffix}", fmt, crs)
    back = pyogrio.read_dataframe(f"/vsizip/{path}" if fmt == "shp" else path)

    assert CRS(back.crs).equals(CRS(crs))
    assert len(back) == len(published) == 4
    expected = published.drop(columns="geometry").reset_index(drop=True)
    for column in ("nom", "categorie", "lib_cat", "arrete", "insee_reg", "insee_com"):
        assert list(back[column]) == list(expected[column]), column
    for column in ("signe", "debut"):  # the GeoJSON driver reads ISO dates back as dates
        assert [str(v)[:10] for v in back[column]] == [str(v) for v in expected[column]], column
    assert set(back["nom"]) == {"Zone Nord – Épinay", "=1+1 Bobigny", "Bagnolet", "ZUS 18ème"}
    assert list(back["population"].astype(int)) == list(expected["population"])
    original = published.to_crs(LAMBERT93).geometry
    for got, want in zip(back.to_crs(LAMBERT93).geometry, original, strict=True):
        assert got.hausdorff_distance(want) < 1.0


def test_shapefile_zip_is_ready_for_qgis(published, tmp_path: Path):
    path = write_zones(published, tmp_path / "idf.zip", "shp", LAMBERT93)
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        prj = archive.read("idf.prj").decode()
        cpg = archive.read("idf.cpg").decode().strip()
    assert names == ["idf.cpg", "idf.dbf", "idf.prj", "idf.shp", "idf.shx"]
    assert "Lambert" in prj and CRS.from_wkt(prj).to_epsg() == 2154
    assert cpg.upper() in ("UTF-8", "UTF8")


def test_geojson_is_wgs84_only_and_formats_are_checked(published, tmp_path: Path):
    with pytest.raises(InvalidInputError) as caught:
        write_zones(published, tmp_path / "z.geojson", "geojson", LAMBERT93)
    assert caught.value.field == "crs" and "WGS84" in caught.value.message
    with pytest.raises(InvalidInputError, match="gpkg, shp, geojson, csv, xlsx"):
        write_zones(published, tmp_path / "z.kml", "kml")
    assert not any(tmp_path.glob("z.*"))


@pytest.mark.parametrize(
    ("name", "crs"),
    [
        ("lambert93", LAMBERT93),
        ("Lambert-93", LAMBERT93),
        ("2154", LAMBERT93),
        (None, WGS84),
        ("WGS84", WGS84),
        ("epsg:4326", WGS84),
    ],
)
def test_export_crs_names(name, crs):
    assert default_export_crs(name) == crs


def test_unknown_export_crs_is_refused():
    with pytest.raises(InvalidInputError, match="wgs84 or lambert93"):
        default_export_crs("utm31")


def test_eligible_communes_leave_out_non_qualifying_zones(idf_engine, published):
    with idf_engine.connect() as conn:
        rows = eligible_communes(conn, "11", IN_FORCE, "medecin")
        before = eligible_communes(conn, "11", date(2017, 12, 31), "medecin")
        elsewhere = eligible_communes(conn, "84", IN_FORCE, "medecin")
    assert [(r.code, r.zone, r.category) for r in rows] == [
        ("75118", "ZUS 18ème", "ZIP"),
        ("93001", "Zone Nord – Épinay", "ZIP"),
        ("93008", "=1+1 Bobigny", "ZAC"),
        ("93027", "Zone Nord – Épinay", "ZIP"),
    ]  # Bagnolet is a zone de vigilance: no CESP
    assert rows[0].category_label == "Zone d'intervention prioritaire"
    assert before == [] and elsewhere == []


def test_eligible_communes_csv_follows_the_data_gouv_convention(idf_engine, published):
    with idf_engine.connect() as conn:
        rows = eligible_communes(conn, "11", IN_FORCE, "medecin")
    data = communes_csv(rows)
    assert not data.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM, "," and "."
    text = data.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == ",".join(ELIGIBLE_COMMUNE_FIELDS.names)
    assert lines[1].split(",")[:2] == ["75118", "Paris 18e Arrondissement"]
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    assert list(frame["insee_com"]) == ["75118", "93001", "93008", "93027"]
    assert frame.loc[2, "nom_zone"] == "'=1+1 Bobigny"  # neutralised formula (CSV only)
    assert set(frame["approx"]) == {"false"}
    assert float(frame.loc[0, "couverture"]) == pytest.approx(rows[0].coverage)


def test_eligible_communes_csv_for_a_french_excel(idf_engine, published):
    with idf_engine.connect() as conn:
        rows = eligible_communes(conn, "11", IN_FORCE, "medecin")
    data = communes_csv(rows, Dialect.EXCEL_FR)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with its BOM
    frame = pd.read_csv(io.StringIO(data.decode("utf-8-sig")), sep=";", dtype=str)
    assert list(frame.columns) == ELIGIBLE_COMMUNE_FIELDS.names
    assert set(frame["approx"]) == {"non"}
    coverage = frame.loc[0, "couverture"]
    assert "." not in coverage and float(coverage.replace(",", ".")) == pytest.approx(
        rows[0].coverage
    )


def test_csv_and_its_csvt_read_by_gdal_keep_codes_as_text(idf_engine, published, tmp_path):
    """QGIS's delimited-text import and GDAL read the .csvt beside the .csv: 01001 stays
    text, population an integer, couverture a real, approx a boolean."""
    with idf_engine.connect() as conn:
        rows = eligible_communes(conn, "11", IN_FORCE, "medecin")
    with zipfile.ZipFile(io.BytesIO(communes_zip(rows, "communes"))) as archive:
        assert sorted(archive.namelist()) == ["communes.csv", "communes.csvt"]
        archive.extractall(tmp_path)
    done = subprocess.run(
        [shutil.which("ogrinfo") or "ogrinfo", "-ro", "-so", str(tmp_path / "communes.csv"),
         "communes"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Feature Count: 4" in done.stdout
    for line in ("insee_com: String", "population: Integer", "couverture: Real",
                 "approx: Integer(Boolean)", "zone_id: Integer"):  # fmt: skip
        assert line in done.stdout, line
    back = pyogrio.read_dataframe(tmp_path / "communes.csv")
    assert list(back["insee_com"]) == ["75118", "93001", "93008", "93027"]
    assert list(back.columns[:-1] if "geometry" in back else back.columns) == (
        ELIGIBLE_COMMUNE_FIELDS.names
    )


def test_eligible_communes_xlsx_has_typed_cells_a_frozen_header_and_a_filter(idf_engine, published):
    from openpyxl import load_workbook

    with idf_engine.connect() as conn:
        rows = eligible_communes(conn, "11", IN_FORCE, "medecin")
    book = load_workbook(io.BytesIO(communes_xlsx(rows)))
    assert book.sheetnames == ["communes", "champs"]
    sheet = book["communes"]
    header = [c.value for c in sheet[1]]
    assert header == ELIGIBLE_COMMUNE_FIELDS.names
    column = {name: i + 1 for i, name in enumerate(header)}
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == ["75118", "93001", "93008", "93027"]
    bobigny = sheet.cell(4, column["nom_zone"])
    # A string cell never runs as a formula: shown as written, without the apostrophe.
    assert bobigny.value == "=1+1 Bobigny" and bobigny.data_type == "s"
    assert sheet.cell(2, column["insee_com"]).data_type == "s"  # 01001 stays text
    assert sheet.cell(2, column["population"]).data_type == "n"
    assert isinstance(sheet.cell(2, column["population"]).value, int)
    coverage = sheet.cell(2, column["couverture"])
    assert coverage.data_type == "n" and coverage.value == pytest.approx(rows[0].coverage)
    assert sheet.cell(2, column["approx"]).value is False
    assert sheet.cell(2, column["lib_cat"]).value == "Zone d'intervention prioritaire"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J5"
    width = sheet.column_dimensions["F"].width  # lib_cat: the longest label fits
    assert width >= len("Zone d'action complémentaire")
    assert [c.value for c in book["champs"]["A"]][1:] == ELIGIBLE_COMMUNE_FIELDS.names


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("-Zone", "'-Zone"),
        ("-4.48", "-4.48"),  # a plain number is left alone
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Saint-Denis", "Saint-Denis"),
        ("L'Haÿ-les-Roses", "L'Haÿ-les-Roses"),
        ("", ""),
        (-1, -1),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_exported_geometries_are_valid_multipolygons(published, tmp_path: Path):
    path = write_zones(published, tmp_path / "z.gpkg", "gpkg")
    back = pyogrio.read_dataframe(path)
    assert all(shapely.is_valid(back.geometry))
    assert set(back.geom_type) <= {"MultiPolygon", "Polygon"}


@pytest.mark.parametrize("name", ["zones.gpkg", "zones.shp", "zones.geojson"])
def test_exports_carry_one_typed_schema_with_the_insee_codes(published, tmp_path: Path, name):
    fmt = name.rpartition(".")[2]
    path = write_zones(published, tmp_path / name, fmt, WGS84 if fmt == "geojson" else LAMBERT93)
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert list(info["fields"]) == ZONE_FIELDS.names == [
        "zone_id", "nom", "categorie", "lib_cat", "ouvre_cesp", "insee_com", "nb_com",
        "arrete", "arrete_id", "insee_reg", "profession", "signe", "debut", "fin",
        "population", "approx", "raison",
    ]  # fmt: skip
    assert info["features"] == 4
    # fin is empty everywhere and still a DATE field, except in GeoJSON, whose fields
    # have no declared type (GDAL guesses from the values).
    for day in ("signe", "debut") if fmt == "geojson" else ("signe", "debut", "fin"):
        assert types[day].startswith("datetime64"), (day, types[day])
    assert types["population"].startswith("int") and types["nb_com"].startswith("int")
    if fmt != "shp":  # a .dbf has no boolean GDAL reads as one
        assert types["approx"] == types["ouvre_cesp"] == "bool"
    back = pyogrio.read_dataframe(path)
    bagnolet = back[back["nom"] == "Bagnolet"].iloc[0]
    assert bagnolet["insee_com"] == "93006" and bagnolet["nb_com"] == 1
    assert not bagnolet["ouvre_cesp"] and bagnolet["lib_cat"] == "Zone de vigilance"
    nord = back[back["nom"] == "Zone Nord – Épinay"].iloc[0]
    assert nord["insee_com"] == "93001,93027" and nord["nb_com"] == 2


def test_gpkg_is_version_1_2_and_gdal_opens_it_without_a_warning(published, tmp_path: Path):
    path = write_zones(published, tmp_path / "z.gpkg", "gpkg")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
    done = subprocess.run(
        [shutil.which("ogrinfo") or "ogrinfo", "-so", str(path), "zones"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and "Warning" not in done.stderr, done.stderr
    assert "signe: Date" in done.stdout and "approx: Integer(Boolean)" in done.stdout
    assert "fin: Date" in done.stdout and "population: Integer" in done.stdout
    assert "Feature Count: 4" in done.stdout


def test_ogr2ogr_converts_each_export_keeping_names_and_types(published, tmp_path: Path):
    """ogr2ogr (the installed GDAL) copies the GeoPackage to GeoJSON and back: the schema
    survives each format that has the types."""
    gpkg = write_zones(published, tmp_path / "z.gpkg", "gpkg")
    ogr2ogr = shutil.which("ogr2ogr") or "ogr2ogr"
    for target, driver in ((tmp_path / "z.geojson", "GeoJSON"), (tmp_path / "b.gpkg", "GPKG")):
        source = gpkg if driver == "GeoJSON" else tmp_path / "z.geojson"
        done = subprocess.run(
            [ogr2ogr, "-f", driver, str(target), str(source)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    first, last = pyogrio.read_info(gpkg), pyogrio.read_info(tmp_path / "b.gpkg")
    assert list(last["fields"]) == list(first["fields"]) == ZONE_FIELDS.names
    kept = {"fin", "raison"}  # empty everywhere: GeoJSON has no type for an empty field
    assert [t for f, t in zip(first["fields"], first["dtypes"], strict=True) if f not in kept] == [
        t for f, t in zip(last["fields"], last["dtypes"], strict=True) if f not in kept
    ]
    assert last["features"] == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("93001,93027", "93001,93027"),
        (",".join(f"{n:05d}" for n in range(60)), ",".join(f"{n:05d}" for n in range(42))),
        ("x" * 300, "x" * 254),
        (None, None),
    ],
)
def test_shapefile_text_is_cut_after_a_whole_code(value, expected):
    assert _dbf_text(value) == expected


def test_shp_name_writes_a_real_shapefile_set_and_other_names_are_refused(
    published, tmp_path: Path
):
    write_zones(published, tmp_path / "out" / "z.shp", "shp", LAMBERT93)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "z.cpg", "z.dbf", "z.prj", "z.shp", "z.shx"
    ]  # fmt: skip
    assert len(pyogrio.read_dataframe(tmp_path / "out" / "z.shp")) == 4
    with pytest.raises(InvalidInputError) as caught:
        write_zones(published, tmp_path / "z.dat", "shp")
    assert ".shp" in caught.value.message and ".zip" in caught.value.message_fr
