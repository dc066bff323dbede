"""Eligibility benchmark on a national zoning, 1,000,000 points in metropolitan France.

Prerequisite: ``python -m bench.import_national`` (all of France + 13 regional decrees).

(a) in process: the engine (``evaluate_points``: commune, zones, borderline band,
    nearest zone and distance) against ``geopandas.sjoin`` of the same points on the same
    qualifying zone polygons (zones only: it does less);
(b) whole jobs: ``cesp check-bulk IN.csv -o OUT.csv`` against a plain geopandas script
    doing the same job (read the CSV, sjoin, write the CSV), as subprocesses. check-bulk
    runs three times on a fresh index cache (``CESP_INDEX_CACHE_DIR``): "cold" builds the
    whole index and stores it; "warm" loads it, as every run does (a publication, a
    reference load and the API workers store the new index as soon as they make it);
    then, with the index file removed but its commune layer kept, as after a publication
    made with ``--no-index``.

Checks that both agree on which points lie in a qualifying zone, prints times and ratios.

    python -m bench.eligibility --database-url sqlite:///var/bench/national.sqlite
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from cesp.eligibility.check import evaluate_points
from cesp.eligibility.index import build_index
from cesp.storage.engine import create_engine

ON = date(2026, 6, 1)
METRO = ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94")


def random_points(engine: sa.Engine, n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform random points inside metropolitan France (fixed seed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT ST_AsBinary(geom) FROM regions WHERE code IN :r").bindparams(
                sa.bindparam("r", expanding=True)
            ),
            {"r": list(METRO)},
        ).all()
    france = shapely.union_all(shapely.from_wkb([bytes(r[0]) for r in rows]))
    shapely.prepare(france)
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = france.bounds
    lon_parts, lat_parts, count = [], [], 0
    while count < n:
        lon = rng.uniform(minx, maxx, n)
        lat = rng.uniform(miny, maxy, n)
        keep = shapely.contains_xy(france, lon, lat)
        lon_parts.append(lon[keep])
        lat_parts.append(lat[keep])
        count += int(keep.sum())
    return np.concatenate(lon_parts)[:n], np.concatenate(lat_parts)[:n]


def qualifying_zones(engine: sa.Engine) -> gpd.GeoDataFrame:
    """The qualifying zones in force on ``ON`` (WGS84), as a plain script would load them."""
    sql = (
        "SELECT z.id, z.name, d.reference, ST_AsBinary(z.geom) AS wkb FROM zones z "
        "JOIN decrees d ON d.id = z.decree_id WHERE d.status IN ('published', 'superseded') "
        "AND d.profession = 'medecin' AND d.effective_from <= :on "
        "AND (d.effective_to IS NULL OR d.effective_to >= :on) "
        "AND z.category IN ('ZIP', 'ZAC', 'zone_deficitaire')"
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql), {"on": ON}).all()
    return gpd.GeoDataFrame(
        {
            "zone_id": [r.id for r in rows],
            "zone_name": [r.name for r in rows],
            "decree": [r.reference for r in rows],
        },
        geometry=shapely.from_wkb([bytes(r.wkb) for r in rows]),
        crs=4326,
    )


def boundary_distance_m(zones: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> float:
    """The largest distance (m, Lambert-93) from these points to a zone boundary: where
    the engine and sjoin disagree, the point should sit on a boundary, since an edge that
    is straight in WGS84 is not quite straight in Lambert-93 (the engine's CRS)."""
    if len(lon) == 0:
        return 0.0
    boundaries = zones.to_crs(2154).boundary
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(2154)
    return max(float(boundaries.distance(point).min()) for point in points)


PLAIN_SCRIPT = textwrap.dedent(
    """
    import sys
    import geopandas as gpd, pandas as pd
    points = pd.read_csv(sys.argv[1])
    zones = gpd.read_file(sys.argv[2])
    gdf = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points.lon, points.lat), crs=4326)
    joined = gpd.sjoin(gdf, zones[["zone_name", "decree", "geometry"]], how="left",
                       predicate="intersects")
    joined = joined[~joined.index.duplicated()]
    joined["eligible"] = joined["zone_name"].notna()
    joined.drop(columns=["geometry", "index_right"]).to_csv(sys.argv[3], index=False)
    """
)


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall time of a subprocess (raises if it fails)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    """Run both comparisons and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///var/bench/national.sqlite")
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    engine = create_engine(args.database_url)
    lon, lat = random_points(engine, args.points)
    zones = qualifying_zones(engine)
    print(f"{len(lon)} points, {len(zones)} qualifying zones in force on {ON}")

    index = build_index(engine)
    print(f"index build: {index.build_seconds:.1f} s")
    started = time.perf_counter()
    answers = evaluate_points(
        index, lon, lat, np.full(len(lon), ON.toordinal()), np.full(len(lon), "medecin", object)
    )
    engine_seconds = time.perf_counter() - started
    started = time.perf_counter()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    joined = gpd.sjoin(points, zones, how="inner", predicate="intersects")
    sjoin_seconds = time.perf_counter() - started
    in_sjoin = np.zeros(len(lon), dtype=bool)
    in_sjoin[joined.index.to_numpy()] = True
    disagree = np.flatnonzero(in_sjoin != answers.eligible)
    print(
        f"(a) engine {engine_seconds:.2f} s (commune, zones, borderline, nearest distance) vs "
        f"sjoin {sjoin_seconds:.2f} s (zones only): ratio {sjoin_seconds / engine_seconds:.2f}x; "
        f"{len(disagree)} disagreements, all within "
        f"{boundary_distance_m(zones, lon[disagree], lat[disagree]):.3f} m of a zone boundary"
    )

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "points.csv"
        pd.DataFrame({"id": np.arange(len(lon)), "lon": lon.round(6), "lat": lat.round(6)}).to_csv(
            source, index=False
        )
        zones_file = Path(tmp) / "zones.gpkg"
        zones.to_file(zones_file, driver="GPKG")
        script = Path(tmp) / "plain.py"
        script.write_text(PLAIN_SCRIPT)
        env = {
            **os.environ,
            "CESP_DATABASE_URL": args.database_url,
            "CESP_INDEX_CACHE_DIR": str(Path(tmp) / "index-cache"),
        }
        plain = timed(
            [
                sys.executable,
                str(script),
                str(source),
                str(zones_file),
                str(Path(tmp) / "plain.csv"),
            ],
            env,
        )
        check_bulk = [
            sys.executable,
            "-m",
            "cesp.cli.main",
            "check-bulk",
            str(source),
            "-o",
            str(Path(tmp) / "ours.csv"),
            "--date",
            ON.isoformat(),
        ]
        cold = timed(check_bulk, env)
        ours = timed(check_bulk, env)
        for stored in (Path(tmp) / "index-cache").glob("index-*.bin"):
            stored.unlink()  # as after a publication that stored nothing: communes kept
        published = timed(check_bulk, env)
        a = pd.read_csv(Path(tmp) / "plain.csv", usecols=["id", "eligible"]).set_index("id")
        b = pd.read_csv(Path(tmp) / "ours.csv", usecols=["id", "eligible"]).set_index("id")
        mismatch = a.index[
            a["eligible"].astype(bool).to_numpy() != b.loc[a.index, "eligible"].astype(bool)
        ].to_numpy()
        print(
            f"(b) cesp check-bulk {ours:.2f} s (index cache warm) vs plain geopandas script "
            f"{plain:.2f} s: ratio {plain / ours:.2f}x; {len(mismatch)} rows disagree on "
            "eligibility, all within "
            f"{boundary_distance_m(zones, lon.round(6)[mismatch], lat.round(6)[mismatch]):.3f} m"
            " of a zone boundary"
        )
        print(
            f"(b) after a publication, index not stored yet: cesp check-bulk {published:.2f} s "
            f"(builds the zones, loads the commune layer) vs {plain:.2f} s: ratio "
            f"{plain / published:.2f}x"
        )
        print(
            f"(b) cold, empty cache: cesp check-bulk {cold:.2f} s (builds and stores the whole "
            f"index) vs {plain:.2f} s: ratio {plain / cold:.2f}x"
        )


if __name__ == "__main__":
    main()
