"""Scripts and stylesheets of the map pages, served by the service or inlined.

folium's default page links Leaflet, jQuery, Bootstrap and icon fonts from public CDNs;
ARS intranets and offline exports reach none of them. Our pages need only Leaflet,
Leaflet.markercluster and our own files: Leaflet and the cluster plugin come from the
XStatic packages (installed with the service, never copied into the repository), ours
from ``cesp/maps/static``. A served page links them under ``/map/assets/<package>/``;
an exported page carries their text, with the images of the stylesheets as data URIs.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSET_PREFIX = "/map/assets"


def asset_dirs() -> dict[str, Path]:
    """Directory of each asset package, by the name used in its URL."""
    return {
        "leaflet": Path(xs_leaflet.BASE_DIR),
        "markercluster": Path(xs_markercluster.BASE_DIR),
        "cesp": STATIC_DIR,
    }


@dataclass(frozen=True)
class Asset:
    """One file of a package, linked or inlined in the page header."""

    package: str
    filename: str

    @property
    def path(self) -> Path:
        """Where the file is on disk."""
        return asset_dirs()[self.package] / self.filename

    @property
    def name(self) -> str:
        """Key of the header element (unique per page)."""
        return f"{self.package}/{self.filename}"

    def url(self, prefix: str = ASSET_PREFIX) -> str:
        """URL of the file on the service."""
        return f"{prefix}/{self.package}/{self.filename}"


SCRIPTS = (
    Asset("leaflet", "leaflet.js"),
    Asset("markercluster", "leaflet.markercluster.js"),
    Asset("cesp", "map-core.js"),
    Asset("cesp", "map-layers.js"),
    Asset("cesp", "map-tools.js"),
    Asset("cesp", "map-posts.js"),
    Asset("cesp", "map-choice.js"),
)
STYLES = (
    Asset("leaflet", "leaflet.css"),
    Asset("markercluster", "MarkerCluster.css"),
    Asset("markercluster", "MarkerCluster.Default.css"),
    Asset("cesp", "map.css"),
)

_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)([^)'\"]+)\1\)")
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}


def inline_script(asset: Asset) -> str:
    """The script's text, without its source-map comment (nothing to fetch offline)."""
    text = asset.path.read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", text).replace("</script", "<\\/script")


def inline_style(asset: Asset) -> str:
    """The stylesheet's text with every relative ``url(...)`` turned into a data URI."""
    text = asset.path.read_text(encoding="utf-8")
    base = asset.path.parent

    def embed(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith(("data:", "#")):
            return match.group(0)
        path = (base / target).resolve()
        if not path.is_file() or not path.is_relative_to(base.resolve()):
            return match.group(0)
        mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(embed, text).replace("</style", "<\\/style")
