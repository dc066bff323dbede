"""In-memory spatial index of communes and zones, for fast eligibility checks.

Built once from the database (all commune units with a polygon, all published and
superseded decrees with their zones), in metric coordinates: one layer per metric CRS
(Lambert-93 for metropolitan France, the local UTM projections overseas), so that
containment, the borderline band and distances are all computed in metres.

A query returns (point, polygon) pairs. Few points: an STRtree over the polygons,
queried with the points. Many points: an STRtree over the points, queried with the
(prepared) polygons, which is several times faster for large batches. Both use the
same predicate (``intersects``: a point on a boundary belongs to both sides), so both
give the same pairs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely
import sqlalchemy as sa
from shapely import STRtree

from cesp.geo.crs import (
    LAMBERT93,
    OVERSEAS_BOXES,
    REGION_METRIC_CRS,
    metric_crs_for_region,
    reproject,
    transformer,
)
from cesp.storage.versioning import read_index_version
from cesp.zones.categories import load_categories
from cesp.zones.decrees import Decree, list_decrees
from cesp.zones.segments import SegmentIndex

SMALL_BATCH = 512
EXACT_NEAREST_LIMIT = 20_000
FOREVER = date.max.toordinal()
TERRITORY_CRS = tuple(dict.fromkeys((LAMBERT93, *REGION_METRIC_CRS.values())))


def territory_of(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Metric CRS of each WGS84 point (overseas boxes, else Lambert-93)."""
    result = np.full(len(lon), LAMBERT93, dtype=object)
    for (minx, miny, maxx, maxy), crs in OVERSEAS_BOXES:
        inside = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
        result[inside] = crs
    return result


def to_metric(crs: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """WGS84 coordinates to metric points of ``crs``."""
    x, y = transformer("EPSG:4326", crs).transform(lon, lat)
    return shapely.points(x, y)


def _metric_geometries(crs: str, geometries: np.ndarray) -> np.ndarray:
    return np.asarray(reproject(geometries, "EPSG:4326", crs))


class Points:
    """A batch of metric points, with an STRtree over them built only when worth it."""

    def __init__(self, geometries: np.ndarray):
        self.geometries = geometries
        self.x = shapely.get_x(geometries)
        self.y = shapely.get_y(geometries)
        self._tree: STRtree | None = None

    def __len__(self) -> int:
        return len(self.geometries)

    @property
    def large(self) -> bool:
        """Large batches query a tree of points with the polygons (see module docstring)."""
        return len(self.geometries) > SMALL_BATCH

    @property
    def tree(self) -> STRtree:
        """STRtree over the points (built on first use)."""
        if self._tree is None:
            self._tree = STRtree(self.geometries)
        return self._tree

    def subset(self, idx: np.ndarray) -> Points:
        """The points at ``idx``."""
        return Points(self.geometries[idx])


def _empty_pairs() -> tuple[np.ndarray, np.ndarray]:
    return np.array([], dtype=np.int64), np.array([], dtype=np.int64)


class PolygonLayer:
    """Polygons of one metric CRS with an STRtree; yields (point, polygon) pairs.

    The bounding-box candidates come from a tree; the exact test is
    ``intersects_xy`` on the polygons, prepared once here (a point on a boundary belongs
    to both sides). Querying a tree with geometries does not use the prepared polygons
    in the predicate, which is what makes this two-step form faster.
    """

    def __init__(self, geometries: np.ndarray):
        self.geometries = geometries
        self.tree = STRtree(geometries)
        shapely.prepare(geometries)

    def pairs(self, points: Points) -> tuple[np.ndarray, np.ndarray]:
        """Indices ``(point_idx, polygon_idx)`` of every point lying in or on a polygon."""
        if len(points) == 0 or len(self.geometries) == 0:
            return _empty_pairs()
        if points.large:
            polygon_idx, point_idx = points.tree.query(self.geometries)
        else:
            point_idx, polygon_idx = self.tree.query(points.geometries)
        hit = shapely.intersects_xy(
            self.geometries[polygon_idx], points.x[point_idx], points.y[point_idx]
        )
        return point_idx[hit].astype(np.int64), polygon_idx[hit].astype(np.int64)


@dataclass
class CommuneTable:
    """Commune units (all dates) of one metric CRS, as arrays."""

    code: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    region: np.ndarray
    departement: np.ndarray
    parent: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray
    approximate: np.ndarray
    reason: np.ndarray
    priority: np.ndarray
    layer: PolygonLayer
    member_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    member_zone: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))

    def memberships(
        self, point_idx: np.ndarray, unit_idx: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(point, zone row) pairs of the commune-built zones of the units holding points.

        A zone built from communes is the union of their polygons as of its decree's
        signature; a point lies in it exactly when it lies in one of those units, so no
        second polygon test is needed.
        """
        counts = self.member_ptr[unit_idx + 1] - self.member_ptr[unit_idx]
        total = int(counts.sum())
        if total == 0:
            return _empty_pairs()
        points = np.repeat(point_idx, counts)
        starts = np.repeat(self.member_ptr[unit_idx], counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return points, self.member_zone[starts + offsets]


@dataclass
class ZoneTable:
    """Zones of in-force-able decrees of one metric CRS, as arrays."""

    zone_id: np.ndarray
    name: np.ndarray
    category: np.ndarray
    category_label: np.ndarray
    qualifies: np.ndarray
    decree_id: np.ndarray
    approximate: np.ndarray
    built_from: np.ndarray
    geometries: np.ndarray


@dataclass
class ZoneSet:
    """The zones in force for one profession and one set of decrees, ready to query."""

    in_set: np.ndarray
    drawn_rows: np.ndarray
    drawn: PolygonLayer
    qualifying_rows: np.ndarray
    qualifying_tree: STRtree | None
    outline: SegmentIndex
    regions: frozenset[str]

    def near_boundary(self, points: Points, band: float) -> np.ndarray:
        """Exact: which points lie within ``band`` metres of the edge of the qualifying
        area. The edge is that of the union of the qualifying zones: a border shared by
        two neighbouring zones is not an edge (eligible on both sides)."""
        return self.outline.within(points.x, points.y, band)

    def nearest(self, points: Points) -> tuple[np.ndarray, np.ndarray]:
        """Distance (m) to the nearest qualifying zone and its row, for outside points.

        The distance to the outline of the qualifying area is the distance to the nearest
        qualifying zone. Exact (see ``cesp.zones.segments``); in a batch with more than
        ``EXACT_NEAREST_LIMIT`` unproven points, those are at most 50 m above.
        """
        distance, owner, proven = self.outline.nearest(points.x, points.y)
        unproven = np.flatnonzero(~proven)
        if 0 < len(unproven) <= EXACT_NEAREST_LIMIT:
            distance[unproven] = self.outline.exact(
                points.x[unproven], points.y[unproven], distance[unproven]
            )
        rows = np.where(owner >= 0, self.qualifying_rows[np.maximum(owner, 0)], -1)
        return distance, rows


@dataclass
class ZoningIndex:
    """Everything an eligibility check needs, immutable once built."""

    version: int
    borderline_m: float
    decrees: dict[int, Decree]
    communes: dict[str, CommuneTable]
    zones: dict[str, ZoneTable]
    build_seconds: float
    _zone_sets: dict[tuple[str, str, frozenset[int]], ZoneSet] = field(default_factory=dict)

    def decrees_in_force(self, profession: str, on: date) -> frozenset[int]:
        """Ids of the decrees in force for a profession on a date."""
        return frozenset(
            d.id for d in self.decrees.values() if d.profession == profession and d.in_force_on(on)
        )

    def warm(self, on: date) -> None:
        """Build the zone sets in force on ``on`` now, so that no request pays for them."""
        for profession in {d.profession for d in self.decrees.values()}:
            decree_ids = self.decrees_in_force(profession, on)
            if decree_ids:
                for crs in self.zones:
                    self.zone_set(crs, profession, decree_ids)

    def zone_set(self, crs: str, profession: str, decree_ids: frozenset[int]) -> ZoneSet:
        """The queryable zones of some decrees in one CRS (cached: a handful of sets)."""
        key = (crs, profession, decree_ids)
        cached = self._zone_sets.get(key)
        if cached is not None:
            return cached
        table = self.zones[crs]
        in_set = np.isin(table.decree_id, list(decree_ids))
        rows = np.flatnonzero(in_set)
        drawn_rows = rows[table.built_from[rows] != "communes"]
        qualifying = rows[table.qualifies[rows]]
        geometries = table.geometries[qualifying]
        zone_set = ZoneSet(
            in_set=in_set,
            drawn_rows=drawn_rows,
            drawn=PolygonLayer(table.geometries[drawn_rows]),
            qualifying_rows=qualifying,
            qualifying_tree=STRtree(geometries) if len(geometries) else None,
            outline=SegmentIndex(geometries, drop_shared=True),
            regions=frozenset(self.decrees[i].region_code for i in decree_ids),
        )
        self._zone_sets[key] = zone_set
        return zone_set


def _ordinal(value: object, missing: int) -> int:
    if value is None:
        return missing
    if isinstance(value, date):
        return value.toordinal()
    return date.fromisoformat(str(value)).toordinal()


def _load_communes(conn: sa.Connection) -> dict[str, CommuneTable]:
    rows = conn.execute(
        sa.text(
            "SELECT code, kind, name, region_code, departement_code, parent_code, valid_from, "
            "valid_to, approximate, approximate_reason, geometry_code, "
            "ST_AsBinary(geom) AS wkb FROM commune_units WHERE geom IS NOT NULL"
        )
    ).all()
    by_crs: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_crs.setdefault(metric_crs_for_region(row.region_code), []).append(i)
    tables = {}
    for crs in TERRITORY_CRS:
        selected = [rows[i] for i in by_crs.get(crs, [])]
        geometries = shapely.from_wkb([bytes(r.wkb) for r in selected])
        # Priority when several units hold a point: exact polygon first, then the owner of
        # a shared polygon, then current units; same rule as cesp.geo.communes._primary.
        rank = np.array(
            [
                (int(bool(r.approximate)) << 2)
                | (int(r.code != r.geometry_code) << 1)
                | int(r.valid_to is not None)
                for r in selected
            ],
            dtype=np.int8,
        )
        codes = np.array([r.code for r in selected], dtype=object)
        order = np.empty(len(codes), dtype=np.int64)
        order[np.argsort(codes, kind="stable")] = np.arange(len(codes))
        tables[crs] = CommuneTable(
            code=codes,
            name=np.array([r.name for r in selected], dtype=object),
            kind=np.array([r.kind for r in selected], dtype=object),
            region=np.array([r.region_code for r in selected], dtype=object),
            departement=np.array([r.departement_code for r in selected], dtype=object),
            parent=np.array([r.parent_code for r in selected], dtype=object),
            valid_from=np.array([_ordinal(r.valid_from, 0) for r in selected], dtype=np.int64),
            valid_to=np.array([_ordinal(r.valid_to, FOREVER) for r in selected], dtype=np.int64),
            approximate=np.array([bool(r.approximate) for r in selected], dtype=bool),
            reason=np.array([r.approximate_reason for r in selected], dtype=object),
            priority=rank.astype(np.int64) * max(len(codes), 1) + order,
            layer=PolygonLayer(_metric_geometries(crs, np.asarray(geometries))),
        )
    return tables


def _load_zones(conn: sa.Connection, decrees: dict[int, Decree]) -> dict[str, ZoneTable]:
    categories = {(c.profession, c.zoning_method, c.code): c for c in load_categories(conn)}
    rows = (
        conn.execute(
            sa.text(
                "SELECT id, decree_id, name, category, approximate, built_from, "
                "ST_AsBinary(geom) AS wkb "
                "FROM zones WHERE decree_id IN :ids ORDER BY id"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": list(decrees)},
        ).all()
        if decrees
        else []
    )
    tables = {}
    for crs in TERRITORY_CRS:
        selected = [
            r for r in rows if metric_crs_for_region(decrees[r.decree_id].region_code) == crs
        ]
        cats = [
            categories.get(
                (decrees[r.decree_id].profession, decrees[r.decree_id].zoning_method, r.category)
            )
            for r in selected
        ]
        geometries = np.asarray(shapely.from_wkb([bytes(r.wkb) for r in selected]))
        tables[crs] = ZoneTable(
            zone_id=np.array([r.id for r in selected], dtype=np.int64),
            name=np.array([r.name for r in selected], dtype=object),
            category=np.array([r.category for r in selected], dtype=object),
            category_label=np.array(
                [c.label if c else r.category for c, r in zip(cats, selected, strict=True)],
                dtype=object,
            ),
            qualifies=np.array([bool(c and c.qualifies_for_cesp) for c in cats], dtype=bool),
            decree_id=np.array([r.decree_id for r in selected], dtype=np.int64),
            approximate=np.array([bool(r.approximate) for r in selected], dtype=bool),
            built_from=np.array([r.built_from for r in selected], dtype=object),
            geometries=_metric_geometries(crs, geometries),
        )
    return tables


def _link_memberships(
    conn: sa.Connection,
    communes: dict[str, CommuneTable],
    zones: dict[str, ZoneTable],
    decrees: dict[int, Decree],
) -> None:
    """Attach to each commune unit the commune-built zones it belongs to.

    A zone lists its communes by code; the unit is the one that code designated on the
    decree's signature date (a 2012 decree names 2012 communes).
    """
    links = (
        conn.execute(
            sa.text(
                "SELECT zc.zone_id, zc.commune_code, z.decree_id FROM zone_communes zc "
                "JOIN zones z ON z.id = zc.zone_id WHERE z.built_from = 'communes' "
                "AND z.decree_id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": list(decrees)},
        ).all()
        if decrees
        else []
    )
    zone_position = {
        int(zone_id): (crs, row)
        for crs, table in zones.items()
        for row, zone_id in enumerate(table.zone_id)
    }
    for crs, table in communes.items():
        rows_by_code: dict[str, list[int]] = {}
        for row, code in enumerate(table.code):
            rows_by_code.setdefault(code, []).append(row)
        members: list[list[int]] = [[] for _ in range(len(table.code))]
        for zone_id, code, decree_id in links:
            zone_crs, zone_row = zone_position[int(zone_id)]
            if zone_crs != crs:
                continue
            signed = decrees[int(decree_id)].signed.toordinal()
            for row in rows_by_code.get(code, ()):
                if table.valid_from[row] <= signed < table.valid_to[row]:
                    members[row].append(zone_row)
        counts = np.array([len(m) for m in members], dtype=np.int64)
        table.member_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        table.member_zone = np.array([z for m in members for z in m], dtype=np.int64)


def build_index(engine: sa.Engine, borderline_m: float = 50.0) -> ZoningIndex:
    """Read communes, decrees and zones in one snapshot and build the index."""
    started = time.perf_counter()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            version = read_index_version(conn)
            decrees = {
                d.id: d for d in list_decrees(conn) if d.status in ("published", "superseded")
            }
            communes = _load_communes(conn)
            zones = _load_zones(conn, decrees)
            _link_memberships(conn, communes, zones, decrees)
    index = ZoningIndex(
        version=version,
        borderline_m=borderline_m,
        decrees=decrees,
        communes=communes,
        zones=zones,
        build_seconds=0.0,
    )
    index.warm(date.today())
    index.build_seconds = time.perf_counter() - started
    return index
