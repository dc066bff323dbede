"""Does a practice site qualify, on a date, for a profession, and under which decree?

Rules (the CESP, code de l'éducation art. L.632-6; décret n°2010-735 du 29 juin 2010):
the beneficiary practises "dans une zone ... où l'offre de soins est insuffisante ou
l'accès aux soins difficile" as set by the ARS of the region. A site qualifies on a date
when it lies in a zone of a decree in force on that date, for that profession, whose
category opens the CESP (table ``zone_categories``: data, not code).

Statuses:

- ``eligible`` / ``not_eligible``: the point is inside / outside every qualifying zone;
- ``borderline``: within ``borderline_m`` metres (50 by default) of a qualifying zone's
  boundary, inside or out: ``eligible`` still says which side, but the answer must be
  confirmed (simplified boundaries are accurate to about a metre, addresses are not);
- ``partial``: an INSEE code whose commune lies only partly in qualifying zones: give
  coordinates;
- ``no_zoning``: no decree in force for the site's region and the profession that day;
- ``outside_territory``: the point lies in no French commune.

Every answer comes from ``evaluate_points`` (vectorised, also behind the bulk check),
so the API, the CLI and the map never re-derive it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import shapely
import sqlalchemy as sa

from cesp.errors import CespError, InvalidInputError
from cesp.geo.communes import resolve_code
from cesp.geo.crs import metric_crs_for_region, reproject
from cesp.zones.decrees import Decree
from cesp.zones.index import Points, ZoningIndex, territory_of, to_metric
from cesp.zones.professions import parse_profession
from cesp.zones.sites import CommuneSite, PointSite, Site

STATUSES = (
    "eligible",
    "not_eligible",
    "borderline",
    "partial",
    "no_zoning",
    "outside_territory",
)
FULL_COVERAGE = 0.999
NO_COVERAGE = 0.001


@dataclass(frozen=True)
class DecreeRef:
    """The decree a zone belongs to."""

    id: int
    reference: str
    region: str
    profession: str
    signed: date
    effective_from: date
    effective_to: date | None

    @classmethod
    def of(cls, d: Decree) -> DecreeRef:
        """Reference a decree."""
        return cls(
            d.id,
            d.reference,
            d.region_code,
            d.profession,
            d.signed,
            d.effective_from,
            d.effective_to,
        )


@dataclass(frozen=True)
class ZoneMatch:
    """A zone the site lies in (or the nearest one)."""

    zone_id: int
    name: str
    category: str
    category_label: str
    qualifies: bool
    approximate: bool
    decree: DecreeRef


@dataclass(frozen=True)
class CommuneRef:
    """The commune (or Paris arrondissement) of a site."""

    code: str
    name: str
    departement: str
    region: str
    approximate: bool
    approximate_reason: str | None


@dataclass(frozen=True)
class EligibilityResult:
    """The one answer to "does this site qualify?"."""

    site: Site
    on_date: date
    profession: str
    eligible: bool
    status: str
    commune: CommuneRef | None
    arrondissement: CommuneRef | None
    zones: tuple[ZoneMatch, ...]
    nearest: ZoneMatch | None
    distance_m: float | None
    coverage: float | None
    candidates: tuple[CommuneRef, ...]
    borderline_m: float = 50.0

    @property
    def approximate(self) -> bool:
        """True when the commune cannot be named for sure, or a zone is approximate."""
        return bool(
            (self.commune and self.commune.approximate)
            or self.candidates
            or any(z.approximate for z in self.zones)
        )

    @property
    def decrees(self) -> tuple[DecreeRef, ...]:
        """The decrees of the qualifying zones (or of the nearest one)."""
        refs = {z.decree.id: z.decree for z in self.zones if z.qualifies}
        if not refs and self.nearest:
            refs[self.nearest.decree.id] = self.nearest.decree
        return tuple(refs.values())


@dataclass
class PointAnswers:
    """Answers for many points, as arrays (rows refer to the tables of ``crs[i]``)."""

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


def _first_by_priority(
    points: np.ndarray, rows: np.ndarray, priority: np.ndarray, n: int
) -> np.ndarray:
    """For each point, the row of lowest priority among its pairs (-1 if none)."""
    best = np.full(n, -1, dtype=np.int64)
    if len(points):
        order = np.lexsort((priority[rows], points))
        first = np.ones(len(order), dtype=bool)
        first[1:] = points[order][1:] != points[order][:-1]
        best[points[order][first]] = rows[order][first]
    return best


def _groups(
    index: ZoningIndex, profession: np.ndarray, on: np.ndarray, located: np.ndarray
) -> list[tuple[tuple[str, frozenset[int]], np.ndarray]]:
    """Located points grouped by (profession, decrees in force on their date)."""
    names, prof_idx = np.unique(profession.astype(str), return_inverse=True)
    combined = prof_idx.astype(np.int64) * (date.max.toordinal() + 1) + on
    combos, combo_of = np.unique(combined[located], return_inverse=True)
    group_key: dict[tuple[str, frozenset[int]], int] = {}
    group_of_combo = np.empty(len(combos), dtype=np.int64)
    for c, value in enumerate(combos):
        prof = str(names[value // (date.max.toordinal() + 1)])
        when = date.fromordinal(int(value % (date.max.toordinal() + 1)))
        key = (prof, index.decrees_in_force(prof, when))
        group_of_combo[c] = group_key.setdefault(key, len(group_key))
    members = np.flatnonzero(located)
    group_of = group_of_combo[combo_of]
    return [(key, members[group_of == g]) for key, g in group_key.items()]


def evaluate_points(
    index: ZoningIndex,
    lon: np.ndarray,
    lat: np.ndarray,
    on: np.ndarray,
    profession: np.ndarray,
) -> PointAnswers:
    """Eligibility of many WGS84 points; ``on`` holds date ordinals, one per point."""
    n = len(lon)
    crs_of = territory_of(lon, lat)
    status = np.full(n, "outside_territory", dtype=object)
    eligible = np.zeros(n, dtype=bool)
    commune_row = np.full(n, -1, dtype=np.int64)
    arrondissement_row = np.full(n, -1, dtype=np.int64)
    nearest_row = np.full(n, -1, dtype=np.int64)
    distance = np.full(n, np.nan)
    zone_pairs: list[tuple[np.ndarray, np.ndarray]] = []
    candidate_pairs: list[tuple[np.ndarray, np.ndarray]] = []
    for crs in np.unique(crs_of):
        sel = np.flatnonzero(crs_of == crs)
        points = Points(to_metric(crs, lon[sel], lat[sel]))
        communes = index.communes[crs]
        unit_point, unit_row = communes.layer.pairs(points)
        when = on[sel][unit_point]
        valid = (communes.valid_from[unit_row] <= when) & (when < communes.valid_to[unit_row])
        pi, ci = unit_point[valid], unit_row[valid]
        is_commune = communes.kind[ci] == "commune"
        best = _first_by_priority(pi[is_commune], ci[is_commune], communes.priority, len(sel))
        commune_row[sel] = best
        arrondissement_row[sel] = _first_by_priority(
            pi[~is_commune], ci[~is_commune], communes.priority, len(sel)
        )
        others = is_commune & (ci != best[pi])
        candidate_pairs.append((sel[pi[others]], ci[others]))
        located = best >= 0
        region = np.where(located, communes.region[np.maximum(best, 0)], "")
        status[sel[located]] = "not_eligible"
        member_point, member_zone = communes.memberships(unit_point, unit_row)

        zones = index.zones[crs]
        for (prof, decree_ids), local in _groups(index, profession[sel], on[sel], located):
            global_idx = sel[local]
            zoned = np.isin(
                region[local].astype(str),
                list({index.decrees[i].region_code for i in decree_ids}),
            )
            status[global_idx[~zoned]] = "no_zoning"
            if not decree_ids or not zoned.any():
                continue
            zone_set = index.zone_set(crs, prof, decree_ids)
            position = np.full(len(sel), -1, dtype=np.int64)
            position[local] = np.arange(len(local))
            keep = (position[member_point] >= 0) & zone_set.in_set[member_zone]
            pj = position[member_point[keep]]
            rows = member_zone[keep]
            group_points = points.subset(local)
            drawn_point, drawn_idx = zone_set.drawn.pairs(group_points)
            pj = np.concatenate([pj, drawn_point])
            rows = np.concatenate([rows, zone_set.drawn_rows[drawn_idx]])
            zone_pairs.append((global_idx[pj], rows))
            inside = np.zeros(len(local), dtype=bool)
            inside[pj[zones.qualifies[rows]]] = True
            near = zone_set.near_boundary(group_points, index.borderline_m)
            eligible[global_idx] = inside & zoned
            result = np.where(inside, "eligible", "not_eligible")
            result = np.where(near, "borderline", result)
            status[global_idx[zoned]] = result[zoned]
            outside = np.flatnonzero(zoned & ~inside)
            far_m, far_row = zone_set.nearest(group_points.subset(outside))
            found = far_row >= 0
            nearest_row[global_idx[outside[found]]] = far_row[found]
            distance[global_idx[outside[found]]] = far_m[found]

    def _cat(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        if not pairs:
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
        return np.concatenate([p for p, _ in pairs]), np.concatenate([r for _, r in pairs])

    zone_point, zone_row = _cat(zone_pairs)
    candidate_point, candidate_row = _cat(candidate_pairs)
    return PointAnswers(
        crs_of,
        status,
        eligible,
        commune_row,
        arrondissement_row,
        nearest_row,
        distance,
        zone_point,
        zone_row,
        candidate_point,
        candidate_row,
    )


def _commune_ref(index: ZoningIndex, crs: str, row: int) -> CommuneRef | None:
    if row < 0:
        return None
    t = index.communes[crs]
    return CommuneRef(
        t.code[row],
        t.name[row],
        t.departement[row],
        t.region[row],
        bool(t.approximate[row]),
        t.reason[row],
    )


def zone_match(index: ZoningIndex, crs: str, row: int) -> ZoneMatch:
    """A zone row of the index as a result object."""
    z = index.zones[crs]
    return ZoneMatch(
        int(z.zone_id[row]),
        z.name[row],
        z.category[row],
        z.category_label[row],
        bool(z.qualifies[row]),
        bool(z.approximate[row]),
        DecreeRef.of(index.decrees[int(z.decree_id[row])]),
    )


def result_for(
    index: ZoningIndex, answers: PointAnswers, i: int, site: Site, on: date, profession: str
) -> EligibilityResult:
    """The full result object of point ``i`` of ``answers``."""
    crs = answers.crs[i]
    zones = tuple(zone_match(index, crs, int(r)) for r in answers.zone_row[answers.zone_point == i])
    nearest_row = int(answers.nearest_row[i])
    distance = float(answers.distance_m[i])
    return EligibilityResult(
        site=site,
        on_date=on,
        profession=profession,
        eligible=bool(answers.eligible[i]),
        status=str(answers.status[i]),
        commune=_commune_ref(index, crs, int(answers.commune_row[i])),
        arrondissement=_commune_ref(index, crs, int(answers.arrondissement_row[i])),
        zones=tuple(sorted(zones, key=lambda z: (not z.qualifies, z.name))),
        nearest=zone_match(index, crs, nearest_row) if nearest_row >= 0 else None,
        distance_m=None if np.isnan(distance) else round(distance, 1),
        coverage=None,
        candidates=tuple(
            ref
            for r in answers.candidate_row[answers.candidate_point == i]
            if (ref := _commune_ref(index, crs, int(r))) is not None
        ),
        borderline_m=index.borderline_m,
    )


def _check_commune(
    index: ZoningIndex, conn: sa.Connection, site: CommuneSite, on: date, profession: str
) -> EligibilityResult:
    try:
        resolution = resolve_code(conn, site.insee, on, with_geometry=True)
    except CespError as error:
        error.field = "insee"
        raise
    unit = resolution.unit
    if resolution.status != "in_force" or unit.geometry is None:
        now = ", ".join(f"{u.name} ({u.code})" for u in resolution.now)
        raise InvalidInputError(
            f"{site.insee} ({unit.name}) is not a commune on {on.isoformat()}"
            + (f": now part of {now}" if now else ""),
            message_fr=f"{site.insee} ({unit.name}) n'est pas une commune à cette date.",
            field="insee",
        )
    commune = CommuneRef(
        unit.code,
        unit.name,
        unit.departement_code,
        unit.region_code,
        unit.approximate,
        unit.approximate_reason,
    )
    crs = metric_crs_for_region(unit.region_code)
    decree_ids = index.decrees_in_force(profession, on)
    result = EligibilityResult(
        site=site,
        on_date=on,
        profession=profession,
        eligible=False,
        status="no_zoning",
        commune=commune,
        arrondissement=None,
        zones=(),
        nearest=None,
        distance_m=None,
        coverage=None,
        candidates=(),
        borderline_m=index.borderline_m,
    )
    if not any(index.decrees[i].region_code == unit.region_code for i in decree_ids):
        return result
    zone_set = index.zone_set(crs, profession, decree_ids)
    territory = reproject(unit.geometry, "EPSG:4326", crs)
    zones = index.zones[crs]
    rows = np.flatnonzero(zone_set.in_set)
    rows = rows[shapely.intersects(zones.geometries[rows], territory)]
    # Zones that only touch the commune along its edge are not "its" zones.
    overlap = shapely.area(shapely.intersection(zones.geometries[rows], territory))
    rows = rows[overlap > NO_COVERAGE * territory.area]
    qualifying = [r for r in rows if zones.qualifies[r]]
    covered = 0.0
    if qualifying:
        inside = shapely.union_all(zones.geometries[qualifying]).intersection(territory)
        covered = inside.area / territory.area
    status = "not_eligible"
    if covered >= FULL_COVERAGE:
        status = "eligible"
    elif covered > NO_COVERAGE:
        status = "partial"
    nearest, distance = None, None
    if status == "not_eligible" and zone_set.qualifying_tree is not None:
        row = int(zone_set.qualifying_rows[zone_set.qualifying_tree.nearest(territory)])
        nearest = zone_match(index, crs, row)
        distance = round(float(shapely.distance(territory, zones.geometries[row])), 1)
    return replace(
        result,
        eligible=status == "eligible",
        status=status,
        zones=tuple(zone_match(index, crs, int(r)) for r in rows),
        nearest=nearest,
        distance_m=distance,
        coverage=round(covered, 4),
    )


def check(
    index: ZoningIndex,
    conn: sa.Connection | None,
    site: Site,
    on: date | None = None,
    profession: str = "medecin",
) -> EligibilityResult:
    """Check one site (a connection is needed for an INSEE code only)."""
    on = on or date.today()
    profession = parse_profession(profession).value
    if isinstance(site, CommuneSite):
        if conn is None:
            raise ValueError("an INSEE code check needs a database connection")
        return _check_commune(index, conn, site, on, profession)
    answers = evaluate_points(
        index,
        np.array([site.lon]),
        np.array([site.lat]),
        np.array([on.toordinal()]),
        np.array([profession], dtype=object),
    )
    return result_for(index, answers, 0, site, on, profession)


def check_points(
    index: ZoningIndex, sites: list[PointSite], on: list[date], profession: list[str]
) -> list[EligibilityResult]:
    """Check many coordinate sites at once, answers in the same order."""
    answers = evaluate_points(
        index,
        np.array([s.lon for s in sites], dtype=float),
        np.array([s.lat for s in sites], dtype=float),
        np.array([d.toordinal() for d in on], dtype=np.int64),
        np.array(profession, dtype=object),
    )
    return [result_for(index, answers, i, s, on[i], profession[i]) for i, s in enumerate(sites)]
