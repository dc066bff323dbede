"""Turn the rows of a decree file into validated zones, or a list of problems.

Rows of INSEE codes are resolved against the communes *as they are on the decree's
effective date* (``cesp.zones.by_codes``). Rows of
geometries are repaired when repairable, checked against the region outline in a metric
CRS, and related to the communes they cover. Nothing here writes: the importer does,
in one transaction, only when the problem list is empty.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

import shapely
import sqlalchemy as sa
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from cesp.errors import InvalidInputError, Problem
from cesp.geo.communes import units_in_bbox
from cesp.geo.crs import metric_crs_for_region, reproject
from cesp.geo.geometry import as_multipolygon, union_multipolygon
from cesp.geo.regions import region_outline
from cesp.zones.by_codes import Member, resolve_rows
from cesp.zones.categories import (
    ZoneCategory,
    default_category,
    match_category,
    unknown_category,
)
from cesp.zones.readers import SourceRow, SourceTable

REGION_TOLERANCE_M = 1000.0
OUTSIDE_AREA_M2 = 10_000.0
MIN_COVERAGE = 0.001


@dataclass(frozen=True)
class CoveredCommune:
    """A commune a zone covers, wholly (coverage 1.0) or in part."""

    code: str
    name: str
    population: int | None
    coverage: float
    approximate: bool


@dataclass
class DraftZone:
    """A zone ready to be stored."""

    name: str
    category: str
    geometry: MultiPolygon
    built_from: str
    communes: list[CoveredCommune]
    source_rows: list[int]
    approximate_reasons: list[str] = field(default_factory=list)
    priority: int = 0  # 1: a QPV zone, its category overrides the territory's inside it

    @property
    def population(self) -> int | None:
        """Population of the zone: each commune's population weighted by the share of its
        area inside the zone (whole communes count in full; None when none is known).
        Population is not uniform within a commune: for drawn zones this is an estimate."""
        known = [(c.population, c.coverage) for c in self.communes if c.population is not None]
        return round(sum(p * share for p, share in known)) if known else None

    @property
    def approximate(self) -> bool:
        """True when some commune polygon used is not its own boundary."""
        return bool(self.approximate_reasons)


@dataclass
class BuildResult:
    """Zones built from a file, with the problems and notes found on the way."""

    zones: list[DraftZone]
    problems: list[Problem]
    notes: list[str]
    rows_kept: int = 0
    skipped_by_category: dict[str, int] = field(default_factory=dict)
    skipped_by_region: int = 0
    qpv_zones: int = 0


def _category(
    row: SourceRow,
    categories: list[ZoneCategory],
    fallback: ZoneCategory | None,
    problems: list[Problem],
) -> str | None:
    if row.category is None:
        if fallback is None:
            problems.append(
                Problem(
                    row.row,
                    "no category: give category_field (a column) or category (one for all); "
                    f"known: {', '.join(c.label for c in categories)}",
                    "catégorie absente : précisez la colonne de catégorie ou une catégorie "
                    "par défaut",
                    "category",
                )
            )
            return None
        return fallback.code
    found = match_category(row.category, categories)
    if found is None:
        problems.append(Problem(row.row, *unknown_category(row.category, categories), "category"))
        return None
    return found.code


def _mixed(name: str, codes: Collection[str | None], row: int, problems: list[Problem]) -> bool:
    """Record a problem when the rows of one zone name several categories."""
    if len(codes) <= 1:
        return False
    found = sorted(c for c in codes if c)
    problems.append(
        Problem(
            row,
            f"zone {name!r} mixes categories {found}",
            f"la zone « {name} » mélange plusieurs catégories",
            "category",
        )
    )
    return True


def build_from_codes(
    conn: sa.Connection,
    table: SourceTable,
    region: str,
    on: date,
    categories: list[ZoneCategory],
    fallback: ZoneCategory | None,
    mapping: dict[str, str] | None = None,
) -> BuildResult:
    """Zones from rows of INSEE codes read on ``on`` (see ``cesp.zones.by_codes``)."""
    groups, problems, notes, skipped = resolve_rows(
        conn, table, region, on, categories, fallback, mapping or {}
    )
    named: Counter[str] = Counter()
    for members in groups.values():
        named[_zone_name(members)] += 1
    zones = []
    for key, members in groups.items():
        first = members[0]
        found = {m.category.code if m.category else None for m in members}
        if None in found:
            _category(first.row, categories, None, problems)
            continue
        name = _zone_name(members)
        if named[name] > 1:
            name = f"{name} ({key})"
        if _mixed(name, found, first.row.row, problems):
            continue
        geometry = union_multipolygon([m.shape for m in members if m.shape is not None])
        assert geometry is not None
        zones.append(
            DraftZone(
                name=name,
                category=found.pop() or "",
                geometry=geometry,
                built_from="communes",
                communes=[
                    CoveredCommune(
                        m.unit.code, m.unit.name, m.unit.population, m.coverage, m.unit.approximate
                    )
                    for m in members
                ],
                source_rows=[r for m in members for r in m.source_rows],
                approximate_reasons=[
                    m.stand_in_reason_fr
                    or f"{m.unit.code} {m.unit.name}: {m.unit.approximate_reason}"
                    for m in members
                    if m.unit.approximate
                ]
                + [
                    f"{m.unit.code} {m.unit.name}: {m.row.approximate_reason}"
                    for m in members
                    if m.row.approximate_reason
                ],
            )
        )
    result = BuildResult(zones, problems, [*table.notes, *notes, *skipped.notes()])
    result.skipped_by_category = dict(skipped.by_category)
    result.skipped_by_region = skipped.by_region
    result.rows_kept = len(
        {r for members in groups.values() for m in members for r in m.source_rows}
    )
    return result


def _zone_name(members: list[Member]) -> str:
    row = members[0].row
    if row.name:
        return row.name
    if row.zone_code:
        return row.zone_code
    return members[0].unit.name


def _swapped(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: xy[:, ::-1])


def covered_communes(
    conn: sa.Connection, geometry: MultiPolygon, signed: date, metric: str, region: str
) -> tuple[list[CoveredCommune], list[str]]:
    """The region's communes the zone covers, and the codes of other regions' communes it
    overlaps (a zone drawn over the border: those are reported, never listed, since a
    decree of the ARS designates zones in its own region only, art. L.1434-4 CSP)."""
    zone_m = reproject(geometry, "EPSG:4326", metric)
    prepared = shapely.prepared.prep(geometry)
    covered = []
    foreign = []
    for unit in units_in_bbox(conn, geometry.bounds, signed):
        if unit.geometry is None or not prepared.intersects(unit.geometry):
            continue
        if unit.region_code != region:
            foreign.append(unit.code)
            continue
        if prepared.contains(unit.geometry):
            coverage = 1.0
        else:
            commune_m = reproject(unit.geometry, "EPSG:4326", metric)
            coverage = commune_m.intersection(zone_m).area / commune_m.area
        if coverage >= MIN_COVERAGE:
            covered.append(
                CoveredCommune(
                    unit.code, unit.name, unit.population, round(coverage, 4), unit.approximate
                )
            )
    return covered, foreign


def build_from_geometries(
    conn: sa.Connection,
    table: SourceTable,
    region: str,
    signed: date,
    categories: list[ZoneCategory],
    fallback: ZoneCategory | None,
) -> BuildResult:
    """Zones from drawn geometries; features with the same name form one zone."""
    problems: list[Problem] = []
    notes = list(table.notes)
    outline = region_outline(conn, region)
    if outline is None:
        problems.append(
            Problem(
                None,
                f"region {region} has no loaded reference geography: run "
                f"'cesp geo load --region {region}'",
                f"la géographie de la région {region} n'est pas chargée",
                "region",
            )
        )
        return BuildResult([], problems, notes)
    metric = metric_crs_for_region(region)
    allowed = reproject(outline, "EPSG:4326", metric).buffer(REGION_TOLERANCE_M)
    allowed_wgs = outline.buffer(0.05)
    groups: dict[str, list[tuple[SourceRow, MultiPolygon, str]]] = defaultdict(list)
    repaired = []
    for row in table.rows:
        geometry = row.geometry
        if geometry is None or geometry.is_empty:
            problems.append(Problem(row.row, "empty geometry", "géométrie vide", "geometry"))
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
            problems.append(
                Problem(
                    row.row,
                    f"a zone must be a polygon, found a {geometry.geom_type}",
                    f"une zone doit être un polygone (trouvé : {geometry.geom_type})",
                    "geometry",
                )
            )
            continue
        reason = None if geometry.is_valid else shapely.is_valid_reason(geometry)
        fixed = as_multipolygon(geometry)
        if fixed is None:
            problems.append(
                Problem(
                    row.row,
                    f"invalid polygon that cannot be repaired ({reason})",
                    f"polygone invalide irréparable ({reason})",
                    "geometry",
                )
            )
            continue
        if reason:
            repaired.append(f"{row.row} ({reason})")
        fixed_m = reproject(fixed, "EPSG:4326", metric)
        outside = fixed_m.difference(allowed).area
        if outside > max(OUTSIDE_AREA_M2, 0.01 * fixed_m.area):
            if _swapped(fixed).intersects(allowed_wgs):
                message = (
                    "the coordinates look like latitude and longitude swapped: "
                    "x must be the longitude (or easting), y the latitude (or northing)"
                )
                message_fr = "coordonnées inversées (latitude et longitude permutées ?)"
            else:
                message = (
                    f"{outside / 1e6:.2f} km² of the zone lie outside region {region} "
                    f"(tolerance {REGION_TOLERANCE_M:.0f} m); check the CRS of the file"
                )
                message_fr = f"la zone déborde de la région {region} de {outside / 1e6:.2f} km²"
            problems.append(Problem(row.row, message, message_fr, "geometry"))
            continue
        category = _category(row, categories, fallback, problems)
        if category is None:
            continue
        name = row.name or f"Zone {row.row}"
        groups[name].append((row, fixed, category))
    if repaired:
        notes.append("géométries réparées (make_valid) : lignes " + ", ".join(repaired))

    zones = []
    for name, members in groups.items():
        codes = {category for _, _, category in members}
        if _mixed(name, codes, members[0][0].row, problems):
            continue
        geometry = union_multipolygon([g for _, g, _ in members])
        assert geometry is not None
        communes, foreign = covered_communes(conn, geometry, signed, metric, region)
        if foreign:
            notes.append(
                f"la zone « {name} » recouvre {len(foreign)} commune(s) d'autres régions "
                f"({', '.join(sorted(foreign)[:10])}{', ...' if len(foreign) > 10 else ''}) : "
                f"non listées, un arrêté de la région {region} ne désigne que ses communes"
            )
        if not communes:
            problems.append(
                Problem(
                    members[0][0].row,
                    f"zone {name!r} covers no commune of region {region} (at least "
                    f"{MIN_COVERAGE:.1%} of a commune's area): check its geometry and CRS",
                    f"la zone « {name} » ne couvre aucune commune de la région {region}",
                    "geometry",
                )
            )
            continue
        zones.append(
            DraftZone(
                name=name,
                category=codes.pop(),
                geometry=geometry,
                built_from="geometry",
                communes=communes,
                source_rows=[row.row for row, _, _ in members],
            )
        )
    return BuildResult(zones, problems, notes)


def build_zones(
    conn: sa.Connection,
    table: SourceTable,
    region: str,
    signed: date,
    categories: list[ZoneCategory],
    category: str | None = None,
    *,
    effective_from: date | None = None,
    mapping: dict[str, str] | None = None,
) -> BuildResult:
    """Validate the rows of ``table`` and build zones (see the module docstring).

    Codes are read on ``effective_from`` (the day the decree applies to), drawn zones are
    related to the communes of ``signed``."""
    fallback = match_category(category, categories) if category else default_category(categories)
    if category and fallback is None:
        message, message_fr = unknown_category(category, categories)
        raise InvalidInputError(
            message, message_fr=message_fr[0].upper() + message_fr[1:] + ".", field="category"
        )
    if table.by_codes:
        return build_from_codes(
            conn, table, region, effective_from or signed, categories, fallback, mapping
        )
    return build_from_geometries(conn, table, region, signed, categories, fallback)
