"""Reading decree files: format, encoding, CRS, layers, rows located by line (no database)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from cesp.errors import InvalidInputError, ValidationFailedError
from cesp.zones.archive import ArchiveLimits, safe_extract
from cesp.zones.formats import sniff_format
from cesp.zones.readers import ReadOptions, read_source
from tests.zones.helpers import communes, zipped_shapefile


@pytest.fixture
def seine_saint_denis(data_dir: Path):
    frame = communes(data_dir, "93-seine-saint-denis.geojson", ["93031", "93027", "93001"])
    frame["nom_zone"] = ["Zone prioritaire Épinay", "Zone Courneuve", "Zone Courneuve"]
    return frame[["nom_zone", "geometry"]]


def test_windows_shapefile_without_cpg_is_read_as_cp1252(seine_saint_denis, tmp_path: Path):
    path = zipped_shapefile(
        seine_saint_denis.to_crs(2154),
        tmp_path / "zonage.zip",
        encoding="cp1252",
        folder="Arrêté 12-209",
        drop=(".cpg",),
    )
    assert sniff_format(path) == "shapefile-zip"
    table = read_source(path, ReadOptions())
    assert table.format == "shapefile"
    assert table.encoding == "CP1252"
    assert any("CP1252" in note and ".cpg" in note for note in table.notes)
    assert table.crs == "EPSG:2154"
    assert [r.name for r in table.rows] == [
        "Zone prioritaire Épinay",
        "Zone Courneuve",
        "Zone Courneuve",
    ]
    assert [r.row for r in table.rows] == [1, 2, 3]
    # reprojected to WGS84 for storage
    minx, miny, maxx, maxy = table.rows[0].geometry.bounds
    assert 2.2 < minx < maxx < 2.4 and 48.9 < miny < maxy < 49.0


def test_utf8_shapefile_without_cpg_is_detected_as_utf8(seine_saint_denis, tmp_path: Path):
    path = zipped_shapefile(seine_saint_denis, tmp_path / "z.zip", drop=(".cpg",))
    table = read_source(path, ReadOptions())
    assert table.encoding == "UTF-8"
    assert table.rows[0].name == "Zone prioritaire Épinay"


def test_shapefile_without_prj_needs_assume_crs(seine_saint_denis, tmp_path: Path):
    path = zipped_shapefile(seine_saint_denis.to_crs(2154), tmp_path / "z.zip", drop=(".prj",))
    with pytest.raises(InvalidInputError) as caught:
        read_source(path, ReadOptions())
    assert caught.value.field == "assume_crs"
    assert ".prj" in caught.value.message and "assume_crs" in caught.value.message
    table = read_source(path, ReadOptions(assume_crs="EPSG:2154"))
    assert table.crs == "EPSG:2154"
    assert "système de coordonnées supposé : EPSG:2154" in table.notes
    assert 2.2 < table.rows[0].geometry.centroid.x < 2.4


def test_geopackage_with_two_layers_needs_a_layer(seine_saint_denis, tmp_path: Path):
    path = tmp_path / "zonages.gpkg"
    pyogrio.write_dataframe(seine_saint_denis.iloc[:1], path, layer="zonage_2012")
    pyogrio.write_dataframe(seine_saint_denis.iloc[1:], path, layer="brouillon", append=True)
    assert sniff_format(path) == "gpkg"
    with pytest.raises(InvalidInputError) as caught:
        read_source(path, ReadOptions())
    assert caught.value.field == "layer"
    assert "zonage_2012" in caught.value.message and "brouillon" in caught.value.message
    with pytest.raises(InvalidInputError, match="'zonage_2018' is not in the GeoPackage"):
        read_source(path, ReadOptions(layer="zonage_2018"))
    table = read_source(path, ReadOptions(layer="brouillon"))
    assert [r.name for r in table.rows] == ["Zone Courneuve", "Zone Courneuve"]


@pytest.mark.parametrize("separator", [";", ","])
@pytest.mark.parametrize(("encoding", "label"), [("utf-8-sig", "UTF-8"), ("cp1252", "CP1252")])
def test_csv_of_codes(tmp_path: Path, separator: str, encoding: str, label: str):
    text = (
        f"code_insee{separator}nom_zone\n93031{separator}Épinay-sur-Seine\n93027{separator}Zone B\n"
    )
    path = tmp_path / "codes.csv"
    path.write_bytes(text.encode(encoding))
    table = read_source(path, ReadOptions())
    assert table.format == "csv" and table.by_codes
    assert table.encoding == label
    assert [(r.row, r.code, r.name) for r in table.rows] == [
        (2, "93031", "Épinay-sur-Seine"),
        (3, "93027", "Zone B"),
    ]


def test_code_that_lost_its_leading_zero_is_padded(tmp_path: Path):
    path = tmp_path / "ain.csv"
    path.write_text("code_insee;nom_zone\n1001;L'Abergement-Clémenciat\n01002;B\n")
    table = read_source(path, ReadOptions())
    assert [r.code for r in table.rows] == ["01001", "01002"]
    assert any("zéro initial" in note and note.startswith("1 ") for note in table.notes)


def test_xlsx_of_codes(tmp_path: Path):
    path = tmp_path / "codes.xlsx"
    frame = pd.DataFrame({"Code INSEE": ["93031", "2A004"], "Nom zone": ["Épinay", "Ajaccio"]})
    frame.to_excel(path, index=False)
    assert sniff_format(path) == "xlsx"
    table = read_source(path, ReadOptions())
    assert [(r.row, r.code, r.name) for r in table.rows] == [
        (2, "93031", "Épinay"),
        (3, "2A004", "Ajaccio"),
    ]


def test_table_without_code_column_is_refused(tmp_path: Path):
    path = tmp_path / "sans-code.csv"
    path.write_text("commune;zone\nBobigny;A\n")
    with pytest.raises(InvalidInputError, match="no commune code column"):
        read_source(path, ReadOptions())


def test_unknown_name_field_lists_the_columns(tmp_path: Path):
    path = tmp_path / "codes.csv"
    path.write_text("code_insee;libelle\n93031;A\n")
    with pytest.raises(InvalidInputError) as caught:
        read_source(path, ReadOptions(name_field="nom_du_zonage"))
    assert caught.value.field == "name_field"
    assert "code_insee, libelle" in caught.value.message


def test_csv_rows_are_numbered_by_line_even_after_a_blank_line(tmp_path: Path):
    path = tmp_path / "codes.csv"
    path.write_text("code_insee;nom_zone\n93031;A\n\n99999;B\n")
    table = read_source(path, ReadOptions())
    assert [(r.row, r.code) for r in table.rows] == [(2, "93031"), (4, "99999")]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \r\n ", "empty"),
        (bytes(range(256)) * 8, "unrecognised file format"),
        (b"PK\x03\x04" + b"\x00" * 200, "damaged"),
    ],
    ids=["empty", "blank", "random-bytes", "damaged-zip"],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=message) as caught:
        read_source(path, ReadOptions())
    assert caught.value.field == "file"


def test_zip_without_shapefile_is_refused(tmp_path: Path):
    path = _zip(tmp_path / "docs.zip", {"lisez-moi.txt": b"arrete", "carte.pdf": b"%PDF"})
    with pytest.raises(InvalidInputError, match=r"exactly one shapefile.*found: none"):
        read_source(path, ReadOptions())


def test_zip_with_two_shapefiles_takes_the_layer_asked(seine_saint_denis, tmp_path: Path):
    first = zipped_shapefile(seine_saint_denis.iloc[:1], tmp_path / "a.zip", folder="a")
    second = zipped_shapefile(seine_saint_denis.iloc[1:], tmp_path / "b.zip", folder="b")
    members = {}
    for source in (first, second):
        with zipfile.ZipFile(source) as archive:
            members |= {
                n.replace("zonage", f"zonage_{source.stem}"): archive.read(n)
                for n in archive.namelist()
            }
    path = _zip(tmp_path / "both.zip", members)
    with pytest.raises(InvalidInputError, match=r"zonage_a\.shp, zonage_b\.shp"):
        read_source(path, ReadOptions())
    table = read_source(path, ReadOptions(layer="zonage_b"))
    assert len(table.rows) == 2


def test_shapefile_missing_its_dbf_is_refused(seine_saint_denis, tmp_path: Path):
    path = zipped_shapefile(seine_saint_denis, tmp_path / "z.zip", drop=(".dbf",))
    with pytest.raises(InvalidInputError, match=r"lacks its \.dbf"):
        read_source(path, ReadOptions())


def test_geojson_without_features_holds_no_zone(tmp_path: Path):
    path = tmp_path / "vide.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(ValidationFailedError, match="holds no zone"):
        read_source(path, ReadOptions())


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../../etc/zonage.shp", "climbs out"),
        ("/tmp/zonage.shp", "absolute"),
        ("zonage.exe", "unexpected type"),
    ],
)
def test_unsafe_archive_members_are_refused(tmp_path: Path, member: str, message: str):
    path = _zip(tmp_path / "evil.zip", {member: b"x"})
    destination = tmp_path / "out"
    destination.mkdir()
    with pytest.raises(InvalidInputError, match=message):
        safe_extract(path, destination)
    assert not any(destination.iterdir())


def test_zip_bomb_is_refused(tmp_path: Path):
    path = _zip(tmp_path / "bomb.zip", {"zonage.dbf": b"\x00" * 5_000_000})
    with pytest.raises(InvalidInputError, match="zip bomb"):
        safe_extract(path, tmp_path)
    with pytest.raises(InvalidInputError, match="more than 1000 bytes"):
        safe_extract(path, tmp_path, limits=ArchiveLimits(max_total_bytes=1000, max_ratio=1e9))
