"""Practice sites as the faces receive them: WGS84, Lambert-93, or an INSEE code."""

from __future__ import annotations

from dataclasses import dataclass

from cesp.errors import InvalidInputError
from cesp.geo.communes import validate_code, validate_lon_lat
from cesp.geo.crs import LAMBERT93, WGS84, transformer

# Lambert-93 covers metropolitan France and Corsica within these bounds (metres).
L93_X = (50_000.0, 1_300_000.0)
L93_Y = (6_000_000.0, 7_150_000.0)


@dataclass(frozen=True)
class PointSite:
    """A site given by coordinates, kept in WGS84 (with the Lambert-93 input if any)."""

    lon: float
    lat: float
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class CommuneSite:
    """A site given only by the INSEE code of its commune."""

    insee: str


Site = PointSite | CommuneSite


def lambert93_site(x: float, y: float, prefix: str = "") -> PointSite:
    """A site from Lambert-93 metres, refusing values outside the projection's extent."""
    for name, value, (low, high) in (("x", x, L93_X), ("y", y, L93_Y)):
        if not low <= value <= high:
            swapped = L93_X[0] <= y <= L93_X[1] and L93_Y[0] <= x <= L93_Y[1]
            hint = " (x and y swapped?)" if swapped else ""
            hint_fr = " (x et y inversés ?)" if swapped else ""
            raise InvalidInputError(
                f"{name}={value} is outside Lambert-93 ({low:.0f} to {high:.0f} m){hint}: give "
                "EPSG:2154 metres, or lon/lat in WGS84 degrees",
                message_fr=f"{name}={value} hors de l'emprise Lambert-93 ({low:.0f} à "
                f"{high:.0f} m){hint_fr} : donnez des mètres EPSG:2154, ou lon/lat en degrés "
                "WGS84.",
                field=f"{prefix}{name}",
            )
    lon, lat = transformer(LAMBERT93, WGS84).transform(x, y)
    return PointSite(float(lon), float(lat), x, y)


def make_site(
    lon: float | None = None,
    lat: float | None = None,
    x: float | None = None,
    y: float | None = None,
    insee: str | None = None,
    prefix: str = "",
) -> Site:
    """Exactly one of lon/lat, x/y (Lambert-93) or insee; errors name the field."""
    given = [
        name
        for name, values in (("lon/lat", (lon, lat)), ("x/y", (x, y)), ("insee", (insee,)))
        if any(v is not None for v in values)
    ]
    if len(given) != 1:
        raise InvalidInputError(
            "give exactly one of lon and lat (WGS84), x and y (Lambert-93) or insee"
            + (f"; got {', '.join(given)}" if given else ""),
            message_fr="Indiquez soit lon et lat (WGS84), soit x et y (Lambert-93), soit insee"
            + (f" ; reçu : {', '.join(given)}." if given else "."),
            field=f"{prefix}{'lon' if not given else given[0].split('/')[0]}",
        )
    if insee is not None:
        try:
            return CommuneSite(validate_code(insee))
        except InvalidInputError as error:
            error.field = f"{prefix}insee"
            raise
    if given[0] == "x/y":
        if x is None or y is None:
            missing = "y" if x is not None else "x"
            raise InvalidInputError(
                f"missing {missing}: give x and y together (Lambert-93 metres)",
                message_fr=f"{missing} manquant : indiquez x et y ensemble (mètres Lambert-93).",
                field=f"{prefix}{missing}",
            )
        return lambert93_site(x, y, prefix)
    if lon is None or lat is None:
        missing = "lat" if lon is not None else "lon"
        raise InvalidInputError(
            f"missing {missing}: give lon and lat together (WGS84 degrees)",
            message_fr=f"{missing} manquant : indiquez lon et lat ensemble (degrés WGS84).",
            field=f"{prefix}{missing}",
        )
    try:
        validate_lon_lat(lon, lat)
    except InvalidInputError as error:
        error.field = f"{prefix}{error.field}"
        raise
    return PointSite(lon, lat)
