"""SAMPLE DATA for the demo: a generated national list and a few dozen beneficiaries.

Nothing here is real: references start with ``EXEMPLE-``, names are "Bénéficiaire
exemple NN", and every row is stored with ``sample = true`` (the API and exports label
it). The generator is deterministic for a seed: practice sites are drawn uniformly
inside the qualifying zones in force on the publication date (so they pass the same
checks as a real list), intern posts in the hospitals' communes of the region.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
import sqlalchemy as sa

from cesp.audit import Actor
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.geo.tables import commune_units as units
from cesp.keys import create_key
from cesp.posts.beneficiaries import add_beneficiaries, link_key
from cesp.posts.campaigns import create_campaign, set_candidates, set_status
from cesp.posts.store import add_posts
from cesp.storage.engine import write_transaction
from cesp.zones.categories import load_categories
from cesp.zones.decrees import decree_zones, decrees_in_force

SPECIALTIES = {
    "medecin": [
        "médecine générale",
        "pédiatrie",
        "psychiatrie",
        "gynécologie médicale",
        "ophtalmologie",
        "anesthésie-réanimation",
    ],
    "chirurgien-dentiste": ["chirurgie dentaire", "orthopédie dento-faciale"],
}
STRUCTURES = {
    "liberal": ["Cabinet de groupe", "Maison de santé pluriprofessionnelle"],
    "salarie": ["Centre de santé municipal", "Centre hospitalier"],
    "mixte": ["Maison de santé pluriprofessionnelle", "Centre de santé associatif"],
}
STREETS = ["rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "place de la Mairie"]
HOSPITAL_COMMUNES = ["75056", "93008", "94028", "92002", "93066", "78646", "91228", "95500"]
TRAINING_REGIONS = ["11", "11", "11", "24", "32", "44", "84"]


@dataclass(frozen=True)
class SampleReport:
    """What the generator stored."""

    posts: int
    beneficiaries: int
    campaigns: dict[str, int]
    intern_key: str


def _point_in(geometry: Any, rng: random.Random) -> tuple[float, float]:
    x0, y0, x1, y1 = geometry.bounds
    while True:
        lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if geometry.contains(shapely.Point(lon, lat)):
            return round(lon, 6), round(lat, 6)


def _commune_at(index: ZoningIndex, conn: sa.Connection, lon: float, lat: float) -> str:
    from cesp.eligibility.check import check
    from cesp.eligibility.sites import PointSite

    result = check(index, conn, PointSite(lon, lat))
    assert result.commune is not None
    return (result.arrondissement or result.commune).code


def sample_rows(
    conn: sa.Connection, index: ZoningIndex, region: str, year: int, on: date, seed: int, count: int
) -> list[tuple[int | None, dict[str, Any]]]:
    """``count`` practice sites and ``count // 5`` intern posts, deterministic for ``seed``."""
    rng = random.Random(seed)
    rows: list[tuple[int | None, dict[str, Any]]] = []
    qualifying: list[Any] = []
    for profession in SPECIALTIES:
        decrees = decrees_in_force(conn, on, profession, region)
        codes = {c.code for c in load_categories(conn, profession) if c.qualifies_for_cesp}
        zones = decree_zones(conn, [d.id for d in decrees], with_geometry=True)
        qualifying += [(profession, z) for z in zones if z.category in codes and z.geometry]
    if not qualifying:
        raise ValueError(f"no qualifying zone in force in region {region} on {on}")
    for n in range(count):
        profession, zone = rng.choice(qualifying)
        lon, lat = _point_in(zone.geometry, rng)
        mode = rng.choice(list(STRUCTURES))
        code = _commune_at(index, conn, lon, lat)
        rows.append(
            (
                n + 2,
                {
                    "reference": f"EXEMPLE-{year}-E{n + 1:04d}",
                    "kind": "exercice",
                    "profession": profession,
                    "specialty": rng.choice(SPECIALTIES[profession]),
                    "mode": mode,
                    "structure": f"{rng.choice(STRUCTURES[mode])} (exemple) — {zone.name}",
                    "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    "commune_code": code,
                    "lon": lon,
                    "lat": lat,
                    "places": rng.choice([1, 1, 1, 2, 2, 3]),
                },
            )
        )
    hospitals = {
        c: index_point for c in HOSPITAL_COMMUNES if (index_point := _centre(conn, c)) is not None
    }
    for n in range(count // 5):
        code = rng.choice(sorted(hospitals))
        lon, lat = hospitals[code]
        rows.append(
            (
                count + n + 2,
                {
                    "reference": f"EXEMPLE-{year}-I{n + 1:04d}",
                    "kind": "internat",
                    "profession": "medecin",
                    "specialty": rng.choice(SPECIALTIES["medecin"]),
                    "mode": "salarie",
                    "structure": "Centre hospitalier universitaire (exemple)",
                    "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    "commune_code": _commune_at(index, conn, lon, lat),
                    "lon": lon,
                    "lat": lat,
                    "places": rng.choice([1, 2, 3]),
                },
            )
        )
    return rows


def _centre(conn: sa.Connection, code: str) -> tuple[float, float] | None:
    row = conn.execute(
        sa.select(
            sa.func.ST_X(sa.func.ST_PointOnSurface(units.c.geom), type_=sa.Float).label("x"),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(units.c.geom), type_=sa.Float).label("y"),
        ).where(units.c.code == code, units.c.valid_to.is_(None), units.c.geom.is_not(None))
    ).first()
    return (round(row.x, 6), round(row.y, 6)) if row else None


def beneficiary_rows(seed: int, count: int, year: int) -> list[tuple[int | None, dict[str, Any]]]:
    """``count`` sample beneficiaries, half of them trained in Île-de-France."""
    rng = random.Random(seed + 1)
    rows: list[tuple[int | None, dict[str, Any]]] = []
    for n in range(count):
        signed = date(year - rng.randint(2, 6), rng.randint(1, 12), 1)
        rows.append(
            (
                n + 2,
                {
                    "reference": f"EXEMPLE-B{n + 1:03d}",
                    "name": f"Bénéficiaire exemple {n + 1:02d}",
                    "profession": "medecin",
                    "specialty": rng.choice(SPECIALTIES["medecin"]),
                    "training_region": rng.choice(TRAINING_REGIONS),
                    "requested_on": signed.isoformat(),
                    "signed_on": signed.isoformat(),
                    "months_paid": str(min((year - signed.year) * 12, 72)),
                },
            )
        )
    return rows


def load_sample(
    engine: sa.Engine,
    index: ZoningIndex,
    *,
    region: str = "11",
    year: int = 2026,
    on: date | None = None,
    seed: int = 2026,
    count: int = 300,
    beneficiaries: int = 40,
) -> SampleReport:
    """Store the sample list, beneficiaries and two open campaigns (one transaction)."""
    on = on or date.today()
    actor = Actor("cli:sample", "admin")
    with write_transaction(engine) as conn:
        rows = sample_rows(conn, index, region, year, on, seed, count)
        post_ids = add_posts(conn, index, rows, year, actor, on, sample=True, source="sample")
        people = add_beneficiaries(
            conn, beneficiary_rows(seed, beneficiaries, year), actor, sample=True
        )
        internat = create_campaign(conn, year, "internat", on, actor)
        exercice = create_campaign(conn, year, "exercice", on, actor)
        order = people[:]
        random.Random(seed + 2).shuffle(order)
        set_candidates(conn, internat.id, {b: r for r, b in enumerate(order, start=1)}, actor)
        set_candidates(conn, exercice.id, {b: r for r, b in enumerate(order, start=1)}, actor)
        set_status(conn, internat.id, "open", actor)
        set_status(conn, exercice.id, "open", actor)
        key_name = "exemple-interne-rang-1"
        _, token = create_key(conn, key_name, "intern", None, actor)
        link_key(conn, order[0], key_name, actor)
    return SampleReport(
        len(post_ids), len(people), {"internat": internat.id, "exercice": exercice.id}, token
    )
