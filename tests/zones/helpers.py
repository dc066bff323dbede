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
import pyogrio
import pytest
import sqlalchemy as sa
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import make_url

from cesp.geo.loader import load_reference
from cesp.storage import schema
from cesp.storage.engine import create_engine
from cesp.zones.importer import DecreeRequest

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


def fill_scratch(engine: sa.Engine, url: str, data_dir: Path, template: Path | None) -> sa.Engine:
    """Give the (empty, migrated) scratch database Paris and the petite couronne."""
    if template is None:
        load_reference(engine, data_dir, PETITE_COURONNE)
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
