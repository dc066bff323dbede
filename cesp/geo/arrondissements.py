"""Municipal arrondissements of Paris, Lyon and Marseille (INSEE codes 751xx, 6938x,
132xx) where the reference data has no polygon of their own.

The arrêté du 9 mai 2025 (doctors' zoning method, art. 2) makes each arrondissement of
Paris, Lyon and Marseille its own territory, so decrees, sites and checks name them.
The COG lists every arrondissement (TYPECOM ARM); the boundaries here cover Paris's
only. An arrondissement without a polygon then stands in with its commune's polygon,
flagged approximate with the reason, so that answers say they hold for the whole
commune. One place for that rule: the decree import, ``check --insee`` and the API use
it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa

from cesp.geo.communes import CommuneUnit, unit_at, units_by_codes


def needs_stand_in(unit: CommuneUnit) -> bool:
    """True for an arrondissement that has no polygon of its own."""
    return unit.kind == "arrondissement" and unit.geometry is None and bool(unit.parent_code)


def stand_in_reasons(unit: CommuneUnit, parent: CommuneUnit) -> tuple[str, str]:
    """English and French reasons an arrondissement's answer is approximate."""
    return (
        f"no boundary of arrondissement {unit.code} ({unit.name}) in the reference data: the "
        f"polygon of commune {parent.code} ({parent.name}) is used, the answer holds for the "
        "whole commune",
        f"pas de contour de l'arrondissement {unit.code} ({unit.name}) dans le référentiel : "
        f"contour de la commune {parent.code} ({parent.name}) utilisé, réponse valable pour "
        "toute la commune",
    )


def with_commune_polygon(
    conn: sa.Connection, unit: CommuneUnit, on: date
) -> tuple[CommuneUnit, str | None]:
    """``unit`` with its commune's polygon when it is an arrondissement without one
    (flagged approximate, the English reason in ``approximate_reason``), and the French
    reason; ``unit`` itself and None otherwise (or when the commune is not loaded)."""
    if not needs_stand_in(unit):
        return unit, None
    assert unit.parent_code is not None
    parents = units_by_codes(conn, [unit.parent_code])
    parent = unit_at(parents.get(unit.parent_code, []), on)
    if parent is None or parent.geometry is None:
        return unit, None
    reason, reason_fr = stand_in_reasons(unit, parent)
    stand_in = replace(unit, geometry=parent.geometry, approximate=True, approximate_reason=reason)
    return stand_in, reason_fr
