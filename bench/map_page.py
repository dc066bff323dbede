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

``--national`` measures instead the national page (``GET /map``, all of France): its
size (raw and gzipped, as served) and the time of its first build in a fresh process
(nothing cached: what the first visitor after a publication waits for, and an upper
bound of it, since a publication leaves the other decrees' shapes cached), then of the
second request.

Prerequisite: a database holding the region and a decree, e.g.
``CESP_DATABASE_URL=sqlite:////tmp/demo.sqlite cesp demo --no-serve``.

    python -m bench.map_page --database-url sqlite:////tmp/demo.sqlite --region 11
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import folium
import sqlalchemy as sa
from branca.element import Element
from shapely import wkb
from shapely.geometry import mapping

from cesp.geo.communes import units_in_bbox
from cesp.maps.assets import Asset, inline_script, inline_style
from cesp.maps.elements import no_cdn
from cesp.maps.export import export_map
from cesp.maps.layers import ZoneShapeCache, loaded_bounds
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
        bounds = loaded_bounds(conn, region)
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


def national(database_url: str) -> None:
    """Print the national page's size and its first and second build times."""
    from fastapi.testclient import TestClient

    from cesp.api.app import create_app

    settings = Settings(database_url=database_url, index_warmup=False, rate_limit_per_minute=0)
    with TestClient(create_app(settings)) as client:
        times, body = [], b""
        for _ in range(2):
            started = time.perf_counter()
            answer = client.get("/map", headers={"Accept-Encoding": "identity"})
            times.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text[:300]
            body = answer.content
    packed = gzip.compress(body, compresslevel=6)
    print("national page GET /map, fresh process (first build after a publication)")
    print(f"size {len(body) / 1e6:.2f} MB, gzipped {len(packed) / 1e6:.2f} MB")
    print(f"first build {times[0]:.2f} s, second request {times[1] * 1000:.0f} ms")


def main() -> None:
    """Build the three pages, draw each a few times, print sizes, times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--region", default="11")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--national", action="store_true", help="the national page only")
    args = parser.parse_args()
    if args.national:
        national(args.database_url)
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
    _ = ZoneShapeCache  # the served page uses the service's own cache
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
