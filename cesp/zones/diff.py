"""The difference between two zonings: the communes entering and leaving.

What ``cesp zones diff`` prints and what an import's preview reports against the decree
in force (``cesp.zones.importer``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cesp.zones.decrees import decree_zones, zone_communes


@dataclass(frozen=True)
class CommuneChange:
    """A commune entering or leaving the zoning between two decrees."""

    code: str
    name: str
    population: int | None


@dataclass(frozen=True)
class ZoningDiff:
    """Communes entering and leaving between decree A (before) and B (after)."""

    entering: list[CommuneChange]
    leaving: list[CommuneChange]
    kept: int

    @property
    def population_entering(self) -> int:
        """Population of the communes entering."""
        return sum(c.population or 0 for c in self.entering)

    @property
    def population_leaving(self) -> int:
        """Population of the communes leaving."""
        return sum(c.population or 0 for c in self.leaving)


def diff_communes(before: dict[str, CommuneChange], after: dict[str, CommuneChange]) -> ZoningDiff:
    """Entering and leaving communes between two commune sets keyed by INSEE code."""
    return ZoningDiff(
        entering=[after[c] for c in sorted(after.keys() - before.keys())],
        leaving=[before[c] for c in sorted(before.keys() - after.keys())],
        kept=len(after.keys() & before.keys()),
    )


def decree_communes(conn: sa.Connection, decree_id: int) -> dict[str, CommuneChange]:
    """Communes covered by a decree's zones, keyed by code."""
    zones = decree_zones(conn, [decree_id], with_geometry=False)
    return {
        c.code: CommuneChange(c.code, c.name, c.population)
        for c in zone_communes(conn, [z.id for z in zones])
    }


def diff_decrees(conn: sa.Connection, before_id: int, after_id: int) -> ZoningDiff:
    """``cesp zones diff A B``: communes entering and leaving from decree A to decree B."""
    return diff_communes(decree_communes(conn, before_id), decree_communes(conn, after_id))
