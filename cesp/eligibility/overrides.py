"""Zones that override others where they lie: QPV zoned apart from their territory.

The 2017 and 2025 methods (arrêté du 13 novembre 2017 and arrêté du 9 mai 2025, art. 2)
let an ARS give a quartier prioritaire de la politique de la ville (QPV) a category of
its own: inside the QPV its category applies *instead of* its territory's. A site in a
ZIP QPV of a territory « hors zonage » qualifies; a site in a QPV « zone de vigilance »
of a ZIP territory does not. Each zone carries a ``priority`` (0: a territory's zone,
1: a QPV's, ``cesp.zones.qpv_zones``); at a point, only the zones of the highest
priority holding it decide.

These are the only rules of the override, kept apart from the index storage: the index
adds one ``priority`` array to its zone table, the evaluation keeps the strongest
(point, zone) pairs, and the qualifying area has the overriding non-qualifying zones cut
out of it (for the borderline band, distances and the coverage of a commune).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely


def zone_priority(table: Any) -> np.ndarray:
    """The ``priority`` array of a zone table (zeros for a table built without it)."""
    priority = getattr(table, "priority", None)
    if priority is None or len(priority) != len(table.zone_id):
        return np.zeros(len(table.zone_id), dtype=np.int8)
    return np.asarray(priority)


def strongest(points: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Mask of the (point, zone) pairs whose zone has the highest priority of the point's
    pairs (``priority`` is given per pair)."""
    if len(points) == 0 or not priority.any():
        return np.ones(len(points), dtype=bool)
    best = np.full(int(points.max()) + 1, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(best, points, priority.astype(np.int64))
    return priority >= best[points]


def carve_overridden(
    geometries: Any,
    qualifies: np.ndarray,
    priority: np.ndarray,
    in_set: np.ndarray,
    qualifying_rows: np.ndarray,
) -> np.ndarray | None:
    """The qualifying zones' geometries (an array or a ``GeometryColumn``) with the
    non-qualifying zones of higher priority of the same set cut out (a QPV « zone de
    vigilance » inside a ZIP territory); None when no such zone is in the set."""
    blockers = np.flatnonzero(in_set & ~qualifies & (priority > 0))
    if len(blockers) == 0:
        return None
    carved = np.array(geometries[qualifying_rows], dtype=object)
    for i, row in enumerate(qualifying_rows):
        above = blockers[priority[blockers] > priority[row]]
        if len(above):
            cut = shapely.union_all(geometries[above])
            carved[i] = shapely.difference(carved[i], cut)
    return carved
