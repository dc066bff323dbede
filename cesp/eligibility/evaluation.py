"""The vectorised core of every eligibility answer: many points at once, as arrays.

``evaluate_points`` locates each point in the commune units in force on its date
(``cesp.eligibility.grid``), follows the units to the commune-built zones, tests the drawn
zones, keeps at each point the zones of the highest priority (a QPV's category
overrides its territory's: ``cesp.eligibility.overrides``), then measures the borderline
band and the distance to the nearest qualifying zone with one k-d query
(``cesp.eligibility.index_tables.ZoneSet.edges``). The rules and the statuses are
explained in ``cesp.eligibility.check``, which turns these arrays into result objects;
the bulk check writes them to CSV directly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import numpy as np

from cesp.eligibility.cache_files import RELEASE_FROM_POINTS
from cesp.eligibility.index_tables import CommuneTable
from cesp.eligibility.overrides import strongest, zone_priority
from cesp.eligibility.segments import z_order
from cesp.eligibility.status import STATUSES
from cesp.eligibility.zoning_index import TERRITORY_CRS, ZoningIndex, territory_of, to_metric

Z_CELL_DEGREES = 0.01  # about a kilometre, for ``z_order`` on longitudes and latitudes


@dataclass
class PointAnswers:
    """Answers for many points, as arrays (rows refer to the tables of ``crs[i]``;
    ``territory[i]`` is the position of that CRS in ``TERRITORY_CRS``, ``status_code[i]``
    that of the status in ``STATUSES``)."""

    crs: np.ndarray
    status: np.ndarray
    eligible: np.ndarray
    commune_row: np.ndarray
    arrondissement_row: np.ndarray
    nearest_row: np.ndarray
    distance_m: np.ndarray
    zone_point: np.ndarray
    zone_row: np.ndarray
    candidate_point: np.ndarray
    candidate_row: np.ndarray
    territory: np.ndarray
    status_code: np.ndarray

    def put_back(self, order: np.ndarray) -> PointAnswers:
        """The answers of points that were asked in the order ``order`` (point ``i``
        asked was ``order[i]``), in their own order again."""
        fields = {}
        for item in dataclasses.fields(self):
            values = getattr(self, item.name)
            if item.name in _POINT_NUMBERS:
                fields[item.name] = order[values]
            elif item.name in _PAIR_VALUES:
                fields[item.name] = values
            else:
                fields[item.name] = np.empty_like(values)
                fields[item.name][order] = values
        return PointAnswers(**fields)


# Pairs (point, row) are kept as two arrays: the point numbers are renumbered by
# ``put_back``, their rows kept; every other field has one value per point.
_POINT_NUMBERS = frozenset({"zone_point", "candidate_point"})
_PAIR_VALUES = frozenset({"zone_row", "candidate_row"})


def zone_order(qualifies: bool, name: str) -> tuple[bool, str]:
    """How the zones of one site are listed, in every answer (the single check's and the
    bulk's ``zone_names``): those that qualify first, then by name."""
    return (not qualifies, name)


def _first_by_priority(
    points: np.ndarray, rows: np.ndarray, priority: np.ndarray, n: int
) -> np.ndarray:
    """For each point, the row of lowest priority among its pairs (-1 if none)."""
    best = np.full(n, -1, dtype=np.int64)
    if len(points):
        # Most points have one pair: only those with several need sorting.
        several = np.bincount(points, minlength=n)[points] > 1
        best[points[~several]] = rows[~several]
        points, rows = points[several], rows[several]
        order = np.lexsort((priority[rows], points))
        first = np.ones(len(order), dtype=bool)
        first[1:] = points[order][1:] != points[order][:-1]
        best[points[order][first]] = rows[order][first]
    return best


def _doubtful(
    communes: CommuneTable,
    holder_point: np.ndarray,
    holder_unit: np.ndarray,
    member_point: np.ndarray,
    member_unit: np.ndarray,
    n: int,
) -> np.ndarray:
    """Per point: True when a commune holding it on its date (``holder_*``) has a
    polygon that is not its own (``approximate``: communes re-established in 2025 share
    the polygon of the one they left, ``cesp.geo.reconcile``) and the communes holding
    it disagree, some in a qualifying zone (through the ``member_*`` pairs), some not.

    The point may lie in either: neither surely in the zone nor surely out, it is
    « partial », to be confirmed with the ARS, never « eligible » (a doctor placed there
    on our word would owe the penalty)."""
    shared = np.zeros(n, dtype=bool)
    shared[holder_point[communes.approximate[holder_unit]]] = True
    if not shared.any():  # the usual batch: no such commune, no matching to do
        return shared
    holders = np.bincount(holder_point, minlength=n)
    units = len(communes.code)
    qualified = np.isin(holder_point * units + holder_unit, member_point * units + member_unit)
    count = np.bincount(holder_point[qualified], minlength=n)
    return shared & (count > 0) & (count < holders)


def _groups(
    index: ZoningIndex, profession: np.ndarray, on: np.ndarray, located: np.ndarray
) -> list[tuple[tuple[str, frozenset[int]], np.ndarray]]:
    """Located points grouped by (profession, decrees in force on their date)."""
    members = np.flatnonzero(located)
    if len(members) == 1:  # one site (the API's single check): no grouping to do
        prof, day = str(profession[members[0]]), int(on[members[0]])
        return [((prof, index.decrees_in_force(prof, date.fromordinal(day))), members)]
    profession, on = profession[members], on[members]
    group_key: dict[tuple[str, frozenset[int]], list[np.ndarray]] = {}
    # A batch holds a handful of professions: one comparison each beats sorting strings.
    for prof in sorted(set(profession.tolist())):
        of_prof = np.flatnonzero(profession == prof)
        days, day_of = np.unique(on[of_prof], return_inverse=True)
        for d, day in enumerate(days):
            key = (str(prof), index.decrees_in_force(str(prof), date.fromordinal(int(day))))
            group_key.setdefault(key, []).append(of_prof[day_of == d])
    return [(key, members[np.sort(np.concatenate(parts))]) for key, parts in group_key.items()]


def evaluate_points(
    index: ZoningIndex,
    lon: np.ndarray,
    lat: np.ndarray,
    on: np.ndarray,
    profession: np.ndarray,
) -> PointAnswers:
    """Eligibility of many WGS84 points; ``on`` holds date ordinals, one per point.

    A long batch is checked in space order (a Z-order curve of cells of about a
    kilometre): each block of points the grid and the k-d tree take then reads
    neighbouring pages of the index, which they let go of once read
    (``cesp.eligibility.cache_files.release_pages``). The answers come back in the
    order asked."""
    if len(lon) < RELEASE_FROM_POINTS:
        return _evaluate_points(index, lon, lat, on, profession)
    order = z_order(lon, lat, Z_CELL_DEGREES)
    answers = _evaluate_points(index, lon[order], lat[order], on[order], profession[order])
    return answers.put_back(order)


def _evaluate_points(
    index: ZoningIndex,
    lon: np.ndarray,
    lat: np.ndarray,
    on: np.ndarray,
    profession: np.ndarray,
) -> PointAnswers:
    n = len(lon)
    territory = territory_of(lon, lat)
    status = np.full(n, STATUSES.index("outside_territory"), dtype=np.int8)
    eligible = np.zeros(n, dtype=bool)
    commune_row = np.full(n, -1, dtype=np.int64)
    arrondissement_row = np.full(n, -1, dtype=np.int64)
    nearest_row = np.full(n, -1, dtype=np.int64)
    distance = np.full(n, np.nan)
    zone_pairs: list[tuple[np.ndarray, np.ndarray]] = []
    candidate_pairs: list[tuple[np.ndarray, np.ndarray]] = []
    for code in np.unique(territory):
        crs = TERRITORY_CRS[code]
        sel = np.flatnonzero(territory == code)
        x, y = to_metric(crs, lon[sel], lat[sel])
        communes = index.communes[crs]
        unit_point, unit_row = communes.grid.pairs(x, y)
        when = on[sel][unit_point]
        valid = (communes.valid_from[unit_row] <= when) & (when < communes.valid_to[unit_row])
        pi, ci = unit_point[valid], unit_row[valid]
        is_commune = communes.is_commune[ci]
        best = _first_by_priority(pi[is_commune], ci[is_commune], communes.priority, len(sel))
        commune_row[sel] = best
        arrondissement_row[sel] = _first_by_priority(
            pi[~is_commune], ci[~is_commune], communes.priority, len(sel)
        )
        others = is_commune & (ci != best[pi])
        candidate_pairs.append((sel[pi[others]], ci[others]))
        located = best >= 0
        region = np.where(located, communes.region_id[np.maximum(best, 0)], -1)
        status[sel[located]] = STATUSES.index("not_eligible")
        member_point, member_zone, member_unit, stand_in = communes.memberships(
            unit_point, unit_row
        )
        holder_point, holder_unit = pi[is_commune], ci[is_commune]

        zones = index.zones[crs]
        for (prof, decree_ids), local in _groups(index, profession[sel], on[sel], located):
            if not decree_ids:
                status[sel[local]] = STATUSES.index("no_zoning")
                continue
            zone_set = index.zone_set(crs, prof, decree_ids)
            position = np.full(len(sel), -1, dtype=np.int64)
            position[local] = np.arange(len(local))
            keep = (position[member_point] >= 0) & zone_set.in_set[member_zone]
            drawn_point, drawn_idx = zone_set.drawn.pairs(x[local], y[local])
            pj = np.concatenate([position[member_point[keep]], drawn_point])
            rows = np.concatenate([member_zone[keep], zone_set.drawn_rows[drawn_idx]])
            units = np.concatenate([member_unit[keep], np.full(len(drawn_point), -1)])
            # Unsure: the link of an arrondissement with no polygon, to its whole commune.
            unsure = np.concatenate([stand_in[keep], np.zeros(len(drawn_point), dtype=bool)])
            # Zoned: in a region with a decree in force, or in a zone of one (a territory
            # straddling two regions is zoned by one of them: ``cesp.zones.by_codes``).
            zone_regions = {index.decrees[i].region_code for i in decree_ids}
            zoned_ids = [i for i, r in enumerate(communes.region_codes) if r in zone_regions]
            zoned = np.isin(region[local], zoned_ids)
            zoned[pj] = True
            status[sel[local[~zoned]]] = STATUSES.index("no_zoning")
            if not zoned.any():
                continue
            renumber = np.where(zoned, np.cumsum(zoned) - 1, -1)
            local, pj = local[zoned], renumber[pj]
            global_idx = sel[local]
            gx, gy = x[local], y[local]
            decisive = strongest(pj, zone_priority(zones)[rows])  # QPV over territory
            pj, rows = pj[decisive], rows[decisive]
            units, unsure = units[decisive], unsure[decisive]
            zone_pairs.append((global_idx[pj], rows))
            qualifying = zones.qualifies[rows]
            through = qualifying & (units >= 0) & ~unsure
            # The communes holding each point, the points numbered as ``local`` now.
            held = position[holder_point]
            held = np.where(held >= 0, renumber[np.maximum(held, 0)], -1)
            mine = held >= 0
            doubt = _doubtful(
                communes, held[mine], holder_unit[mine], pj[through], units[through], len(local)
            )
            inside = np.zeros(len(local), dtype=bool)
            inside[pj[qualifying & ~unsure & (units < 0)]] = True  # drawn: its own polygon
            inside[pj[through][~doubt[pj[through]]]] = True
            maybe = np.zeros(len(local), dtype=bool)
            maybe[pj[qualifying & (unsure | doubt[pj])]] = True
            maybe &= ~inside
            near, far_m, far_row = zone_set.edges(gx, gy, inside | maybe, index.borderline_m)
            eligible[global_idx] = inside
            result = np.where(inside, STATUSES.index("eligible"), STATUSES.index("not_eligible"))
            result[maybe] = STATUSES.index("partial")
            status[global_idx] = np.where(near, STATUSES.index("borderline"), result)
            nearest_row[global_idx] = far_row
            distance[global_idx] = far_m

    def _cat(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        if not pairs:
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
        return np.concatenate([p for p, _ in pairs]), np.concatenate([r for _, r in pairs])

    zone_point, zone_row = _cat(zone_pairs)
    candidate_point, candidate_row = _cat(candidate_pairs)
    return PointAnswers(
        np.asarray(TERRITORY_CRS, dtype=object)[territory],
        np.asarray(STATUSES, dtype=object)[status],
        eligible,
        commune_row,
        arrondissement_row,
        nearest_row,
        distance,
        zone_point,
        zone_row,
        candidate_point,
        candidate_row,
        territory,
        status,
    )
