"""Which commune-built zones list a commune by its code, and for how much of it.

A commune whose polygon is not its own (an arrondissement of Lyon or Marseille, which
takes its city's; a commune re-established in 2025, which shares the polygon of the
one it left: ``cesp.geo.arrondissements``, ``cesp.geo.reconcile``) cannot be placed in
a zone by area: the shared polygon lies in the zone of whichever of its communes the
decree names. Its code can: a decree zoning Lyon 1er zones 69381, not 69385, and a
decree zoning Neussargues-Moissac (15141) does not zone Celles (15031), whatever their
polygons. ``cesp.eligibility.check`` answers such a code from the lists.
"""

from __future__ import annotations

import sqlalchemy as sa

from cesp.geo.tables import commune_units
from cesp.zones import tables as zoning


def listed_coverage(
    conn: sa.Connection, zone_ids: list[int], code: str, parent_code: str | None
) -> dict[int, float | None]:
    """Per zone among ``zone_ids`` that lists the commune: the share of it the zone
    covers (1.0 whole; ``zone_communes.coverage`` for a former commune that merged into
    it; None when the zone lists only some of its arrondissements, whose areas are
    unknown). A zone listing an arrondissement's commune whole holds the arrondissement
    whole."""
    if not zone_ids:
        return {}
    zc = zoning.zone_communes
    own = [code] + ([parent_code] if parent_code else [])
    found: dict[int, float | None] = {}
    rows = conn.execute(
        sa.select(zc.c.zone_id, zc.c.coverage).where(
            zc.c.zone_id.in_(zone_ids), zc.c.commune_code.in_(own)
        )
    ).all()
    for row in rows:
        found[int(row.zone_id)] = max(float(row.coverage), found.get(int(row.zone_id)) or 0.0)
    children = sa.select(commune_units.c.code).where(
        commune_units.c.parent_code == code, commune_units.c.kind == "arrondissement"
    )
    for row in conn.execute(
        sa.select(zc.c.zone_id).where(zc.c.zone_id.in_(zone_ids), zc.c.commune_code.in_(children))
    ).all():
        found.setdefault(int(row.zone_id), None)
    return found
