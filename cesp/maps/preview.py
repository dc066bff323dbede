"""Preview of a decree before it is published: where the CESP zoning grows and shrinks.

An ARS officer imports the new decree as a draft (``cesp zones import`` without
``--publish``, or ``POST /api/v1/decrees`` without ``publish``), then opens
``/map/preview?decree=<id>``: the area that enters the qualifying zones is drawn in
teal, the area that leaves them in brown (dashed), what stays in grey, with the communes of
each and their population. The comparison is with the decree in force the day before
the draft takes effect (same region and profession), or with any decree given.

Only the categories that open the CESP count (code de l'éducation art. L.632-6: the
beneficiary practises in a zone "où l'offre de soins est insuffisante"): a zone moving
from ZIP to ZAC stays qualifying and is not shown as a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import shapely
import sqlalchemy as sa
from shapely.geometry import GeometryCollection
from shapely.geometry.base import BaseGeometry

from cesp.errors import InvalidInputError
from cesp.maps.simplify import collection, decimals_for_tolerance, feature, tolerance_for_zoom
from cesp.maps.styles import ENTERING_COLOUR, KEPT_COLOUR, LEAVING_COLOUR
from cesp.zones.categories import load_categories
from cesp.zones.decree_record import STATUS_FR
from cesp.zones.decrees import Decree, decree_zones, decrees_in_force, get_decree, zone_communes
from cesp.zones.ground_diff import Shift, Side, ground_diff

MIN_AREA_DEG2 = 1e-9  # slivers left by the difference of two outlines drawn apart
NAMES_SHOWN = 40


@dataclass(frozen=True)
class DecreePreview:
    """What changes between a decree in force (``before``, None if none) and ``after``."""

    before: Decree | None
    after: Decree
    entering: dict[str, Any]
    leaving: dict[str, Any]
    kept: dict[str, Any]
    communes_entering: list[Shift]
    communes_leaving: list[Shift]
    communes_kept: int

    def summary(self) -> dict[str, Any]:
        """Counts and populations for the legend (French labels)."""
        compared = (
            f"Comparé à l'arrêté n°{self.before.reference} en vigueur (depuis le "
            f"{self.before.effective_from.strftime('%d/%m/%Y')})."
            if self.before
            else "Aucun arrêté en vigueur avant lui : tout le zonage est nouveau."
        )
        status = STATUS_FR.get(self.after.status, self.after.status)
        return {
            "title": f"Arrêté n°{self.after.reference} ({status})",
            "compared": compared,
            "entering": len(self.communes_entering),
            "leaving": len(self.communes_leaving),
            "kept": self.communes_kept,
            "population_entering": _known_population(self.communes_entering),
            "population_leaving": _known_population(self.communes_leaving),
            "unknown_entering": _unknown(self.communes_entering),
            "unknown_leaving": _unknown(self.communes_leaving),
        }


def _known_population(shifts: list[Shift]) -> int:
    """The population of the communes whose population is known."""
    return sum(s.population for s in shifts if s.population is not None)


def _unknown(shifts: list[Shift]) -> list[str]:
    """The communes whose population is unknown (former communes), by label."""
    return [s.label for s in shifts if s.population is None]


def _qualifying(conn: sa.Connection, decree: Decree) -> Side:
    """Union of a decree's qualifying zones and their communes, on its date."""
    opens = {
        c.code
        for c in load_categories(conn, decree.profession, decree.zoning_method)
        if c.qualifies_for_cesp
    }
    zones = [z for z in decree_zones(conn, [decree.id]) if z.category in opens]
    shapes = [z.geometry for z in zones if z.geometry is not None]
    area = shapely.union_all(shapes) if shapes else GeometryCollection()
    communes = {c.code: (c.name, c.population) for c in zone_communes(conn, [z.id for z in zones])}
    return Side(decree.effective_from, area, communes)


def previous_decree(conn: sa.Connection, decree: Decree) -> Decree | None:
    """The decree in force the day before ``decree`` takes effect (same region and
    profession), other than ``decree`` itself."""
    day_before = decree.effective_from - timedelta(days=1)
    candidates = [
        d
        for d in decrees_in_force(conn, day_before, decree.profession, decree.region_code)
        if d.id != decree.id
    ]
    return candidates[-1] if candidates else None


def _area_feature(area: BaseGeometry, zoom: int, properties: dict[str, Any]) -> dict[str, Any]:
    parts = [
        p
        for p in shapely.get_parts(area)
        if p.area > MIN_AREA_DEG2 and p.geom_type.endswith("Polygon")
    ]
    tolerance = tolerance_for_zoom(zoom)
    if not parts:
        return collection([])
    shape = shapely.simplify(shapely.union_all(parts), tolerance, preserve_topology=True)
    return collection([feature(shape, properties, decimals_for_tolerance(tolerance))])


def preview_decree(
    conn: sa.Connection, decree_id: int, against_id: int | None = None, zoom: int = 10
) -> DecreePreview:
    """Compare a decree (usually a draft) with the one in force before it.

    Parameters
    ----------
    conn
        A read connection.
    decree_id
        The decree to preview.
    against_id
        The decree to compare with (default: the one in force the day before
        ``decree_id`` takes effect, same region and profession).
    zoom
        Zoom level the shapes are simplified for.

    Raises
    ------
    NotFoundError
        A decree does not exist.
    InvalidInputError
        The two decrees are of different professions.
    """
    after = get_decree(conn, decree_id)
    before = get_decree(conn, against_id) if against_id else previous_decree(conn, after)
    if before is not None and before.profession != after.profession:
        raise InvalidInputError(
            f"decree {before.id} is for {before.profession}, decree {after.id} for "
            f"{after.profession}: compare decrees of one profession",
            message_fr="Les deux arrêtés ne concernent pas la même profession.",
            field="against",
        )
    new = _qualifying(conn, after)
    old = _qualifying(conn, before) if before else None
    new_area = new.area
    old_area = old.area if old else GeometryCollection()
    # The lists compare the same geography as the map: areas, each commune drawn as it
    # was on its decree's date (a merger between the two decrees is not a change).
    changes = ground_diff(conn, old, new)
    kept_area = shapely.intersection(new_area, old_area)
    return DecreePreview(
        before=before,
        after=after,
        entering=_area_feature(
            shapely.difference(new_area, old_area), zoom, {"change": "entering"}
        ),
        leaving=_area_feature(shapely.difference(old_area, new_area), zoom, {"change": "leaving"}),
        kept=_area_feature(kept_area, zoom, {"change": "kept"}),
        communes_entering=changes.entering,
        communes_leaving=changes.leaving,
        communes_kept=changes.kept,
    )


PREVIEW_COLOURS = {"entering": ENTERING_COLOUR, "leaving": LEAVING_COLOUR, "kept": KEPT_COLOUR}


def preview_layers(preview: DecreePreview) -> dict[str, Any]:
    """The preview as the page draws it: the areas entering, leaving and kept, each with
    the names of its communes for the popup, and the counts for the legend."""

    def names(communes: list[Shift]) -> str:
        shown = ", ".join(c.label for c in communes[:NAMES_SHOWN])
        more = len(communes) - NAMES_SHOWN
        return shown + (f" et {more} autres" if more > 0 else "")

    layers = {"entering": preview.entering, "leaving": preview.leaving, "kept": preview.kept}
    lists = {
        "entering": names(preview.communes_entering),
        "leaving": names(preview.communes_leaving),
        "kept": f"{preview.communes_kept} commune(s)",
    }
    for kind, layer in layers.items():
        for item in layer["features"]:
            item["properties"]["communes"] = lists[kind]
    return {**layers, "summary": preview.summary(), "colours": PREVIEW_COLOURS}
