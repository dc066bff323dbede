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

from cesp.geo.crs import LAMBERT93, REGION_METRIC_CRS, metric_crs_for_region, transformer
from cesp.storage.versioning import read_index_version
from cesp.zones.categories import load_categories
from cesp.zones.decrees import Decree, list_decrees

SMALL_BATCH = 512
FOREVER = date.max.toordinal()
TERRITORY_CRS = tuple(dict.fromkeys((LAMBERT93, *REGION_METRIC_CRS.values())))
_BOXES = (
    ((-61.9, 15.8, -60.9, 16.6), "EPSG:5490"),
    ((-61.3, 14.3, -60.7, 14.9), "EPSG:5490"),
    ((-54.7, 2.0, -51.5, 6.0), "EPSG:2972"),
    ((55.1, -21.5, 56.0, -20.8), "EPSG:2975"),
    ((44.9, -13.1, 45.4, -12.5), "EPSG:4471"),
)


def territory_of(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Metric CRS of each WGS84 point (overseas boxes, else Lambert-93)."""
    result = np.full(len(lon), LAMBERT93, dtype=object)
    for (minx, miny, maxx, maxy), crs in _BOXES:
        inside = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
        result[inside] = crs
    return result


def to_metric(crs: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """WGS84 coordinates to metric points of ``crs``."""
    x, y = transformer("EPSG:4326", crs).transform(lon, lat)
    return shapely.points(x, y)


def _metric_geometries(crs: str, geometries: np.ndarray) -> np.ndarray:
    t = transformer("EPSG:4326", crs)

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, _xy)


class PolygonLayer:
    """Polygons of one metric CRS with an STRtree; yields (point, polygon) pairs."""

    def __init__(self, geometries: np.ndarray):
        self.geometries = geometries
        self.tree = STRtree(geometries)
        shapely.prepare(geometries)

    def pairs(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices ``(point_idx, polygon_idx)`` of every point lying in or on a polygon."""
        if len(points) == 0 or len(self.geometries) == 0:
            empty = np.array([], dtype=np.intp)
            return empty, empty
        if len(points) <= SMALL_BATCH:
            point_idx, polygon_idx = self.tree.query(points, predicate="intersects")
            return point_idx, polygon_idx
        point_tree = STRtree(points)
        polygon_idx, point_idx = point_tree.query(self.geometries, predicate="intersects")
        return point_idx, polygon_idx


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
    geometries: np.ndarray


@dataclass
class ZoneSet:
    """The zones in force for one profession and one set of decrees, ready to query."""

    zone_rows: np.ndarray
    layer: PolygonLayer
    qualifying_rows: np.ndarray
    qualifying_tree: STRtree | None
    pieces: STRtree | None
    piece_rows: np.ndarray
    border: PolygonLayer
    regions: frozenset[str]

    def nearest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For points outside every qualifying zone: (point_idx, zone_row, distance_m).

        The distance from an outside point to a polygon is its distance to the boundary,
        so the query runs on short pieces of the boundaries: the tree then prunes almost
        everything and each exact distance costs a few dozen vertices, not thousands.
        """
        if self.pieces is None or len(points) == 0:
            empty = np.array([], dtype=np.int64)
            return empty, empty, np.array([], dtype=float)
        (point_idx, piece_idx), distance = self.pieces.query_nearest(
            points, return_distance=True, all_matches=False
        )
        return point_idx, self.piece_rows[piece_idx], distance


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

    def zone_set(self, crs: str, profession: str, decree_ids: frozenset[int]) -> ZoneSet:
        """The queryable zones of some decrees in one CRS (cached: a handful of sets)."""
        key = (crs, profession, decree_ids)
        cached = self._zone_sets.get(key)
        if cached is not None:
            return cached
        table = self.zones[crs]
        rows = np.flatnonzero(np.isin(table.decree_id, list(decree_ids)))
        qualifying = rows[table.qualifies[rows]]
        geometries = table.geometries[qualifying]
        border = shapely.buffer(shapely.boundary(geometries), self.borderline_m, quad_segs=4)
        pieces, owners = boundary_pieces(geometries)
        zone_set = ZoneSet(
            zone_rows=rows,
            layer=PolygonLayer(table.geometries[rows]),
            qualifying_rows=qualifying,
            qualifying_tree=STRtree(geometries) if len(geometries) else None,
            pieces=STRtree(pieces) if len(pieces) else None,
            piece_rows=qualifying[owners] if len(pieces) else owners,
            border=PolygonLayer(border),
            regions=frozenset(self.decrees[i].region_code for i in decree_ids),
        )
        self._zone_sets[key] = zone_set
        return zone_set


PIECE_VERTICES = 32


def boundary_pieces(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut the boundaries of polygons into linestrings of at most 32 vertices.

    Returns the pieces and, for each, the index of the polygon it comes from.
    """
    rings, ring_owner = shapely.get_rings(shapely.get_parts(geometries), return_index=True)
    _, part_owner = shapely.get_parts(geometries, return_index=True)
    pieces: list[np.ndarray] = []
    owners: list[int] = []
    for ring, owner in zip(rings, part_owner[ring_owner], strict=True):
        coords = shapely.get_coordinates(ring)
        for start in range(0, len(coords) - 1, PIECE_VERTICES - 1):
            pieces.append(coords[start : start + PIECE_VERTICES])
            owners.append(int(owner))
    lines = np.empty(len(pieces), dtype=object)
    lines[:] = [shapely.linestrings(piece) for piece in pieces]
    return lines, np.asarray(owners, dtype=np.int64)


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
                "SELECT id, decree_id, name, category, approximate, ST_AsBinary(geom) AS wkb "
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
            geometries=_metric_geometries(crs, geometries),
        )
    return tables


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
    return ZoningIndex(
        version=version,
        borderline_m=borderline_m,
        decrees=decrees,
        communes=communes,
        zones=zones,
        build_seconds=time.perf_counter() - started,
    )
