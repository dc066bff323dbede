"""QGIS itself (Debian's ``python3-qgis``, headless) opens every export and adds every OGC
layer, as an ARS officer does: Layer > Add Vector Layer for the files and the downloads,
Layer > Add WFS / OGC API - Features Layer for ``/ogc``.

QGIS runs in Debian's system ``python3`` (``tests/api/qgis_probe.py``), the interpreter
its bindings are built for; the project's virtual environment cannot import them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from cesp.field_schema import ELIGIBLE_COMMUNE_FIELDS, POST_LIST_FIELDS, ZONE_FIELDS
from cesp.geo.crs import LAMBERT93, WGS84
from cesp.zones.export import write_zones, zones_frame, zones_in_force
from tests.api.live_server import LiveServer

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).with_name("qgis_probe.py")


def _qgis_present() -> bool:
    found = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False
    )
    return found.returncode == 0


pytestmark = pytest.mark.skipif(
    not os.environ.get("CI") and not _qgis_present(),
    reason="python3-qgis is not installed (scripts/setup --ci installs it; CI runs this)",
)


def qgis_sees(layers: list[dict[str, str]], cwd: Path) -> dict[str, dict[str, Any]]:
    """What QGIS reports for each layer, by name."""
    done = subprocess.run(
        [SYSTEM_PYTHON, str(PROBE)],
        input=json.dumps(layers),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(cwd)},
        check=False,
    )
    assert done.returncode == 0, f"QGIS probe failed (python3-qgis installed?):\n{done.stderr}"
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    return {layer["name"]: layer for layer in seen}


@pytest.fixture(scope="module")
def in_force(db: sa.Engine) -> tuple[list[Any], Any]:
    """The zones in force today and their export frame."""
    with db.connect() as conn:
        decrees, zones = zones_in_force(conn, date.today(), "medecin")
        return zones, zones_frame(conn, decrees, zones)


def _types(layer: dict[str, Any]) -> dict[str, str]:
    return {name.lower(): kind.lower() for name, kind in layer["fields"]}


def test_qgis_opens_every_zone_export_with_its_fields_types_and_crs(
    in_force: tuple[list[Any], Any], tmp_path: Path
):
    zones, frame = in_force
    exports = {
        "gpkg-lambert93": (
            write_zones(frame, tmp_path / "l93.gpkg", "gpkg", LAMBERT93),
            "EPSG:2154",
        ),
        "gpkg-wgs84": (write_zones(frame, tmp_path / "wgs.gpkg", "gpkg", WGS84), "EPSG:4326"),
        "shapefile-zip": (write_zones(frame, tmp_path / "z.zip", "shp", LAMBERT93), "EPSG:2154"),
        "shapefile": (write_zones(frame, tmp_path / "z.shp", "shp", LAMBERT93), "EPSG:2154"),
        "geojson": (write_zones(frame, tmp_path / "z.geojson", "geojson", WGS84), "EPSG:4326"),
    }
    uri = {
        name: f"/vsizip/{path}/z.shp" if name == "shapefile-zip" else str(path)
        for name, (path, _) in exports.items()
    }
    csv = write_zones(frame, tmp_path / "zones.csv", "csv")
    xlsx = write_zones(frame, tmp_path / "zones.xlsx", "xlsx")
    layers = [{"name": n, "uri": u, "provider": "ogr"} for n, u in uri.items()]
    layers += [
        {"name": "csv", "uri": str(csv), "provider": "ogr"},
        {"name": "xlsx", "uri": f"{xlsx}|layername=zones", "provider": "ogr"},
    ]
    seen = qgis_sees(layers, tmp_path)
    names = {z.name for z in zones}
    for name, (_, crs) in exports.items():
        layer = seen[name]
        assert layer["valid"], (name, layer)
        assert layer["count"] == len(zones) == 3, name
        assert [f for f, _ in layer["fields"] if f != "fid"] == ZONE_FIELDS.names, name
        assert layer["crs"] == crs and layer["geometry"] == "MultiPolygon", (name, layer)
        assert layer["valid_geometries"], name
        assert layer["first"]["nom"] in names and layer["first"]["arrete"] == "17-1000", name
    for name in ("gpkg-lambert93", "geojson", "csv", "xlsx"):
        kinds = _types(seen[name])
        assert kinds["nb_com"].startswith("integer"), (name, kinds)
        assert kinds["insee_com"] == "string", (name, kinds)
    for name in ("gpkg-lambert93", "csv", "xlsx"):
        assert _types(seen[name])["signe"] == "date", (name, seen[name]["fields"])
    for name in ("csv", "xlsx"):
        assert seen[name]["valid"] and seen[name]["count"] == 3, seen[name]
        assert [f for f, _ in seen[name]["fields"]] == ZONE_FIELDS.names, name
        assert seen[name]["geometry"] == "NoGeometry", name


def test_qgis_opens_the_downloads_of_the_eligible_communes_and_of_the_national_list(
    ogc_server: LiveServer, tmp_path: Path
):
    files: dict[str, Path] = {}
    with httpx.Client(base_url=ogc_server.base, timeout=60) as http:
        for stem, path, params in (
            ("communes", "/api/v1/zones/communes", {"region": "11"}),
            ("posts", "/api/v1/posts/export", {}),
        ):
            for fmt in ("zip", "xlsx"):
                answer = http.get(path, params={**params, "format": fmt})
                assert answer.status_code == 200, answer.text
                files[f"{stem}-{fmt}"] = tmp_path / f"{stem}.{fmt}"
                files[f"{stem}-{fmt}"].write_bytes(answer.content)
    layers = []
    for stem in ("communes", "posts"):
        with zipfile.ZipFile(io.BytesIO(files[f"{stem}-zip"].read_bytes())) as archive:
            archive.extractall(tmp_path / stem)
            (csv_name,) = [n for n in archive.namelist() if n.endswith(".csv")]
        layers.append(
            {"name": f"{stem}-csv", "uri": str(tmp_path / stem / csv_name), "provider": "ogr"}
        )
        layers.append(
            {"name": f"{stem}-xlsx", "uri": str(files[f"{stem}-xlsx"]), "provider": "ogr"}
        )
    seen = qgis_sees(layers, tmp_path)
    for name, fields in (("communes", ELIGIBLE_COMMUNE_FIELDS), ("posts", POST_LIST_FIELDS)):
        csv, xlsx = seen[f"{name}-csv"], seen[f"{name}-xlsx"]
        assert csv["valid"] and xlsx["valid"], (csv, xlsx)
        assert [f for f, _ in csv["fields"]] == [f for f, _ in xlsx["fields"]] == fields.names
        assert csv["count"] == xlsx["count"] > 0, name
        # The .csvt beside the CSV types every column as the workbook's cells do. GDAL
        # types a workbook's column from its cells: one empty in every row (hors_zone
        # of posts all in a zone) reads as text, whatever its number format says.
        filled = {f.lower() for f, v in xlsx["first"].items() if v not in (None, "")}
        csv_kinds = {f: k for f, k in _types(csv).items() if f in filled}
        assert csv_kinds == {f: k for f, k in _types(xlsx).items() if f in filled}, name
        assert len(filled) > len(fields.names) / 2, (name, filled)
    communes = seen["communes-csv"]
    assert _types(communes)["insee_com"] == "string" and communes["first"]["insee_com"][:2] in {
        "75",
        "92",
        "93",
    }


def test_qgis_adds_every_ogc_layer_with_the_features_the_api_counts(
    ogc_server: LiveServer, tmp_path: Path
):
    with httpx.Client(base_url=ogc_server.base, timeout=60) as http:
        collections = [c["id"] for c in http.get("/ogc/collections").json()["collections"]]
        matched = {
            c: http.get(f"/ogc/collections/{c}/items", params={"limit": 1}).json()["numberMatched"]
            for c in collections
        }
    assert {"zones", "communes", "posts"} <= set(collections)
    layers = [
        {
            "name": c,
            "uri": f"url='{ogc_server.base}/ogc' typename='{c}' pageSize='500'",
            "provider": "OAPIF",
        }
        for c in collections
    ]
    seen = qgis_sees(layers, tmp_path)
    for collection in collections:
        layer = seen[collection]
        assert layer["valid"], layer
        assert layer["count"] == matched[collection] > 0, (collection, layer["count"])
        assert layer["crs"] in {"EPSG:2154", "OGC:CRS84", "EPSG:4326"}, layer["crs"]
    for collection in [c for c in collections if c == "zones" or c.startswith("decree-")]:
        assert [f for f, _ in seen[collection]["fields"] if f != "id"] == ZONE_FIELDS.names
        assert seen[collection]["geometry"] == "MultiPolygon"
    assert seen["posts"]["geometry"] == "Point"
