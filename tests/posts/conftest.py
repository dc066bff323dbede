"""Fixtures for the posts tests: Paris and the petite couronne with decree 12-209 (and,
for the history tests, the drawn decree 17-1000 that takes Bobigny out from 2018-01-01)."""

from datetime import date

import sqlalchemy as sa

from cesp.audit import Actor
from cesp.eligibility.index import build_index
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.geo.communes import resolve_code

CNG = Actor("cng-test", "cng")
ARS_IDF = Actor("ars-idf", "ars", "11")


def inside(engine: sa.Engine, code: str, on: date = date(2016, 1, 1)) -> tuple[float, float]:
    """A point well inside a commune (its representative point)."""
    with engine.connect() as conn:
        geometry = resolve_code(conn, code, on, with_geometry=True).unit.geometry
    point = geometry.representative_point()
    return round(point.x, 6), round(point.y, 6)


def index_of(engine: sa.Engine) -> ZoningIndex:
    return build_index(engine, 50.0)


def post_row(
    engine: sa.Engine,
    code: str,
    reference: str,
    *,
    places: int = 1,
    kind: str = "exercice",
    **extra: object,
) -> dict[str, object]:
    """A valid row of a list at the representative point of commune ``code``."""
    lon, lat = inside(engine, code)
    return {
        "reference": reference,
        "kind": kind,
        "profession": "medecin",
        "specialty": "médecine générale",
        "mode": "liberal",
        "structure": f"Maison de santé {reference}",
        "address": "1 place de la Mairie",
        "commune_code": code,
        "lon": lon,
        "lat": lat,
        "places": places,
        **extra,
    }
