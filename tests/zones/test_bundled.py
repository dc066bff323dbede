"""The committed shapefile of decree 12-209 is what the README's recipe rebuilds."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import sqlalchemy as sa
from pyproj import CRS

from cesp.field_schema import ZONE_FIELDS
from cesp.geo.crs import LAMBERT93
from cesp.geo.loader import load_reference
from cesp.storage.settings import REPO_ROOT
from cesp.zones.bundled import BUNDLED, load_bundled
from cesp.zones.decrees import decree_zones, get_decree
from cesp.zones.export import write_zones, zones_frame

COMMITTED = REPO_ROOT / "data" / "shapefiles" / "idf-12-209-medecin.zip"
ILE_DE_FRANCE = ["75", "77", "78", "91", "92", "93", "94", "95"]
ZUS = {"ZUS 18ème", "ZUS 19ème"}


def _read(path: Path) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(f"/vsizip/{path}")
    return frame.sort_values("zone_id").reset_index(drop=True)


def _clean(value: object) -> object:
    """Missing values read back as None or NaN depending on the column type."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _records(frame: gpd.GeoDataFrame) -> list[dict[str, object]]:
    return [
        {k: _clean(v) for k, v in row.items()}
        for row in frame.drop(columns="geometry").to_dict("records")
    ]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {Path(n).suffix: archive.read(n) for n in archive.namelist()}


@pytest.fixture
def rebuilt(scratch_engine: sa.Engine, data_dir: Path, tmp_path: Path) -> Path:
    """Rebuild the zip as data/shapefiles/README.md says (export --decree 1, lambert93)."""
    load_reference(scratch_engine, data_dir, ILE_DE_FRANCE)
    (report,) = load_bundled(scratch_engine, actor="test")
    assert report.status == "published" and report.decree is not None
    with scratch_engine.connect() as conn:
        decree = get_decree(conn, report.decree.id)
        zones = decree_zones(conn, [decree.id])
        frame = zones_frame(conn, [decree], zones)
    return write_zones(frame, tmp_path / "idf-12-209-medecin.zip", "shp", LAMBERT93)


def test_committed_shapefile_matches_a_rebuild(rebuilt: Path, scratch_engine: sa.Engine):
    committed, fresh = _read(COMMITTED), _read(rebuilt)
    assert len(committed) == len(fresh) == 31
    assert _records(fresh) == _records(committed)
    assert CRS(committed.crs).equals(CRS(fresh.crs))
    assert CRS(fresh.crs).to_epsg() == 2154
    for name, old, new in zip(committed["nom"], committed.geometry, fresh.geometry, strict=True):
        assert old.hausdorff_distance(new) < 1.0, name
        assert old.symmetric_difference(new).area < 1.0, name

    committed_parts, fresh_parts = _parts(COMMITTED), _parts(rebuilt)
    assert (
        sorted(committed_parts)
        == sorted(fresh_parts)
        == [
            ".cpg",
            ".dbf",
            ".prj",
            ".shp",
            ".shx",
        ]
    )
    for parts in (committed_parts, fresh_parts):
        assert parts[".cpg"].decode().strip().upper() == "UTF-8"
        prj = CRS.from_wkt(parts[".prj"].decode())
        assert prj.equals(CRS(LAMBERT93)) and "Lambert" in prj.name

    with scratch_engine.connect() as conn:
        flagged = conn.execute(
            sa.text(
                "SELECT z.name, c.commune_code, c.approximate FROM zones z "
                "JOIN zone_communes c ON c.zone_id = z.id WHERE z.approximate"
            )
        ).all()
    assert sorted((name, code) for name, code, _ in flagged) == [
        ("ZUS 18ème", "75118"),
        ("ZUS 19ème", "75119"),
    ]
    assert BUNDLED[0].request.reference == "12-209"


def test_committed_shapefile_opens_as_the_readme_says(data_dir: Path):
    frame = _read(COMMITTED)
    assert CRS(frame.crs).to_epsg() == 2154
    assert list(frame.columns) == [*ZONE_FIELDS.names, "geometry"]
    assert set(frame["arrete"]) == {"12-209"} and set(frame["insee_reg"]) == {"11"}
    assert {str(d.date()) for d in frame["signe"]} == {"2012-05-24"}, "dates are DATE fields"
    assert {str(d.date()) for d in frame["debut"]} == {"2012-05-24"}
    assert set(frame.loc[frame["nom"] == "ZUS 18ème", "insee_com"]) == {"75118"}
    assert set(frame["categorie"]) == {"zone_deficitaire"}
    assert "Dammartin-en-Goële" in set(frame["nom"])  # UTF-8 attributes read back right

    approximate = frame[frame["approx"].astype(bool)]
    assert set(approximate["nom"]) == ZUS
    for reason in approximate["raison"]:
        assert "ZUS" in reason and "arrondissement entier" in reason
    assert frame.loc[~frame["nom"].isin(ZUS), "raison"].isna().all()
    # the ZUS are approximated by the whole 18th and 19th arrondissements
    arrondissements = pyogrio.read_dataframe(data_dir / "paris-arrondissements.geojson")
    arrondissements = arrondissements.set_index(arrondissements["c_arinsee"].astype(int))
    for name, code in (("ZUS 18ème", 75118), ("ZUS 19ème", 75119)):
        zone = frame.loc[frame["nom"] == name].geometry.iloc[0]
        whole = arrondissements.loc[[code]].to_crs(LAMBERT93).geometry.iloc[0]
        assert zone.hausdorff_distance(whole) < 1.0, name
