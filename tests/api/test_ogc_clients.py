"""Real OGC API - Features clients against ``cesp serve`` on 127.0.0.1: GDAL's OAPIF
driver (``ogrinfo``/``ogr2ogr`` from Debian's gdal-bin) and OWSLib."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyogrio
import pytest
import shapely
import sqlalchemy as sa
from owslib.ogcapi.features import Features

from cesp.field_schema import ZONE_FIELDS
from cesp.geo.crs import LAMBERT93, WGS84, reproject
from cesp.zones.decrees import Decree
from cesp.zones.export import write_zones, zones_frame, zones_in_force
from tests.api.live_server import LiveServer


def _gdal(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} not found: install Debian's gdal-bin (.ci/run does)"
    done = subprocess.run([path, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_lists_the_collections(ogc_server: LiveServer, zoned: tuple[str, Decree, Decree]):
    _, decree_2012, decree_2018 = zoned
    listing = _gdal("ogrinfo", "-ro", "-q", f"OAPIF:{ogc_server.base}/ogc")
    layers = set(re.findall(r"^\d+: (\S+) ", listing, re.MULTILINE))
    assert layers == {
        "zones",
        f"decree-{decree_2012.id}",
        f"decree-{decree_2018.id}",
        "communes",
        "posts",
    }
    summary = _gdal("ogrinfo", "-ro", "-so", f"OAPIF:{ogc_server.base}/ogc", "zones")
    assert "Feature Count: 3" in summary and "Multi Polygon" in summary


def test_gdal_copies_the_zones_in_force_into_a_geopackage(
    ogc_server: LiveServer, db: sa.Engine, tmp_path: Path
):
    target = tmp_path / "zones.gpkg"
    # Pages of 2 features: GDAL follows our next links to get the third zone.
    _gdal(
        "ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{ogc_server.base}/ogc", "zones",
        "-oo", "PAGE_SIZE=2", "-preserve_fid",
    )  # fmt: skip
    copied = pyogrio.read_dataframe(target, fid_as_index=True)
    with db.connect() as conn:
        _, zones = zones_in_force(conn, date.today(), "medecin")
    assert sorted(copied.index) == sorted(z.id for z in zones)
    for zone in zones:
        row = copied.loc[zone.id]
        assert (row["nom"], row["categorie"]) == (zone.name, zone.category)
        assert row["arrete"] == "17-1000"
        ours = reproject(zone.geometry, WGS84, LAMBERT93)
        theirs = reproject(row.geometry, WGS84, LAMBERT93)
        assert theirs.area == pytest.approx(ours.area, rel=1e-6)
        # Served to 7 decimals of a degree (a centimetre).
        assert shapely.equals_exact(row.geometry, zone.geometry, tolerance=1e-7)


def _ogr_fields(target: Path, layer: str) -> dict[str, str]:
    """Field name -> GDAL type (``Date``, ``Integer(Boolean)``...) as ogrinfo prints them."""
    summary = _gdal("ogrinfo", "-ro", "-so", str(target), layer)
    return dict(re.findall(r"^(\w+): (\S+) \(", summary, re.MULTILINE))


def test_the_oapif_layer_has_the_fields_and_types_of_the_geopackage_export(
    ogc_server: LiveServer, db: sa.Engine, tmp_path: Path
):
    """A QGIS style made on the GeoPackage export works on the OGC layer: GDAL reads the
    same field names, in the same order, with the same types (dates, integers, booleans)."""
    copied = tmp_path / "oapif.gpkg"
    _gdal("ogr2ogr", "-f", "GPKG", str(copied), f"OAPIF:{ogc_server.base}/ogc", "zones")
    with db.connect() as conn:
        decrees, zones = zones_in_force(conn, date.today(), "medecin")
        exported = write_zones(zones_frame(conn, decrees, zones), tmp_path / "z.gpkg", "gpkg")
    served, written = _ogr_fields(copied, "zones"), _ogr_fields(exported, "zones")
    assert list(served) == list(written) == ZONE_FIELDS.names
    assert written["signe"] == written["debut"] == written["fin"] == "Date"
    assert written["approx"] == written["ouvre_cesp"] == "Integer(Boolean)"
    assert written["population"] == written["nb_com"] == "Integer"
    # GDAL 3.6 types an OAPIF layer from its first page: a field empty on every feature
    # there (fin: no decree in force has an end) cannot be typed and comes as String.
    empty = {"fin", "raison"}
    assert {k: v for k, v in served.items() if k not in empty} == {
        k: v for k, v in written.items() if k not in empty
    }
    assert pyogrio.read_info(copied, layer="zones")["features"] == len(zones) == 3


def test_gdal_spatial_filter_uses_bbox(ogc_server: LiveServer, tmp_path: Path):
    target = tmp_path / "communes.gpkg"
    _gdal(
        "ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{ogc_server.base}/ogc", "communes",
        "-spat", "2.40", "48.90", "2.45", "48.93",
    )  # fmt: skip
    codes = set(pyogrio.read_dataframe(target)["insee_com"])
    assert "93008" in codes and "75056" not in codes and len(codes) < 15


def test_owslib_pages_through_the_communes_of_a_departement(ogc_server: LiveServer, db: sa.Engine):
    with db.connect() as conn:
        expected = (
            conn.execute(
                sa.text(
                    "SELECT code FROM commune_units WHERE departement_code = '93' "
                    "AND kind = 'commune' AND valid_to IS NULL ORDER BY code"
                )
            )
            .scalars()
            .all()
        )
    api = Features(f"{ogc_server.base}/ogc/")
    assert "communes" in api.feature_collections()
    seen: list[str] = []
    params: dict[str, str | int] = {"insee_dep": "93", "limit": 15}
    pages = 0
    while True:
        page = api.collection_items("communes", **params)
        pages += 1
        assert page["numberMatched"] == len(expected)
        seen += [f["properties"]["insee_com"] for f in page["features"]]
        following = [link for link in page["links"] if link["rel"] == "next"]
        if not following:
            break
        params = {k: v[0] for k, v in parse_qs(urlsplit(following[0]["href"]).query).items()}
    assert seen == expected and len(set(seen)) == len(expected)
    assert pages == -(-len(expected) // 15) >= 3


@pytest.fixture(scope="module")
def limited_server(zoned: tuple[str, Decree, Decree], data_dir: Path) -> Iterator[LiveServer]:
    """The ogc_server with the default anonymous rate limits (600 a minute, burst 120)."""
    live = LiveServer(
        zoned[0],
        data_dir,
        CESP_LOG_LEVEL="WARNING",
        CESP_RATE_LIMIT_PER_MINUTE="600",
        CESP_RATE_LIMIT_BURST="120",
    ).start()
    yield live
    live.stop()


def test_gdal_copies_every_layer_twice_in_a_row_with_a_filter_in_the_url(
    limited_server: LiveServer, db: sa.Engine, tmp_path: Path
):
    """Default options (pages of 10), the GDAL idiom ``OAPIF:http://host/ogc?region=11``
    and the default rate limits: two full copies in a row both succeed."""
    with db.connect() as conn:
        communes = conn.execute(
            sa.text(
                "SELECT count(*) FROM commune_units WHERE region_code = '11' "
                "AND kind = 'commune' AND valid_to IS NULL"
            )
        ).scalar_one()
    for attempt in (1, 2):
        target = tmp_path / f"copy-{attempt}.gpkg"
        _gdal("ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{limited_server.base}/ogc?region=11")
        layers = dict(pyogrio.list_layers(target).tolist())
        assert {"zones", "communes", "posts"} <= set(layers), layers
        counts = {name: pyogrio.read_info(target, layer=name)["features"] for name in layers}
        assert counts["zones"] == 3 and counts["communes"] == communes > 10, counts
    assert "429" not in limited_server.logs()


def test_gdal_sends_an_attribute_filter_on_a_property_name_to_the_server(
    ogc_server: LiveServer, tmp_path: Path
):
    """The filters are named after the properties, so GDAL's ``-where`` on a field the API
    definition lists as a parameter of the items is answered by the ogc_server."""
    target = tmp_path / "seine-saint-denis.gpkg"
    done = subprocess.run(
        [shutil.which("ogr2ogr") or "ogr2ogr", "--debug", "on", "-f", "GPKG", str(target),
         f"OAPIF:{ogc_server.base}/ogc", "communes", "-where", "insee_dep = '93'"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    copied = pyogrio.read_dataframe(target)
    assert set(copied["insee_dep"]) == {"93"} and len(copied) > 30
    fetched = re.findall(r"Fetch\((\S+/collections/communes/items\S*)\)", done.stderr)
    # The first page read establishes the layer's fields; every page copied is filtered.
    assert len(fetched) > 2 and all("insee_dep=93" in url for url in fetched[1:]), fetched
