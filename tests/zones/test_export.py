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
from cesp.geo.crs import LAMBERT93, WGS84
from cesp.zones.export import (
    COMMUNE_HEADERS,
    communes_csv,
    communes_xlsx,
    default_export_crs,
    eligible_communes,
    safe_cell,
    write_zones,
    zone_codes,
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
        codes = zone_codes(conn, zones)
    assert [d.reference for d in decrees] == ["18-001"]
    return zones_frame(decrees, zones, codes)


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
    for column in ("nom", "categorie", "arrete", "region"):
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
    with pytest.raises(InvalidInputError, match="gpkg, shp, geojson"):
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


def test_eligible_communes_csv_opens_in_a_french_spreadsheet(idf_engine, published):
    with idf_engine.connect() as conn:
        rows = eligible_communes(conn, "11", IN_FORCE, "medecin")
    data = communes_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == ";".join(COMMUNE_HEADERS)
    assert lines[1].split(";")[:3] == ["75118", "Paris 18e Arrondissement", "ZUS 18ème"]
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    assert list(frame["code_insee"]) == ["75118", "93001", "93008", "93027"]
    assert frame.loc[2, "zone"] == "'=1+1 Bobigny"  # neutralised formula
    assert set(frame["approximatif"]) == {"non"}


def test_eligible_communes_xlsx(idf_engine, published):
    with idf_engine.connect() as conn:
        rows = eligible_communes(conn, "11", IN_FORCE, "medecin")
    frame = pd.read_excel(io.BytesIO(communes_xlsx(rows)), sheet_name="communes", dtype=str)
    assert list(frame.columns) == COMMUNE_HEADERS
    assert list(frame["code_insee"]) == ["75118", "93001", "93008", "93027"]
    assert list(frame["libelle_categorie"])[2] == "Zone d'action complémentaire"
    assert frame.loc[2, "zone"] == "'=1+1 Bobigny"


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
    assert list(info["fields"]) == [
        "zone_id", "nom", "categorie", "insee_com", "nb_com", "arrete", "arrete_id",
        "region", "profession", "signe", "debut", "fin", "population", "approx", "raison",
    ]  # fmt: skip
    assert info["features"] == 4
    assert types["signe"].startswith("datetime64") and types["debut"].startswith("datetime64")
    assert types["population"].startswith("int") and types["nb_com"].startswith("int")
    if fmt != "shp":  # a .dbf has no boolean GDAL reads as one
        assert types["approx"] == "bool"
    back = pyogrio.read_dataframe(path)
    bagnolet = back[back["nom"] == "Bagnolet"].iloc[0]
    assert bagnolet["insee_com"] == "93006" and bagnolet["nb_com"] == 1


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
