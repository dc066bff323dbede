"""Issue 17's benchmark, in one run: ``cesp check-bulk`` against a plain geopandas script
on three workloads, and the eligibility API at a fixed rate beside a bare FastAPI route.

Prerequisite: all of France and the 13 regional decrees (``python -m bench.import_national
--database-url sqlite:///var/bench/national.sqlite``).

Bulk: the plain script is what a GIS analyst writes (pandas reads the CSV, geopandas
``sjoin(predicate="within")`` on the qualifying zones dissolved into one geometry,
pandas writes the CSV); ``cesp check-bulk`` answers more (commune, zones, decree,
borderline band, distance to the nearest zone). Workloads (``bench.bulk_workloads``):
1M points uniform in metropolitan France's box, 1M and 100k practice-like points.
Each side runs as its own process, timed and measured the same way (wall time, peak
resident memory from ``/usr/bin/time``), in turns; the index cache is warm (as it is once
any command or worker has run since the last publication). The answers must agree:
every point the script finds within the zones is eligible for us, and back, except
points within a metre of a zone edge (our zones are tested in Lambert-93, the
script's in degrees).

API: ``cesp serve`` (rate limit off, its default workers: one per CPU) and the bare
route (``bench.bare_app``, uvicorn, one worker), one after the other, under the same
fixed load (``bench.fixed_rate``: 500 requests a second, 20 keep-alive connections,
latency from the time each request was due).

    python -m bench.speed_limit --database-url sqlite:///var/bench/national.sqlite
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely

from bench.bulk_workloads import practice_points, uniform_points, write_points
from bench.eligibility import qualifying_zones
from bench.fixed_rate import run_load
from cesp.api.server import default_workers
from cesp.geo.crs import reproject
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings

ON = date(2026, 6, 1)
PLAIN_SCRIPT = textwrap.dedent(
    """
    import sys
    import geopandas as gpd, pandas as pd
    points = pd.read_csv(sys.argv[1])
    zones = gpd.read_file(sys.argv[2])
    gdf = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points.lon, points.lat), crs=4326)
    joined = gpd.sjoin(gdf, zones, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    joined["eligible"] = joined["index_right"].notna()
    joined.drop(columns=["geometry", "index_right"]).to_csv(sys.argv[3], index=False)
    """
)


@dataclass(frozen=True)
class Run:
    """Wall time and peak resident memory of one process."""

    seconds: float
    peak_mb: float


def measured(command: list[str], env: dict[str, str]) -> Run:
    """Run ``command``; its wall time and its peak RSS as GNU time reports it.

    Not ``os.wait4`` from here: on Linux a child's ``ru_maxrss`` starts from its
    parent's resident size at fork, and this process holds the zones and the answers
    it compares (600 MB), which floored both sides' figures. ``/usr/bin/time`` is a
    small parent, the same for both sides."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
        peak_kb = int(report.read().split()[-1])
    return Run(seconds, peak_kb / 1024)


def _eligible(path: Path, column_type: str) -> tuple[np.ndarray, np.ndarray]:
    table = pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(include_columns=["id", "eligible"])
    )
    order = np.argsort(table["id"].to_numpy())
    values = pc.cast(table["eligible"], "string").to_numpy(zero_copy_only=False)
    flags = np.array([str(v).lower() == "true" for v in values])
    return table["id"].to_numpy()[order], flags[order]


def _partial(path: Path) -> np.ndarray:
    """Rows (in id order) that ``check-bulk`` answers « partial »: a point the reference
    boundaries cannot place in one commune, whose communes are not all zoned alike."""
    table = pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(include_columns=["id", "status"])
    )
    order = np.argsort(table["id"].to_numpy())
    return (pc.cast(table["status"], "string").to_numpy(zero_copy_only=False) == "partial")[order]


def disagreements(ours: Path, theirs: Path, source: Path, zones: gpd.GeoDataFrame) -> str:
    """How many points the two outputs classify differently, and how far (m) the
    farthest of them lies from a zone edge. Points ``check-bulk`` answers « partial »
    are counted apart: the script, which sees one polygon, calls them in the zone."""
    ids_a, a = _eligible(ours, "string")
    ids_b, b = _eligible(theirs, "bool")
    assert (ids_a == ids_b).all(), "the same rows on both sides"
    unsure = _partial(ours)
    apart = f", {int(unsure.sum())} answered partial" if unsure.any() else ""
    differ = np.flatnonzero((a != b) & ~unsure)
    if len(differ) == 0:
        return f"0 rows disagree{apart}"
    points = pacsv.read_csv(source).take(np.sort(ids_a[differ][:5000]))
    edge = reproject(shapely.boundary(zones.geometry.values[0]), "EPSG:4326", "EPSG:2154")
    sites = reproject(
        shapely.points(points["lon"].to_numpy(), points["lat"].to_numpy()), "EPSG:4326", "EPSG:2154"
    )
    farthest = float(np.max(shapely.distance(edge, sites)))
    return f"{len(differ)} rows disagree, all within {farthest:.2f} m of a zone edge{apart}"


def bulk(url: str, data_dir: Path, work: Path, env: dict[str, str]) -> None:
    """The three bulk workloads, both sides."""
    engine = create_engine(url)
    workloads = {
        "1M uniform in metropolitan France's box": (
            "uniform-1m.csv",
            lambda: uniform_points(1_000_000),
        ),
        "1M practice-like": (
            "practice-1m.csv",
            lambda: practice_points(engine, data_dir, 1_000_000),
        ),
        "100k practice-like": (
            "practice-100k.csv",
            lambda: practice_points(engine, data_dir, 100_000, seed=17),
        ),
    }
    for _, (name, make) in workloads.items():
        if not (work / name).exists():
            write_points(work / name, *make())
    qualifying = qualifying_zones(engine)
    dissolved = gpd.GeoDataFrame(
        {"zone": ["qualifying"]}, geometry=[shapely.union_all(qualifying.geometry.values)], crs=4326
    )
    zones_file = work / "zones.gpkg"
    dissolved.to_file(zones_file, driver="GPKG")
    script = work / "plain.py"
    script.write_text(PLAIN_SCRIPT)
    ours = [sys.executable, "-m", "cesp.cli.main", "check-bulk"]
    # Not timed: the index is built and stored once, as any command or worker does.
    measured([*ours, str(work / "practice-100k.csv"), "-o", str(work / "warm.csv")], env)
    print(f"{len(qualifying)} qualifying zones in force on {ON}, dissolved for the script")
    header = f"{'workload':<42} {'check-bulk':>11} {'script':>8} {'ratio':>6}"
    print(f"{header} {'peak MB ours/script':>20}")
    for label, (name, _) in workloads.items():
        source = work / name
        mine = measured(
            [*ours, str(source), "-o", str(work / "ours.csv"), "--date", ON.isoformat()], env
        )
        theirs = measured(
            [sys.executable, str(script), str(source), str(zones_file), str(work / "plain.csv")],
            env,
        )
        print(
            f"{label:<42} {mine.seconds:>9.2f} s {theirs.seconds:>6.2f} s "
            f"{theirs.seconds / mine.seconds:>5.2f}x {mine.peak_mb:>9.0f} / {theirs.peak_mb:<9.0f} "
            f"{disagreements(work / 'ours.csv', work / 'plain.csv', source, dissolved)}"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serving(
    command: list[str], port: int, path: str, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{' '.join(command)} exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(
                    f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
                )
                if b" 200 " in sock.recv(64):
                    time.sleep(2)  # every worker up
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("server did not start")


def api(env: dict[str, str], rate: float, seconds: float, workers: int | None) -> None:
    """Ours (``cesp serve`` with its default workers unless told) and the bare route
    under the same fixed load."""
    rng = np.random.default_rng(3)
    points = zip(rng.uniform(2.0, 2.7, 2000), rng.uniform(48.6, 49.1, 2000), strict=True)
    paths = [f"/api/v1/eligibility?lon={x:.5f}&lat={y:.5f}&date={ON}" for x, y in points]
    sides = {
        f"cesp serve --workers {workers or default_workers()}, GET /api/v1/eligibility": (
            [sys.executable, "-m", "cesp.cli.main", "serve"]
            + ([] if workers is None else ["--workers", str(workers)]),
            paths,
        ),
        "bare FastAPI route (uvicorn, 1 worker)": (
            [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--no-access-log"],
            ["/bare"],
        ),
    }
    for label, (command, targets) in sides.items():
        port = _free_port()
        process = _serving([*command, "--port", str(port)], port, targets[0], env)
        try:
            run_load(port, targets, rate, 2.0)  # warm-up, not counted
            result = run_load(port, targets, rate, seconds)
        finally:
            process.terminate()
            process.wait(timeout=30)
        print(f"{label:<52} {result.summary()}")


def main() -> None:
    """Run both parts and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///var/bench/national.sqlite")
    parser.add_argument("--data-dir", type=Path, default=Settings().data_dir)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--workers", type=int, default=None, help="default: cesp serve's (one per CPU)"
    )
    parser.add_argument("--skip-bulk", action="store_true")
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    work = Path("var/bench/work")
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir="var/bench") as cache:
        env = {
            **os.environ,
            "CESP_DATABASE_URL": args.database_url,
            "CESP_INDEX_CACHE_DIR": cache,
            "CESP_RATE_LIMIT_PER_MINUTE": "0",
        }
        if not args.skip_bulk:
            bulk(args.database_url, args.data_dir, work, env)
        if not args.skip_api:
            api(env, args.rate, args.seconds, args.workers)


if __name__ == "__main__":
    main()
