"""Communes by name: tolerant of case, accents, hyphens and the leading article, ranked
(``GET /api/v1/communes?q=`` and ``cesp geo search``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from cesp.errors import InvalidInputError
from cesp.geo.communes import UNITS, CommuneUnit, select_units, unit_of
from cesp.geo.names import name_key


@dataclass(frozen=True)
class NameMatch:
    """A commune found by name, with the rank that ordered it."""

    unit: CommuneUnit
    rank: int


def search_names(
    conn: sa.Connection,
    query: str,
    *,
    departement: str | None = None,
    limit: int = 10,
    include_former: bool = False,
) -> list[NameMatch]:
    """Communes whose name matches ``query``, tolerant of case, accents, hyphens and
    the leading article; ranked exact, then prefix, then word prefix, then substring,
    communes before arrondissements, larger population first.
    """
    key = re.sub(r"[^a-z0-9 ]", "", name_key(query))
    if len(key.replace(" ", "")) < 2:
        raise InvalidInputError(
            f"Search text {query!r} is too short: give at least 2 letters of a commune name",
            message_fr="Saisissez au moins 2 lettres du nom de la commune.",
            field="q",
        )
    if not 1 <= limit <= 100:
        raise InvalidInputError(
            f"limit={limit} must be between 1 and 100",
            message_fr="limit doit être compris entre 1 et 100.",
            field="limit",
        )
    matching = select_units(UNITS.c.name_key).where(
        *(UNITS.c.name_key.like(f"%{token}%") for token in key.split())
    )
    if not include_former:
        matching = matching.where(UNITS.c.valid_to.is_(None))
    if departement:
        matching = matching.where(UNITS.c.departement_code == departement.strip().upper())
    matches = []
    for row in conn.execute(matching):
        k = row.name_key
        rank = 0 if k == key else 1 if k.startswith(key) else 2 if f" {key}" in f" {k}" else 3
        matches.append(NameMatch(unit_of(row), rank))
    matches.sort(
        key=lambda m: (
            m.rank,
            m.unit.kind != "commune",
            not m.unit.current,
            -(m.unit.population or 0),
            m.unit.name,
        )
    )
    return matches[:limit]
