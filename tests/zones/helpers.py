"""Builders shared by the zone tests: a small loaded database, decree files, row counts.

Fixture files are built in ``tmp_path`` from the reference data (never copied into the
repository). Loading Paris and the petite couronne takes about 3 s; on SpatiaLite the
load is done once per session into a template file that each test copies into its own
scratch database, on PostGIS each test loads it into the scratch database.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
import sqlalchemy as sa
from shapely import wkb
from shapely.geometry import Point, box, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import make_url

from cesp.eligibility.sites import PointSite, make_site
from cesp.geo.communes import resolve_code
from cesp.geo.crs import LAMBERT93, WGS84, reproject, transformer
from cesp.geo.loader import load_reference
from cesp.storage import schema
from cesp.storage.engine import create_engine
from cesp.storage.settings import REPO_ROOT
from cesp.zones.importer import import_decree
from cesp.zones.request import DecreeRequest

PETITE_COURONNE = "75,92,93"
SIGNED = date(2012, 5, 24)
TABLES = ("decrees", "zones", "zone_communes")


def build_template(
    database_url: str, data_dir: Path, factory: pytest.TempPathFactory
) -> Path | None:
    """A SpatiaLite file holding 75, 92 and 93 (None on PostGIS: nothing to copy)."""
    if not database_url.startswith("sqlite"):
        return None
    path = factory.mktemp("petite-couronne") / "template.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    load_reference(engine, data_dir, PETITE_COURONNE)
    engine.dispose()
    return path


CACHED_TABLES = ("regions", "departements", "commune_units", "reference_loads")


def load_cached(engine: sa.Engine, data_dir: Path, departements: str) -> None:
    """PostGIS: load départements once into a cache schema of the scratch database, then
    copy them into the emptied public tables for each test (a copy takes a fraction of a
    second, a load several seconds)."""
    name = "cache_" + "_".join(departements.split(",")).lower() + "_" + schema.head_revision()
    with engine.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
            {"s": name},
        ).first()
    if not exists:
        load_reference(engine, data_dir, departements)
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {name}"))
            for table in CACHED_TABLES:
                conn.execute(sa.text(f"CREATE TABLE {name}.{table} AS TABLE public.{table}"))
        return
    with engine.begin() as conn:
        for table in CACHED_TABLES:
            conn.execute(sa.text(f"INSERT INTO public.{table} SELECT * FROM {name}.{table}"))
        for table in ("commune_units", "reference_loads"):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        conn.execute(sa.text("UPDATE index_version SET version = version + 1"))


def fill_scratch(engine: sa.Engine, url: str, data_dir: Path, template: Path | None) -> sa.Engine:
    """Give the (empty, migrated) scratch database Paris and the petite couronne."""
    if template is None:
        load_cached(engine, data_dir, PETITE_COURONNE)
        return engine
    engine.dispose()
    target = Path(str(make_url(url).database))
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return engine


def counts(engine: sa.Engine) -> dict[str, int]:
    """Rows in the decree tables, to check that a refused import wrote nothing."""
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


EMPTY = dict.fromkeys(TABLES, 0)


def request(**overrides: Any) -> DecreeRequest:
    """A decree of Île-de-France for doctors signed and in force on 24 May 2012."""
    fields: dict[str, Any] = {
        "region": "11",
        "reference": "12-209",
        "signed": SIGNED,
        "effective_from": SIGNED,
        "profession": "medecin",
    }
    fields.update(overrides)
    return DecreeRequest(**fields)


def communes(data_dir: Path, departement_file: str, codes: list[str]) -> gpd.GeoDataFrame:
    """Reference commune polygons (WGS84) of ``codes``, in the order given."""
    frame = pyogrio.read_dataframe(data_dir / "communes" / departement_file)
    frame = frame[frame["code"].isin(codes)].set_index("code").loc[codes].reset_index()
    assert len(frame) == len(codes)
    return frame


def commune(data_dir: Path, departement_file: str, code: str) -> BaseGeometry:
    """One reference commune polygon (WGS84)."""
    return communes(data_dir, departement_file, [code]).geometry.iloc[0]


def write_geojson(
    path: Path, geometries: list[BaseGeometry], names: list[str] | None = None
) -> Path:
    """A FeatureCollection with a ``nom`` per feature."""
    names = names or [f"Zone {i}" for i in range(1, len(geometries) + 1)]
    features = [
        {"type": "Feature", "properties": {"nom": n}, "geometry": mapping(g)}
        for n, g in zip(names, geometries, strict=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def zipped_shapefile(
    frame: gpd.GeoDataFrame,
    path: Path,
    *,
    encoding: str = "UTF-8",
    folder: str = "",
    drop: tuple[str, ...] = (),
) -> Path:
    """Write ``frame`` as a shapefile, remove the ``drop`` parts, zip it under ``folder``."""
    work = path.parent / f"{path.stem}-parts"
    work.mkdir()
    pyogrio.write_dataframe(frame, work / "zonage.shp", encoding=encoding)
    for suffix in drop:
        (work / "zonage").with_suffix(suffix).unlink(missing_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(work.iterdir()):
            archive.write(part, f"{folder}/{part.name}" if folder else part.name)
    return path


# --- Eligibility tests: shared templates and decrees ---------------------------------

_TEMPLATES: dict[tuple[str, str], Path | None] = {}


def cached_template(
    database_url: str, data_dir: Path, factory: pytest.TempPathFactory, departements: str
) -> Path | None:
    """``build_template`` for any set of départements, built once per session."""
    key = (database_url, departements)
    if key not in _TEMPLATES:
        if database_url.startswith("sqlite"):
            path = factory.mktemp("template") / "template.sqlite"
            engine = create_engine(f"sqlite:///{path}")
            schema.upgrade(engine)
            load_reference(engine, data_dir, departements)
            engine.dispose()
            _TEMPLATES[key] = path
        else:
            _TEMPLATES[key] = None
    return _TEMPLATES[key]


def fill_from(
    engine: sa.Engine, url: str, data_dir: Path, template: Path | None, departements: str
) -> sa.Engine:
    """Like ``fill_scratch`` for any set of départements (cached on PostGIS)."""
    if template is None:
        load_cached(engine, data_dir, departements)
        return engine
    return fill_scratch(engine, url, data_dir, template)


# The 2012 decree of the tests (codes of 2012): four communes and one Paris arrondissement.
DECREE_2012 = (
    "code_insee;nom_zone\n"
    "93008;Bobigny\n"
    "93027;La Courneuve\n"
    "93059;Pierrefitte\n"
    "92036;Gennevilliers\n"
    "75118;ZUS 18ème\n"
)
REFERENCE_2012 = "12-209"
REFERENCE_2018 = "17-1000"
EFFECTIVE_2018 = date(2018, 1, 1)


def import_codes(engine: sa.Engine, path: Path, text: str = DECREE_2012, **overrides: Any) -> Any:
    """Write a CSV of codes and import it (a draft unless ``publish=True``); the report."""
    path.write_text(text, encoding="utf-8")
    return import_decree(engine, path, request(**overrides), actor="test")


def publish_codes(engine: sa.Engine, path: Path, text: str = DECREE_2012, **overrides: Any) -> Any:
    """Write a CSV of codes and import it as a published decree (default: 12-209)."""
    report = import_codes(engine, path, text, publish=True, **overrides)
    assert report.status == "published", report
    return report.decree


def publish_drawn_2018(engine: sa.Engine, path: Path) -> Any:
    """Decree 17-1000 (in force 2018-01-01), drawn in a GeoJSON file: La Courneuve whole
    (ZIP), the west half of Drancy (ZAC) and its east half as a vigilance zone (ZV, which
    does not open the CESP)."""
    with engine.connect() as conn:
        courneuve, drancy = (
            resolve_code(conn, code, EFFECTIVE_2018, with_geometry=True).unit.geometry
            for code in ("93027", "93029")
        )
    minx, miny, maxx, maxy = drancy.bounds
    middle = (minx + maxx) / 2
    zones = (
        ("Courneuve", "ZIP", courneuve),
        ("Drancy ouest", "ZAC", drancy.intersection(box(minx, miny, middle, maxy))),
        ("Drancy est", "ZV", drancy.intersection(box(middle, miny, maxx, maxy))),
    )
    features = [
        {"type": "Feature", "properties": {"nom": n, "categorie": c}, "geometry": mapping(g)}
        for n, c, g in zones
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    req = request(
        reference=REFERENCE_2018,
        signed=date(2017, 12, 15),
        effective_from=EFFECTIVE_2018,
        publish=True,
    )
    report = import_decree(engine, path, req, actor="test")
    assert report.status == "published", report
    return report.decree


def zone_metric(conn: sa.Connection, name: str) -> BaseGeometry:
    """A stored zone's polygon, in Lambert-93."""
    row = conn.execute(
        sa.text("SELECT ST_AsBinary(geom) FROM zones WHERE name = :n"), {"n": name}
    ).scalar_one()
    return reproject(wkb.loads(bytes(row)), WGS84, LAMBERT93)


def site_at(x: float, y: float) -> PointSite:
    """The WGS84 site of a Lambert-93 point (what a user would type)."""
    lon, lat = transformer(LAMBERT93, WGS84).transform(x, y)
    site = make_site(lon=float(lon), lat=float(lat))
    assert isinstance(site, PointSite)
    return site


def across_boundary(
    zone: BaseGeometry, others: BaseGeometry | None = None, reach: float = 200.0
) -> tuple[np.ndarray, np.ndarray]:
    """A point ``m`` in the middle of a straight stretch of the zone's outer boundary and
    the outward unit normal ``n``: for |d| <= reach, ``m + d n`` lies |d| metres from the
    boundary (inside for d < 0), and farther than 2 * reach from the ``others`` zones."""
    for part in shapely.get_parts(zone):
        ring = np.asarray(part.exterior.coords)
        edges = np.diff(ring, axis=0)
        lengths = np.hypot(edges[:, 0], edges[:, 1])
        for i in np.argsort(-lengths):
            middle = ring[i] + edges[i] / 2
            normal = np.array([edges[i][1], -edges[i][0]]) / lengths[i]
            if zone.contains(Point(*(middle + normal))):
                normal = -normal
            offsets = (-reach, -20.0, 20.0, reach)
            exact = all(
                abs(zone.boundary.distance(Point(*(middle + d * normal))) - abs(d)) < 0.01
                for d in offsets
            )
            far = others is None or others.distance(Point(*(middle + reach * normal))) > 2 * reach
            if exact and far:
                return middle, normal
    raise AssertionError("no straight stretch of boundary found")


def bundled_2012_subset(departements: tuple[str, ...] = ("75", "92", "93")) -> str:
    """The authored decree 12-209 (cesp/zones/authored) cut to the rows of some départements."""
    lines = (REPO_ROOT / "cesp" / "zones" / "authored" / "idf-12-209-medecin.csv").read_text(
        "utf-8"
    )
    header, *rows = lines.splitlines()
    return "\n".join([header, *(r for r in rows if r[:2] in departements)]) + "\n"
