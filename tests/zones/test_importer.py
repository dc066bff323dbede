"""Importing decree files into a real database: each format, and every way a file is wrong."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
import sqlalchemy as sa
from shapely.geometry import Point, Polygon

from cesp.errors import InvalidInputError, ValidationFailedError
from cesp.zones.importer import import_decree
from cesp.zones.readers import ReadOptions
from tests.zones.helpers import (
    EMPTY,
    commune,
    communes,
    counts,
    request,
    write_geojson,
    zipped_shapefile,
)

SSD = "93-seine-saint-denis.geojson"


def _stored(engine: sa.Engine) -> dict[str, gpd.GeoSeries]:
    """Zone geometries as stored, by zone name, in Lambert-93."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, ST_AsBinary(geom) FROM zones")).all()
    return {
        name: gpd.GeoSeries([shapely.from_wkb(bytes(wkb))], crs=4326).to_crs(2154)
        for name, wkb in rows
    }


def _zone_codes(engine: sa.Engine) -> dict[str, set[str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT z.name, c.commune_code FROM zones z "
                "JOIN zone_communes c ON c.zone_id = z.id"
            )
        ).all()
    result: dict[str, set[str]] = {}
    for name, code in rows:
        result.setdefault(name, set()).add(code)
    return result


def test_windows_shapefile_in_lambert93_imports(idf_engine, data_dir: Path, tmp_path: Path):
    frame = communes(data_dir, SSD, ["93031", "93027", "93001"]).to_crs(2154)
    frame["nom_zone"] = ["Zone prioritaire Épinay", "Zone Courneuve", "Zone Courneuve"]
    path = zipped_shapefile(
        frame[["nom_zone", "geometry"]],
        tmp_path / "zonage.zip",
        encoding="cp1252",
        folder="Zonage arrêté 12-209",
        drop=(".cpg",),
    )
    report = import_decree(idf_engine, path, request(publish=True), actor="test")

    assert report.status == "published"
    assert report.source_format == "shapefile" and report.crs == "EPSG:2154"
    assert report.encoding == "CP1252"
    assert any("CP1252" in note for note in report.notes)
    assert counts(idf_engine) == {"decrees": 1, "zones": 2, "zone_communes": 3}
    assert _zone_codes(idf_engine) == {
        "Zone prioritaire Épinay": {"93031"},
        "Zone Courneuve": {"93027", "93001"},
    }
    stored = _stored(idf_engine)
    sources = {
        "Zone prioritaire Épinay": frame.geometry.iloc[0],
        "Zone Courneuve": frame.geometry.iloc[1:].union_all(),
    }
    for name, source in sources.items():
        geometry = stored[name].iloc[0]
        assert geometry.hausdorff_distance(source) < 1.0, name
        assert geometry.symmetric_difference(source).area < 1e-5 * source.area, name


def test_geojson_imports(idf_engine, data_dir: Path, tmp_path: Path):
    gennevilliers = commune(data_dir, "92-hauts-de-seine.geojson", "92036")
    path = write_geojson(tmp_path / "zones.geojson", [gennevilliers], ["Gennevilliers"])
    report = import_decree(idf_engine, path, request(), actor="test")
    assert report.status == "imported" and report.source_format == "geojson"
    assert report.decree is not None and report.decree.status == "draft"
    assert [(z.name, z.category) for z in report.zones] == [("Gennevilliers", "zone_deficitaire")]
    assert _zone_codes(idf_engine) == {"Gennevilliers": {"92036"}}


def test_geopackage_imports_the_layer_asked(idf_engine, data_dir: Path, tmp_path: Path):
    frame = communes(data_dir, SSD, ["93008", "93006"])
    frame["nom"] = ["Bobigny", "Bagnolet"]
    path = tmp_path / "zonage.gpkg"
    pyogrio.write_dataframe(frame.iloc[:1], path, layer="zonage")
    pyogrio.write_dataframe(frame.iloc[1:], path, layer="projet", append=True)

    with pytest.raises(InvalidInputError, match=r"2 layers \(zonage, projet\)"):
        import_decree(idf_engine, path, request(), actor="test")
    assert counts(idf_engine) == EMPTY

    chosen = request(read=ReadOptions(layer="projet"))
    report = import_decree(idf_engine, path, chosen, actor="test")
    assert report.source_format == "gpkg"
    assert _zone_codes(idf_engine) == {"Bagnolet": {"93006"}}


@pytest.mark.parametrize("fmt", ["csv-utf8-semicolon", "csv-cp1252-comma", "xlsx"])
def test_table_of_codes_imports(idf_engine, tmp_path: Path, fmt: str):
    rows = [("93027", "Zone Nord-Est"), ("93001", "Zone Nord-Est"), ("75118", "ZUS 18ème")]
    if fmt == "xlsx":
        path = tmp_path / "zonage.xlsx"
        pd.DataFrame(rows, columns=["code_insee", "nom_zone"]).to_excel(path, index=False)
    else:
        separator, encoding = (";", "utf-8") if "utf8" in fmt else (",", "cp1252")
        lines = [f"code_insee{separator}nom_zone"] + [separator.join(r) for r in rows]
        path = tmp_path / "zonage.csv"
        path.write_bytes("\n".join(lines).encode(encoding))
    report = import_decree(idf_engine, path, request(), actor="test")
    assert {z.name: z.communes for z in report.zones} == {"Zone Nord-Est": 2, "ZUS 18ème": 1}
    assert report.communes == 3
    assert _zone_codes(idf_engine) == {"Zone Nord-Est": {"93027", "93001"}, "ZUS 18ème": {"75118"}}
    with idf_engine.connect() as conn:
        population = conn.execute(
            sa.text("SELECT population FROM zones WHERE name = 'Zone Nord-Est'")
        ).scalar_one()
    assert population == 47167 + 88365  # La Courneuve + Aubervilliers


def _no_prj(tmp_path: Path, data_dir: Path) -> Path:
    frame = communes(data_dir, SSD, ["93027"]).to_crs(2154)
    return zipped_shapefile(frame, tmp_path / "z.zip", folder="zonage", drop=(".prj",))


def _swapped(tmp_path: Path, data_dir: Path) -> Path:
    geometry = commune(data_dir, SSD, "93027")
    swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
    return write_geojson(tmp_path / "swapped.geojson", [swapped])


def _degenerate(tmp_path: Path, data_dir: Path) -> Path:
    x, y = commune(data_dir, SSD, "93027").representative_point().coords[0]
    flat = Polygon([(x, y), (x + 0.001, y + 0.001), (x + 0.001, y + 0.001), (x, y)])
    return write_geojson(tmp_path / "flat.geojson", [flat])


def _lyon(tmp_path: Path, data_dir: Path) -> Path:
    lyon = commune(data_dir, "69-rhone.geojson", "69123")
    return write_geojson(tmp_path / "lyon.geojson", [lyon], ["Lyon"])


def _point(tmp_path: Path, data_dir: Path) -> Path:
    return write_geojson(tmp_path / "point.geojson", [Point(2.39, 48.93)])


def _text(content: str, name: str = "codes.csv"):
    def build(tmp_path: Path, _data_dir: Path) -> Path:
        path = tmp_path / name
        path.write_text(content)
        return path

    return build


def _zip_without_shapefile(tmp_path: Path, _data_dir: Path) -> Path:
    path = tmp_path / "arrete.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("arrete/lisez-moi.txt", "voir la carte")
    return path


def _random_bytes(tmp_path: Path, _data_dir: Path) -> Path:
    path = tmp_path / "zonage.shp.zip"
    path.write_bytes(bytes((i * 7919) % 256 for i in range(4096)))
    return path


BROKEN = {
    "missing-prj": (_no_prj, {}, [".prj", "assume_crs"]),
    "swapped": (_swapped, {}, ["row 1", "swapped"]),
    "degenerate": (_degenerate, {}, ["row 1", "cannot be repaired"]),
    "outside-region": (_lyon, {}, ["row 1", "outside region 11"]),
    "point": (_point, {}, ["row 1", "must be a polygon", "Point"]),
    "unknown-code": (
        _text("code_insee;nom_zone\n93027;A\n99999;B\n"),
        {},
        ["row 3", "unknown INSEE code 99999"],
    ),
    "other-region": (
        _text("code_insee\n93027\n"),
        {"region": "84"},
        ["no zone for region 84", "1 row(s) of other regions"],
    ),
    "twice": (_text("code_insee;nom\n93027;A\n93027;B\n"), {}, ["row 3", "listed twice"]),
    "bad-category": (
        _text("code_insee;categorie\n93027;ZUS\n"),
        {},
        ["row 2", "category 'ZUS' is not one of"],
    ),
    "no-category-2018": (
        _text("code_insee\n93027\n"),
        {"signed": date(2018, 1, 1), "effective_from": date(2018, 1, 1)},
        ["row 2", "no category"],
    ),
    "malformed-code": (_text("code_insee\n9302\n93A27\n"), {}, ["row 3", "'93A27'"]),
    "empty": (_text(""), {}, ["empty"]),
    "header-only": (_text("code_insee;nom_zone\n"), {}, ["holds no zone"]),
    "zip-without-shapefile": (_zip_without_shapefile, {}, ["exactly one shapefile", "none"]),
    "random-bytes": (_random_bytes, {}, ["unrecognised file format"]),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_is_refused_and_nothing_is_written(
    idf_engine, data_dir: Path, tmp_path: Path, case: str
):
    build, overrides, fragments = BROKEN[case]
    path = build(tmp_path, data_dir)
    with pytest.raises(InvalidInputError) as caught:
        import_decree(idf_engine, path, request(publish=True, **overrides), actor="test")
    message = caught.value.message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert caught.value.message_fr and caught.value.message_fr != message
    assert counts(idf_engine) == EMPTY


def test_unknown_code_is_listed_with_its_row(idf_engine, tmp_path: Path):
    path = _text("code_insee;nom_zone\n93027;A\n99999;B\n12345;C\n")(tmp_path, tmp_path)
    with pytest.raises(ValidationFailedError) as caught:
        import_decree(idf_engine, path, request(), actor="test")
    assert [(p.row, p.field) for p in caught.value.problems] == [(3, "code"), (4, "code")]
    assert "99999" in caught.value.problems[0].message
    assert caught.value.as_dict()["problems"][1]["row"] == 4


def test_missing_prj_imports_with_assume_crs(idf_engine, data_dir: Path, tmp_path: Path):
    path = _no_prj(tmp_path, data_dir)
    assumed = request(read=ReadOptions(assume_crs="EPSG:2154"))
    report = import_decree(idf_engine, path, assumed, actor="test")
    assert "système de coordonnées supposé : EPSG:2154" in report.notes
    assert _zone_codes(idf_engine) == {"Courneuve": {"93027"}}  # the `nom` column


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"region": "99"}, "region"),
        ({"reference": "  "}, "reference"),
        ({"profession": "kine"}, "profession"),
        ({"profession": "sage-femme"}, "profession"),
        ({"effective_from": date(2012, 1, 1)}, "effective_from"),
        ({"effective_to": date(2012, 5, 1)}, "effective_to"),
    ],
)
def test_bad_request_names_the_field(idf_engine, tmp_path: Path, overrides, field):
    path = _text("code_insee\n93027\n")(tmp_path, tmp_path)
    with pytest.raises(InvalidInputError) as caught:
        import_decree(idf_engine, path, request(**overrides), actor="test")
    assert caught.value.field == field
    assert counts(idf_engine) == EMPTY


def test_unknown_default_category_is_refused(idf_engine, tmp_path: Path):
    path = _text("code_insee\n93027\n")(tmp_path, tmp_path)
    with pytest.raises(InvalidInputError, match="category 'ZUS' is not one of") as caught:
        import_decree(idf_engine, path, request(category="ZUS"), actor="test")
    assert caught.value.field == "category"
    assert counts(idf_engine) == EMPTY
