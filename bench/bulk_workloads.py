"""The point sets of the bulk benchmark, written as ``id,lon,lat`` CSV files.

- ``uniform``: points uniform in metropolitan France's bounding box, about half of
  them at sea or abroad (what a file of mistyped or foreign addresses looks like);
- ``practice``: practice-like points, as the CNG or an ARS checks them: communes drawn
  with a probability proportional to their population (INSEE legal population,
  ``cog/donnees_communes.csv``), then a point uniform inside the drawn commune.

Both from a fixed seed, so that every run checks the same points.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely
import sqlalchemy as sa

METRO_BOX = (-5.2, 41.3, 9.6, 51.1)


def write_points(path: Path, lon: np.ndarray, lat: np.ndarray) -> Path:
    """Write ``id,lon,lat`` (six decimals, about 10 cm) to ``path``."""
    table = pa.table(
        {
            "id": pa.array(np.arange(len(lon))),
            "lon": pa.array(np.round(lon, 6)),
            "lat": pa.array(np.round(lat, 6)),
        }
    )
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    return path


def uniform_points(n: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform in metropolitan France's bounding box."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = METRO_BOX
    return rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)


def _populations(data_dir: Path) -> dict[str, int]:
    with (data_dir / "cog" / "donnees_communes.csv").open(encoding="utf-8") as handle:
        return {row["COM"]: int(row["PMUN"] or 0) for row in csv.DictReader(handle, delimiter=";")}


def practice_points(
    engine: sa.Engine, data_dir: Path, n: int, seed: int = 13
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points in communes drawn by population, each uniform inside its commune."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT code, ST_AsBinary(geom) AS wkb FROM commune_units "
                "WHERE kind = 'commune' AND valid_to IS NULL AND geom IS NOT NULL "
                "AND approximate = 0 ORDER BY code"
            )
        ).all()
    population = _populations(data_dir)
    codes = [r.code for r in rows]
    weights = np.array([population.get(c, 0) for c in codes], dtype=float)
    geometries = np.asarray(shapely.from_wkb([bytes(r.wkb) for r in rows]))
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(codes), size=n, p=weights / weights.sum())
    bounds = shapely.bounds(geometries)
    lon, lat = np.empty(n), np.empty(n)
    todo = np.arange(n)
    shapely.prepare(geometries)
    while len(todo):
        box = bounds[drawn[todo]]
        x = rng.uniform(box[:, 0], box[:, 2])
        y = rng.uniform(box[:, 1], box[:, 3])
        hit = shapely.contains_xy(geometries[drawn[todo]], x, y)
        lon[todo[hit]], lat[todo[hit]] = x[hit], y[hit]
        todo = todo[~hit]
    return lon, lat
