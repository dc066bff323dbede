"""Map page benchmark: size and time to draw in headless Chromium, against a named peer.

Peer: folium's default page of the same layers at full resolution (every commune of the
region, the zones in force and the départements as ``folium.GeoJson``, with a name
tooltip on the communes), as a folium user would write it. Its CDN links are replaced by
the same local Leaflet so that it can draw at all here (a stock folium page stays blank
with no internet).

Measured in the same run, on the same machine and database:

- ours, served: ``GET /map?region=R`` from ``cesp serve`` (bytes on the wire: the page,
  its scripts and styles, the data it loads), time from navigation to the moment our
  script says every layer is drawn;
- ours, exported: ``cesp map export`` (one file, everything inside), opened from disk;
- the peer, opened from disk, time from navigation to the first frame after ``load``.

``--national`` measures instead the national page (``GET /map``, all of France) on the
benchmark's national zoning (``python -m bench.import_national``): its size (raw and
gzipped, as served) and, each in a fresh process, the time of the first page with an
empty map cache, the first page after a publication (the new decree's shapes made on
first use, then made at publication as the CLI and the API do), and later pages.

Prerequisite: a database holding the region and a decree, e.g.
``CESP_DATABASE_URL=sqlite:////tmp/demo.sqlite cesp demo --no-serve``.

    python -m bench.map_page --database-url sqlite:////tmp/demo.sqlite --region 11
    python -m bench.map_page --national --database-url sqlite:///var/bench/national.sqlite
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import folium
import sqlalchemy as sa
from branca.element import Element
from shapely import wkb
from shapely.geometry import mapping

from cesp.geo.communes import units_in_bbox
from cesp.geo.regions import loaded_extent
from cesp.maps.assets import Asset, inline_script, inline_style
from cesp.maps.elements import no_cdn
from cesp.maps.export import export_map
from cesp.maps.page import MapRequest
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings
from cesp.zones.export import zone_features, zones_in_force
from tests.api.live_server import LiveServer
from tests.maps.browser import LAPTOP, chromium

FRAME_AFTER_LOAD = (
    "new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
    "() => r(performance.now()))))"
)


def peer_page(engine: sa.Engine, region: str, on: date, path: Path) -> Path:
    """folium's default page of communes, zones and départements at full resolution."""
    with engine.connect() as conn:
        bounds = loaded_extent(conn, region)
        assert bounds is not None, f"region {region} is not loaded"
        communes = [u for u in units_in_bbox(conn, bounds, on) if u.region_code == region]
        decrees, zones = zones_in_force(conn, on, "medecin", region)
        zone_fc = {"type": "FeatureCollection", "features": zone_features(conn, decrees, zones)}
        rows = conn.execute(
            sa.text(
                "SELECT code, name, ST_AsBinary(geom) AS g FROM departements WHERE region_code = :r"
            ),
            {"r": region},
        ).all()
    commune_fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": u.name, "code": u.code},
                "geometry": mapping(u.geometry),
            }
            for u in communes
        ],
    }
    dep_fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": r.name},
                "geometry": mapping(wkb.loads(bytes(r.g))),
            }
            for r in rows
        ],
    }
    fmap = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=9,
        tiles=None,
    )
    no_cdn(fmap)
    header = fmap.get_root().header  # type: ignore[attr-defined]
    header.add_child(Element(f"<style>{inline_style(Asset('leaflet', 'leaflet.css'))}</style>"))
    header.add_child(Element(f"<script>{inline_script(Asset('leaflet', 'leaflet.js'))}</script>"))
    folium.GeoJson(dep_fc, name="Départements").add_to(fmap)
    folium.GeoJson(
        commune_fc, name="Communes", tooltip=folium.GeoJsonTooltip(fields=["nom", "code"])
    ).add_to(fmap)
    folium.GeoJson(
        zone_fc, name="Zones", popup=folium.GeoJsonPopup(fields=["name", "category_label"])
    ).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    fmap.save(str(path))
    return path


def draw_served(url: str) -> tuple[float, int]:
    """(milliseconds to ready, bytes received) for a page of the service."""
    with chromium() as browser:
        page = browser.page(LAPTOP)
        sizes: list[int] = []
        page.on("response", lambda r: sizes.append(len(r.body()) if r.ok else 0))
        page.goto(url)
        page.wait_for_selector("html[data-cesp-ready]", state="attached", timeout=60_000)
        drawn = float(page.evaluate("window.cespDrawnAt"))
        outside = browser.outside_requests()
        assert not outside, outside
        return drawn, sum(sizes)


def draw_file(path: Path, ours: bool) -> float:
    """Milliseconds from navigation to drawn, for a page opened from disk."""
    with chromium() as browser:
        page = browser.page(LAPTOP)
        page.goto(path.as_uri(), wait_until="load", timeout=120_000)
        if ours:
            page.wait_for_selector("html[data-cesp-ready]", state="attached", timeout=60_000)
            return float(page.evaluate("window.cespDrawnAt"))
        return float(page.evaluate(FRAME_AFTER_LOAD))


def median(values: list[float]) -> float:
    """The median of a few runs."""
    return statistics.median(values)


NATIONAL_PROBE = """
import gzip, json, sys, time
from fastapi.testclient import TestClient
from cesp.api.app import create_app
from cesp.storage.settings import Settings
settings = Settings(database_url=sys.argv[1], map_cache_dir=sys.argv[2], index_warmup=False,
                    rate_limit_per_minute=0)
plain = {"Accept-Encoding": "identity"}
with TestClient(create_app(settings)) as client:
    out = {}
    for name, url in (("first", "/map"), ("again", "/map"), ("other", "/map?date=2026-11-30")):
        started = time.perf_counter()
        answer = client.get(url, headers=plain)
        out[name] = time.perf_counter() - started
        assert answer.status_code == 200, answer.text[:300]
        if name == "first":
            body = answer.content
    out["raw"] = len(body)
    out["gzipped"] = len(gzip.compress(body, compresslevel=6))
    out["built"] = client.app.state.map_shapes.built
print(json.dumps(out))
"""


def _probe(database_url: str, cache_dir: Path) -> dict[str, float]:
    """``GET /map`` three times in a fresh process (nothing in memory, only what the map
    cache directory holds): the first page, the same page again, a page of another
    date (missing the page cache, hitting the shapes)."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", NATIONAL_PROBE, database_url, str(cache_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _republish(
    database_url: str, data_dir: Path, region: str, dropped: int, warm: bool, cache: Path
) -> float:
    """Publish a new decree for ``region`` (the benchmark's decree less its last
    ``dropped`` zones, in force from ``dropped`` days ago), as an ARS would; with ``warm``, make its
    map shapes at publication as ``cesp zones import --publish`` and the API do.
    Returns the seconds the warm-up took (0 without)."""
    from dataclasses import replace as copy

    from bench.national_zoning import generate
    from cesp.maps.shape_store import ShapeStore, warm_published
    from cesp.zones.importer import import_decree
    from cesp.zones.request import DecreeRequest

    with tempfile.TemporaryDirectory() as tmp:
        (source,) = [g for g in generate(data_dir, Path(tmp))[:-1] if g.region == region]
        lines = source.path.read_text(encoding="utf-8").splitlines()
        names = list(dict.fromkeys(line.split(";")[1] for line in lines[1:]))
        gone = set(names[-dropped:])
        kept = [line for line in lines if line.split(";")[1] not in gone]
        source.path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        engine = create_engine(database_url)
        start = date.today() - timedelta(days=dropped)
        request = DecreeRequest(
            region=region,
            reference=f"BENCH-{region}-{time.strftime('%H%M%S')}-{dropped}",
            signed=start,
            effective_from=start,
            profession="medecin",
            publish=True,
        )
        report = import_decree(engine, source.path, copy(request), actor="bench")
        assert report.status == "published" and report.decree is not None, report.status
    if not warm:
        return 0.0
    started = time.perf_counter()
    warm_published(engine, ShapeStore(cache), [report.decree.id])
    return time.perf_counter() - started


def national(database_url: str, data_dir: Path) -> None:
    """Print the national page's size and its build times: with an empty map cache,
    after a publication (the new decree's shapes made on first use, or at publication),
    and later pages. A SQLite database is copied first (the run publishes decrees)."""
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        if database_url.startswith("sqlite:///"):
            copy = Path(tmp) / "national.sqlite"
            shutil.copyfile(database_url.removeprefix("sqlite:///"), copy)
            database_url = f"sqlite:///{copy}"
        cache = Path(tmp) / "maps"
        cold = _probe(database_url, cache)
        _republish(database_url, data_dir, "84", 2, warm=False, cache=cache)
        lazy = _probe(database_url, cache)
        warm_seconds = _republish(database_url, data_dir, "84", 1, warm=True, cache=cache)
        warmed = _probe(database_url, cache)
    mb = 1e6
    print("national page GET /map (13 decrees in force), each case a fresh process")
    print(f"size {cold['raw'] / mb:.2f} MB raw, {cold['gzipped'] / mb:.2f} MB gzipped")
    rows = (
        ("empty map cache (every decree simplified)", cold),
        ("after a publication, new decree made on first use", lazy),
        (f"after a publication, shapes made at publication ({warm_seconds:.1f} s)", warmed),
    )
    print(f"{'case':<72}{'first':>8}{'again':>8}{'other':>8}{'made':>6}")
    for label, run in rows:
        print(
            f"{label:<72}{run['first']:>7.2f}s{run['again'] * 1000:>6.0f}ms"
            f"{run['other']:>7.2f}s{int(run['built']):>6}"
        )
    print(
        "first: the first /map; again: the same page (kept per ETag); other: a page of "
        "another date (new page, shapes from the cache); made: shapes simplified"
    )


def main() -> None:
    """Build the three pages, draw each a few times, print sizes, times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--region", default="11")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--national", action="store_true", help="the national page only")
    args = parser.parse_args()
    if args.national:
        national(args.database_url, Settings().data_dir)
        return
    settings = Settings(database_url=args.database_url)
    engine = create_engine(args.database_url)
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        peer = peer_page(engine, args.region, today, Path(tmp) / "peer.html")
        exported = Path(tmp) / "export.html"
        with engine.connect() as conn:
            export_map(conn, MapRequest(region=args.region, on=today), exported)
        server = LiveServer(args.database_url, settings.data_dir).start()
        try:
            url = f"{server.base}/map?region={args.region}"
            served = [draw_served(url) for _ in range(args.runs)]
        finally:
            server.stop()
        export_ms = median([draw_file(exported, True) for _ in range(args.runs)])
        peer_ms = median([draw_file(peer, False) for _ in range(args.runs)])
        served_ms = median([s[0] for s in served])
        served_bytes = served[-1][1]
        export_bytes = exported.stat().st_size
        peer_bytes = peer.stat().st_size
    print(f"region {args.region}, {args.runs} runs each, headless Chromium, medians")
    print(f"{'page':<44}{'size (MB)':>11}{'draw (ms)':>11}")
    label = "ours, served (/map, all bytes received)"
    print(f"{label:<44}{served_bytes / 1e6:>11.2f}{served_ms:>11.0f}")
    print(f"{'ours, exported (one file)':<44}{export_bytes / 1e6:>11.2f}{export_ms:>11.0f}")
    print(f"{'peer: folium default, full resolution':<44}{peer_bytes / 1e6:>11.2f}{peer_ms:>11.0f}")
    print(
        f"ratios peer/ours (above 1: ours better): served size {peer_bytes / served_bytes:.1f}, "
        f"draw {peer_ms / served_ms:.1f}; exported size {peer_bytes / export_bytes:.1f}, "
        f"draw {peer_ms / export_ms:.1f}"
    )


if __name__ == "__main__":
    main()
