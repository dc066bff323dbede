"""Hand-drawn QPV contours in the layout the ANCT publishes (``code_qp``, ``nom_qp``,
``insee_com``), inside communes of the test database (92 and 93).

Each QPV is a 400 m square around a point well inside its commune (or, for a quartier
over two communes, around a point of their shared boundary): small enough that most of
the commune lies outside, so that a check by code answers ``partial``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry

from cesp.geo.communes import resolve_code
from cesp.geo.crs import LAMBERT93, WGS84, reproject
from cesp.geo.qpv import load_qpv, qpv_by_codes

ON = date(2018, 3, 1)
HALF_SIDE_M = 200.0


@dataclass(frozen=True)
class Qpv:
    """A hand-drawn QPV: its code, name and the communes it lies in."""

    code: str
    name: str
    communes: tuple[str, ...]


QPV_2015 = (
    Qpv("QP093010", "Quartier des 4000", ("93027",)),
    Qpv("QP092001", "Noyer Doré", ("92002",)),
    Qpv("QP093020", "Abreuvoir", ("93008",)),
    Qpv("QP093030", "Quatre-Chemins", ("93001", "93027")),
)
QPV_2024 = (
    Qpv("QN09301M", "Quartier des 4000", ("93027",)),
    Qpv("QN09201M", "Noyer Doré", ("92002",)),
)


def _polygon(conn: sa.Connection, qpv: Qpv) -> BaseGeometry:
    shapes = [
        reproject(resolve_code(conn, c, ON, with_geometry=True).unit.geometry, WGS84, LAMBERT93)
        for c in qpv.communes
    ]
    if len(shapes) == 1:
        centre = shapes[0].representative_point()
    else:
        border = shapes[0].boundary.intersection(shapes[1].boundary)
        centre = border.interpolate(0.5, normalized=True)
    square = box(
        centre.x - HALF_SIDE_M,
        centre.y - HALF_SIDE_M,
        centre.x + HALF_SIDE_M,
        centre.y + HALF_SIDE_M,
    )
    return reproject(square, LAMBERT93, WGS84)


def write_contours(engine: sa.Engine, path: Path, generation: str = "2015") -> Path:
    """The GeoJSON of the hand-drawn QPV of ``generation``."""
    quartiers = QPV_2015 if generation == "2015" else QPV_2024
    with engine.connect() as conn:
        features = [
            {
                "type": "Feature",
                "properties": {
                    "code_qp": q.code,
                    "nom_qp": q.name,
                    "insee_com": ",".join(q.communes),
                },
                "geometry": mapping(_polygon(conn, q)),
            }
            for q in quartiers
        ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def load_contours(engine: sa.Engine, directory: Path, generation: str = "2015") -> None:
    """Write and load the contours of ``generation`` into ``engine``."""
    load_qpv(
        engine,
        write_contours(engine, directory / f"qpv-{generation}.geojson", generation),
        generation,
    )


def centre_of(engine: sa.Engine, code: str) -> tuple[float, float]:
    """A point inside a loaded QPV (lon, lat)."""
    with engine.connect() as conn:
        point = qpv_by_codes(conn, [code])[code].geometry.centroid
    return point.x, point.y
