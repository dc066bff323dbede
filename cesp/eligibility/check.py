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
  coordinates; or a point the reference boundaries cannot place in one commune, where
  the communes it may lie in are not all zoned alike (Lyon and Marseille arrondissements
  without polygons, communes re-established in 2025 sharing one polygon:
  ``cesp.eligibility.evaluation``): to be confirmed with the ARS, never ``eligible``;
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

from cesp.eligibility.evaluation import PointAnswers, evaluate_points, zone_order
from cesp.eligibility.listed_codes import listed_coverage
from cesp.eligibility.overrides import zone_priority
from cesp.eligibility.sites import CommuneSite, PointSite, Site
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import CespError, InvalidInputError
from cesp.geo.arrondissements import with_commune_polygon
from cesp.geo.communes import resolve_code
from cesp.geo.crs import metric_crs_for_region, reproject
from cesp.zones.decrees import Decree
from cesp.zones.professions import parse_profession

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
    overrides: bool = False  # a QPV zone: its category replaces the territory's inside it


@dataclass(frozen=True)
class CommuneRef:
    """The commune (or Paris arrondissement) of a site."""

    code: str
    name: str
    departement: str
    region: str
    approximate: bool
    approximate_reason: str | None
    approximate_reason_fr: str | None = None
    """Set when the answer holds for a larger territory than the one asked (an
    arrondissement of Lyon or Marseille answered with its commune's polygon)."""


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
        bool(zone_priority(z)[row] > 0),
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
        zones=tuple(sorted(zones, key=lambda z: zone_order(z.qualifies, z.name))),
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
    unit, reason_fr = with_commune_polygon(conn, resolution.unit, on)
    if resolution.status != "in_force" or unit.geometry is None:
        now = ", ".join(f"{u.name} ({u.code})" for u in resolution.now)
        raise InvalidInputError(
            f"{site.insee} ({unit.name}) is not a commune on {on.isoformat()}"
            + (f": now part of {now}" if now else ""),
            message_fr=f"{site.insee} ({unit.name}) n'est pas une commune au {on:%d/%m/%Y}"
            + (f" : elle fait désormais partie de {now}." if now else "."),
            field="insee",
        )
    commune = CommuneRef(
        unit.code,
        unit.name,
        unit.departement_code,
        unit.region_code,
        unit.approximate,
        unit.approximate_reason,
        reason_fr,
    )
    crs = metric_crs_for_region(unit.region_code)
    decree_ids = index.decrees_in_force(profession, on)
    zone_set = index.zone_set(crs, profession, decree_ids) if decree_ids else None
    zones = index.zones[crs]
    in_set = np.flatnonzero(zone_set.in_set) if zone_set is not None else np.array([], int)
    # Zones drawn on a polygon that is not the commune's own, or built from such polygons
    # (arrondissements of Lyon, communes re-established in 2025), place it by their lists
    # of codes (``cesp.eligibility.listed_codes``); the others by area.
    by_list = (zones.built_from[in_set] == "communes") & (
        reason_fr is not None or unit.approximate or zones.approximate[in_set]
    )
    listed = listed_coverage(
        conn, zones.zone_id[in_set[by_list]].tolist(), unit.code, unit.parent_code
    )
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
    if zone_set is None:
        return result
    territory = reproject(unit.geometry, "EPSG:4326", crs)
    rows = in_set[~by_list]
    rows = rows[shapely.intersects(zones.geometries[rows], territory)]
    # Zones that only touch the commune along its edge are not "its" zones.
    overlap = shapely.area(shapely.intersection(zones.geometries[rows], territory))
    rows = rows[overlap > NO_COVERAGE * territory.area]
    own_region = any(index.decrees[i].region_code == unit.region_code for i in decree_ids)
    listed_rows = [int(r) for r in in_set[by_list] if int(zones.zone_id[r]) in listed]
    if not own_region and not len(rows) and not listed_rows:
        return result  # no decree of its region, in no zone of another's
    # The qualifying area with overriding non-qualifying QPV cut out (overrides module).
    carved = dict(
        zip(zone_set.qualifying_rows.tolist(), zone_set.qualifying_geometries, strict=True)
    )
    qualifying = [carved[r] for r in rows.tolist() if r in carved]
    covered: float | None = 0.0
    if qualifying:
        inside = shapely.union_all(qualifying).intersection(territory)
        covered = inside.area / territory.area
    for r in listed_rows:
        if zones.qualifies[r]:
            share = listed[int(zones.zone_id[r])]
            covered = None if share is None or covered is None else max(covered, share)
    status = "not_eligible"
    if covered is None:
        status = "partial"  # some of its arrondissements are listed, their areas unknown
    elif covered >= FULL_COVERAGE:
        status = "eligible"
    elif covered > NO_COVERAGE:
        status = "partial"
    rows = np.array(sorted({*rows.tolist(), *listed_rows}), dtype=np.int64)
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
        coverage=None if covered is None else round(covered, 4),
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
