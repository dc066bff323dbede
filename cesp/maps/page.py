"""The map page: folium builds the map, its layers and the layer control; our script
(``cesp/maps/static``) fills the dynamic layers and the tools.

Two flavours of one page:

- served (``GET /map``): assets linked from the service, zones reloaded at other dates
  and zoom levels, communes loaded by bounding box, eligibility on click, commune
  search, posts and the choice of post, all through the API;
- standalone (``cesp map export``): everything inlined (scripts, styles, simplified
  zones, communes and départements of the region), for offline use; the tools that
  need the service are left out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import folium
import folium.plugins
import sqlalchemy as sa
from branca.element import Element

from cesp.eligibility.status import HEADINGS_FR
from cesp.errors import NotFoundError
from cesp.geo.regions import loaded_extent, region_shape
from cesp.maps.assets import ASSET_PREFIX
from cesp.maps.elements import CespStart, add_assets, add_title, no_cdn
from cesp.maps.layers import (
    COMMUNES_MAX_SPAN,
    COMMUNES_MIN_ZOOM,
    Bbox,
    commune_collection,
    departement_collection,
    region_collection,
    zone_collection,
)
from cesp.maps.preview import DecreePreview, preview_layers
from cesp.maps.shape_store import ShapeStore
from cesp.maps.styles import CATEGORY_COLOURS, OUTLINE_STYLE, background_style
from cesp.zones.categories import load_categories

METROPOLE: Bbox = (-5.2, 41.3, 9.6, 51.1)
NOMINAL_WIDTH_PX = 1000
STANDALONE_ZONES_ZOOM = 12


@dataclass(frozen=True)
class MapRequest:
    """What the user asked for (the query parameters of ``/map``)."""

    region: str | None = None
    on: date = field(default_factory=date.today)
    profession: str = "medecin"
    specialty: str | None = None
    campaign: int | None = None


@dataclass(frozen=True)
class PageOptions:
    """How the page is delivered."""

    standalone: bool = False
    tiles: str = ""
    tiles_attribution: str = ""
    asset_prefix: str = ASSET_PREFIX
    api_base: str = ""


@dataclass(frozen=True)
class MapPage:
    """A built page: the folium map and the data handed to our script."""

    fmap: folium.Map
    config: dict[str, Any]

    def render(self) -> str:
        """The whole HTML document (French, with a viewport for phones)."""
        return render_page(self.fmap)


def initial_zoom(bounds: Bbox, width_px: int = NOMINAL_WIDTH_PX) -> int:
    """The zoom at which ``bounds`` fills a map ``width_px`` wide (Web Mercator)."""
    span = max(bounds[2] - bounds[0], (bounds[3] - bounds[1]) * 1.5, 1e-3)
    return max(4, min(13, math.floor(math.log2(width_px * 360 / (256 * span)))))


def base_map(bounds: Bbox, zoom: int, options: PageOptions, title: str) -> folium.Map:
    """An empty folium map with our assets only, French title, tiles as configured."""
    center = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    fmap = folium.Map(
        location=center,
        zoom_start=zoom,
        tiles=None,
        control_scale=False,
        zoom_control=False,
        minZoom=4,
        maxZoom=18,
        zoomSnap=0.5,  # the fit of a territory between the side panels (map-core.js)
    )
    no_cdn(fmap)
    figure = fmap.get_root()
    add_title(figure, title)  # type: ignore[arg-type]
    add_assets(figure, inline=options.standalone, prefix=options.asset_prefix)  # type: ignore[arg-type]
    if options.tiles:
        folium.TileLayer(
            tiles=options.tiles,
            attr=options.tiles_attribution or "Fond de plan",
            name="Fond de plan",
            overlay=False,
            control=True,
            max_zoom=18,
        ).add_to(fmap)
    return fmap


def _geojson(data: dict[str, Any], name: str, style: dict[str, Any], **kwargs: Any) -> Any:
    return folium.GeoJson(
        data,
        name=name,
        style_function=lambda _feature: style,
        interactive=False,
        **kwargs,
    )


def _qualifying_labels(conn: sa.Connection, profession: str) -> dict[str, dict[str, Any]]:
    return {
        c.code: {"label": c.label, "qualifies": c.qualifies_for_cesp}
        for c in load_categories(conn, profession)
    }


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def build_map(
    conn: sa.Connection,
    store: ShapeStore,
    request: MapRequest,
    options: PageOptions,
    progress: Callable[[str, int, int], None] = _no_progress,
) -> MapPage:
    """The map page of zones in force, communes, posts and the ARS region outline.

    Parameters
    ----------
    conn
        A read connection.
    store
        Simplified shapes of zones and départements (shared by the requests of a
        process, and kept on disk between processes).
    request
        Region (None: metropolitan France), date, profession, posts filters.
    options
        Served or standalone, tile layer.
    progress
        Called with ``(stage, done, total)`` as layers are built (the CLI's bar).

    Returns
    -------
    MapPage
        The map and its data; ``render()`` gives the HTML.
    """
    region = region_shape(conn, request.region) if request.region else None
    if request.region and region is None:
        raise NotFoundError(
            f"region {request.region} is not loaded (cesp geo load --region {request.region})",
            message_fr=f"Région {request.region} inconnue ou non chargée.",
            field="region",
        )
    bounds = (loaded_extent(conn, request.region) if region else None) or METROPOLE
    zoom = initial_zoom(bounds)
    where = region[0] if region else "France"
    fmap = base_map(bounds, zoom, options, f"Zones déficitaires CESP – {where}")
    background = departement_collection(conn, store, zoom, request.region if region else None)
    _geojson(
        background, "Départements", background_style(bool(options.tiles)), control=False
    ).add_to(fmap)
    zones_group = folium.FeatureGroup(name="Zones en vigueur", show=True).add_to(fmap)
    communes_group = folium.FeatureGroup(name="Limites des communes", show=True).add_to(fmap)
    posts_group = folium.plugins.MarkerCluster(
        name="Postes",
        show=True,
        options={"showCoverageOnHover": False, "maxClusterRadius": 50},
    ).add_to(fmap)
    no_cdn(posts_group)
    layers: dict[str, Element] = {
        "zones": zones_group,
        "communes": communes_group,
        "posts": posts_group,
    }
    if region and request.region:
        outline = region_collection(conn, request.region, zoom)
        layers["outline"] = _geojson(outline, f"Région ARS : {region[0]}", OUTLINE_STYLE)
        layers["outline"].add_to(fmap)
    control = folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    layers["control"] = control
    progress("Zones", 0, 1)
    # An exported page cannot reload the zones when zoomed in: it carries them finely.
    zones_zoom = max(zoom, STANDALONE_ZONES_ZOOM) if options.standalone else zoom
    zones = zone_collection(conn, store, request.on, request.profession, request.region, zones_zoom)
    progress("Zones", 1, 1)
    config: dict[str, Any] = {
        "mode": "standalone" if options.standalone else "served",
        "api": options.api_base,
        "region": request.region,
        "regionName": region[0] if region else None,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "date": request.on.isoformat(),
        "profession": request.profession,
        "specialty": request.specialty,
        "campaign": request.campaign,
        "zones": zones,
        "categories": _qualifying_labels(conn, request.profession),
        "colours": CATEGORY_COLOURS,
        "communesMinZoom": COMMUNES_MIN_ZOOM,
        "communesMaxSpan": COMMUNES_MAX_SPAN,
        "statusHeadings": HEADINGS_FR,
    }
    if options.standalone and request.region and region:
        progress("Communes", 0, 1)
        config["communes"] = commune_collection(
            conn, bounds, request.on, COMMUNES_MIN_ZOOM, request.region
        )
        progress("Communes", 1, 1)
    CespStart(layers, config).add_to(fmap)
    return MapPage(fmap, config)


def build_preview_map(
    conn: sa.Connection,
    preview: DecreePreview,
    options: PageOptions,
    store: ShapeStore | None = None,
) -> MapPage:
    """The preview of a decree: zones entering (teal), leaving (brown) and kept (grey)."""
    region_code = preview.after.region_code
    region = region_shape(conn, region_code)
    bounds = loaded_extent(conn, region_code) or METROPOLE
    zoom = initial_zoom(bounds)
    fmap = base_map(
        bounds, zoom, options, f"Aperçu de l'arrêté n°{preview.after.reference} – zonage CESP"
    )
    background = departement_collection(
        conn, store or ShapeStore(), zoom, region_code if region else None
    )
    _geojson(
        background, "Départements", background_style(bool(options.tiles)), control=False
    ).add_to(fmap)
    layers: dict[str, Element] = {
        "communes": folium.FeatureGroup(name="Limites des communes").add_to(fmap),
        "kept": folium.FeatureGroup(name="Reste en zone").add_to(fmap),
        "leaving": folium.FeatureGroup(name="Sort du zonage").add_to(fmap),
        "entering": folium.FeatureGroup(name="Entre dans le zonage").add_to(fmap),
    }
    if region:
        outline = region_collection(conn, region_code, zoom)
        layers["outline"] = _geojson(outline, f"Région ARS : {region[0]}", OUTLINE_STYLE)
        layers["outline"].add_to(fmap)
    layers["control"] = folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    config = {
        "mode": "standalone" if options.standalone else "served",
        "api": options.api_base,
        "region": region_code,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "date": preview.after.effective_from.isoformat(),
        "profession": preview.after.profession,
        "preview": preview_layers(preview),
        "communesMinZoom": COMMUNES_MIN_ZOOM,
        "communesMaxSpan": COMMUNES_MAX_SPAN,
        "statusHeadings": HEADINGS_FR,
    }
    CespStart(layers, config).add_to(fmap)
    return MapPage(fmap, config)


VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />'
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport" content="[^"]*"\s*/?>')


def render_page(fmap: folium.Map) -> str:
    """The whole HTML document of a map (French, with a viewport for phones).

    folium's viewport forbids zooming the page (``maximum-scale=1.0, user-scalable=no``),
    which fails WCAG 1.4.4 (text resized up to 200%): ours lets people pinch-zoom."""
    html: str = fmap.get_root().render()
    html = _FOLIUM_VIEWPORT.sub(VIEWPORT, html, count=1)
    return html.replace("<html>", '<html lang="fr">', 1)
