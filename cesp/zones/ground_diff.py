"""The communes entering and leaving between two zonings, compared on the ground.

Each decree lists its communes as they were on the day it takes effect. Communes merge
and split in between: Saint-Denis and Pierrefitte-sur-Seine became the new Saint-Denis
(93066) on 2025-01-01, so a decree of 2012 naming Pierrefitte (93059) and a draft of
2027 naming Saint-Denis share no code, and a comparison of codes says that Pierrefitte
leaves and the whole new Saint-Denis enters, while the areas (what the preview map
draws) show former Pierrefitte staying in zone and only former Saint-Denis entering.

Here each commune of one decree, drawn as it was on that decree's date, is measured
against the other decree's area: it moves (enters or leaves) when its part in the zones
lies outside the other area, stays when it lies inside, and, when only part of it
moves, the part is named by the communes of the other decree's date that make it up
(former Saint-Denis, "ancienne commune (jusqu'au 31/12/2024), partie de Saint-Denis
(93066) au 01/01/2027"). A commune with no
outline in the reference data is compared by its code, as before.

Populations are those stored with the zones (the census of the current communes); a
former commune has none, and its population is left unknown (``None``), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from cesp.geo.communes import CommuneUnit, unit_at, units_by_codes, units_in_bbox

SHARE_TOLERANCE = 0.02
"""Share of a commune's area below which a difference is two outlines drawn apart
(zones are stored at a finer or coarser precision than the communes they are built of)."""


@dataclass(frozen=True)
class Side:
    """One decree's qualifying zoning: its date, its area and its communes
    (code -> (name, population or None))."""

    on: date
    area: BaseGeometry
    communes: dict[str, tuple[str, int | None]]


@dataclass(frozen=True)
class Shift:
    """A commune (or the part of one) entering or leaving the zoning."""

    code: str
    name: str
    population: int | None
    note: str | None = None

    @property
    def label(self) -> str:
        """``Name (code)``, with the note if any, as the page lists it."""
        return f"{self.name} ({self.code})" + (f" – {self.note}" if self.note else "")


@dataclass(frozen=True)
class GroundDiff:
    """What enters and leaves from ``before`` to ``after``; ``kept`` counts the
    communes of ``after`` already in zone before, wholly or in part."""

    entering: list[Shift]
    leaving: list[Shift]
    kept: int


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _pieces(
    conn: sa.Connection, moved: BaseGeometry, on: date, whole: CommuneUnit, whole_on: date
) -> list[Shift]:
    """The communes in force on ``on`` that make up ``moved`` (the part of ``whole``
    that moves), or [] when they do not cover it."""
    found = []
    for unit in units_in_bbox(conn, moved.bounds, on):
        geometry = unit.geometry
        if geometry is None or geometry.area == 0:
            continue
        if shapely.intersection(geometry, moved).area >= (1 - SHARE_TOLERANCE) * geometry.area:
            found.append(unit)
    if sum(u.geometry.area for u in found if u.geometry) < (1 - SHARE_TOLERANCE) * moved.area:
        return []
    shifts = []
    for unit in sorted(found, key=lambda u: u.code):
        ended = (
            f"ancienne commune (jusqu'au {_fr(unit.valid_to - timedelta(days=1))}), "
            if unit.valid_to is not None and unit.valid_to <= whole_on
            else ""
        )
        note = f"{ended}partie de {whole.name} ({whole.code}) au {_fr(whole_on)}"
        population = unit.population if unit.valid_to is None else None
        shifts.append(Shift(unit.code, unit.name, population, note))
    return shifts


def _moves(conn: sa.Connection, side: Side, other: Side) -> tuple[list[Shift], int]:
    """The communes of ``side`` (or their parts) outside ``other``'s area, and how many
    of them are inside it, wholly or in part."""
    units = units_by_codes(conn, list(side.communes))
    moved: list[Shift] = []
    stayed = 0
    for code in sorted(side.communes):
        name, population = side.communes[code]
        unit = unit_at(units.get(code, []), side.on)
        if unit is None or unit.geometry is None:
            if code in other.communes:
                stayed += 1
            else:
                moved.append(Shift(code, name, population))
            continue
        zoned = shapely.intersection(unit.geometry, side.area)
        if zoned.area <= SHARE_TOLERANCE * unit.geometry.area:
            zoned = unit.geometry  # the zone is drawn apart from the commune's outline
        outside = shapely.difference(zoned, other.area)
        share = outside.area / zoned.area if zoned.area else 1.0
        if share <= SHARE_TOLERANCE:
            stayed += 1
        elif share >= 1 - SHARE_TOLERANCE:
            known = population if population is not None or not unit.current else unit.population
            moved.append(Shift(code, name, known))
        else:
            stayed += 1
            moved += _pieces(conn, outside, other.on, unit, side.on) or [
                Shift(code, name, None, f"en partie ({share:.0%} de sa surface en zone)")
            ]
    return moved, stayed


def ground_diff(conn: sa.Connection, before: Side | None, after: Side) -> GroundDiff:
    """Communes entering and leaving from ``before`` (None: no zoning) to ``after``.

    Parameters
    ----------
    conn
        A read connection (the commune outlines of both dates).
    before, after
        The two zonings, each with its own date.

    Returns
    -------
    GroundDiff
        Entering: communes of ``after`` (or parts, named by the communes of ``before``'s
        date) outside ``before``'s area; leaving: the converse; kept: communes of
        ``after`` inside ``before``'s area, wholly or in part.

    Examples
    --------
    Decree 12-209 (2012: Pierrefitte-sur-Seine among others) against a draft of 2027
    naming Saint-Denis: former Saint-Denis enters, Pierrefitte stays.
    """
    if before is None:
        entering = [Shift(c, n, p) for c, (n, p) in sorted(after.communes.items())]
        return GroundDiff(entering=entering, leaving=[], kept=0)
    entering, kept = _moves(conn, after, before)
    leaving, _stayed = _moves(conn, before, after)
    return GroundDiff(entering=entering, leaving=leaving, kept=kept)
