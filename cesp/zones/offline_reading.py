"""Users' files are read without the network.

GDAL resolves a GeoJSON ``crs`` member of type ``link`` by fetching its ``href``: any
URL, from the server, even in a dry run (server-side request forgery: a probe of the
internal network, or of a cloud metadata endpoint). RFC 7946 (section 4) removed the
``crs`` member; GDAL has no option that turns its HTTP client off (a proxy setting is
bypassed by ``NO_PROXY``), so the member is checked here before GDAL opens the file:
only ``{"type": "name", "properties": {"name": "<CRS name>"}}`` with a name that is no
URL passes (GDAL resolves names offline). ``configure_gdal`` also turns PROJ's network
access off (grids from cdn.proj.org) for the process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyogrio

from cesp.errors import InvalidInputError

GDAL_OFFLINE = {
    "PROJ_NETWORK": "OFF",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".cesp-no-remote-file",
}


def configure_gdal() -> None:
    """Set GDAL's network-related options to offline values (idempotent)."""
    pyogrio.set_gdal_config_options(GDAL_OFFLINE)


def _crs_problem(crs: Any) -> str | None:
    """Why a ``crs`` member is refused, or None when it is a plain CRS name."""
    if not isinstance(crs, dict):
        return None if crs is None else "it is not an object"
    kind = crs.get("type")
    if kind != "name":
        return f"its type is {kind!r} (only 'name' is read; 'link' would be fetched)"
    properties = crs.get("properties")
    name = properties.get("name") if isinstance(properties, dict) else None
    if not isinstance(name, str) or "://" in name or name.lower().startswith(("file:", "/")):
        return "its name is not a CRS name such as urn:ogc:def:crs:EPSG::2154"
    return None


def refuse_remote_crs(path: Path) -> None:
    """Refuse a GeoJSON whose ``crs`` members (anywhere in it) are not plain names.

    Numbers are not kept while parsing (every one maps to the same ``0``), so checking a
    50 MB file costs its structure, not its coordinates. A file that is not JSON is left
    to GDAL, which words its own error."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        for key, value in items:
            if key == "crs":
                why = _crs_problem(value)
                if why is not None:
                    raise InvalidInputError(
                        f"the GeoJSON 'crs' member is refused: {why}. RFC 7946 removed "
                        "'crs' (coordinates are WGS84): remove it, or give the CRS by name, "
                        "or use assume_crs",
                        message_fr=(
                            "Membre « crs » du GeoJSON refusé (lien ou valeur non reconnue) : "
                            "supprimez-le ou donnez le système par son nom (ex. "
                            "urn:ogc:def:crs:EPSG::2154), ou précisez assume_crs."
                        ),
                        field="file",
                    )
        return dict(items)

    try:
        with path.open("rb") as handle:
            json.load(
                handle,
                object_pairs_hook=pairs,
                parse_float=lambda _: 0,
                parse_int=lambda _: 0,
                parse_constant=lambda _: 0,
            )
    except (ValueError, UnicodeDecodeError):
        return
    except RecursionError as exc:
        raise InvalidInputError(
            "the GeoJSON is nested too deeply to be a feature collection",
            message_fr="GeoJSON imbriqué trop profondément : pas une collection d'entités.",
            field="file",
        ) from exc
